/// NIST NSRL RDS 2.x `NSRLFile.txt`: quoted CSV with a header line, a known-good set. The
/// releases put the columns in different orders (`"SHA-1","MD5","CRC32","FileName",…`, and
/// later ones `"SHA-256","SHA-1","MD5",…`), so columns are found by their header names. Every
/// record is imported known-good: category N, never queued.
public enum NSRLFileFormat: HashSetFormat {
    public static let name = "nsrl"
    public static let carriesCategories = false
    public static let isKnownGood = true

    /// The header names `"SHA-1"`, `"MD5"` and `"FileName"`, quoted as NIST writes them.
    public static func recognises(head: [UInt8]) -> Bool {
        let firstLine = String(decoding: head.prefix { $0 != UInt8(ascii: "\n") }.prefix(512), as: UTF8.self).uppercased()
        return firstLine.hasPrefix("\"") && firstLine.contains("\"SHA-1\"") && firstLine.contains("\"MD5\"")
            && firstLine.contains("\"FILENAME\"")
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        try CSVHashSetFormat.readDelimited(input, requiredDelimiter: UInt8(ascii: ","), record: record, problem: problem)
    }
}
