/// HashKeeper `.hsh` files (the US NDIC's format, still exchanged between units): CSV whose
/// header begins `file_id,hashset_id,file_name,directory,hash,…` (quoted or not), `hash`
/// being the MD5. No categories: the import needs `--category` (or `--known-good`).
public enum HashKeeperFormat: HashSetFormat {
    public static let name = "hashkeeper"
    public static let carriesCategories = false

    public static func recognises(head: [UInt8]) -> Bool {
        let firstLine = String(decoding: head.prefix { $0 != UInt8(ascii: "\n") }.prefix(512), as: UTF8.self)
            .lowercased().replacingOccurrences(of: "\"", with: "")
        return firstLine.hasPrefix("file_id,hashset_id,") && firstLine.contains(",hash,")
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        try CSVHashSetFormat.readDelimited(input, requiredDelimiter: UInt8(ascii: ","), record: record, problem: problem)
    }
}
