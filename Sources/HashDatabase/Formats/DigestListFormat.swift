import TriageCore

/// `md5sum`, `sha1sum` and `sha256sum` output: `HEX  name` or `HEX *name` (binary mode), or a
/// bare digest per line. The digest type follows from its length. Lines starting with `#`
/// and blank lines are skipped. No categories: the import needs `--category`.
public enum DigestListFormat: HashSetFormat {
    public static let name = "md5sum"
    public static let carriesCategories = false

    public static func recognises(head: [UInt8]) -> Bool {
        let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard let first = lines.first(where: { !$0.starts(with: [UInt8(ascii: "#")]) }) else { return false }
        let line = first.first == UInt8(ascii: "\\") ? first.dropFirst() : first[...]  // GNU's escaped-name form
        let digest = line.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
        return HashType(hexLength: digest.count) != nil && Hex.decode(String(decoding: digest, as: UTF8.self)) != nil
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        // Bytes, not Strings: a national hash set has tens of millions of lines.
        try input.forEachLine { number, line in
            var text = line.drop { $0 == space || $0 == tab }
            if text.isEmpty || text.first == UInt8(ascii: "#") { return }
            // GNU md5sum writes `\HEX  name` when the name holds a backslash or newline.
            if text.first == UInt8(ascii: "\\") { text = text.dropFirst() }
            let digest = text.prefix { $0 != space && $0 != tab }
            var entry = HashSetRecord(place: .line(number))
            guard entry.setDigest(hexBytes: digest) else {
                problem(ImportProblem(location: "line \(number)",
                                      message: "not a digest list line (expected 32, 40 or 64 hex digits, then the name): \(SafeText.display(line.prefix(80)))"))
                return
            }
            try record(entry)
        }
    }
}

