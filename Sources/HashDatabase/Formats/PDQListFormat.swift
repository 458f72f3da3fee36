import TriageCore

/// ThreatExchange-style PDQ lists: `HASH,QUALITY[,anything]` per line (the reference
/// `pdq-photo-hasher` writes `hash,quality,file`; triage's export writes `hash,quality,CATEGORY,SOURCE`
/// with the quality empty when unknown), or a bare 64-digit hash. Commas, or else spaces or
/// tabs, separate fields; `#` lines and blank lines are skipped. No categories: the import
/// needs `--category`.
public enum PDQListFormat: HashSetFormat {
    public static let name = "pdq"
    public static let carriesCategories = false

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    public static func recognises(head: [UInt8]) -> Bool {
        let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard let first = lines.first(where: { !$0.starts(with: [UInt8(ascii: "#")]) }) else { return false }
        let hash = first.prefix { !isSeparator($0) }
        // 64 hex digits are also a SHA-256: only a hash followed by a comma says "PDQ list".
        return hash.count == 64 && Hex.decode(bytes: Array(hash)) != nil && first.dropFirst(64).first == UInt8(ascii: ",")
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        try input.forEachLine { number, line in
            let text = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if text.isEmpty || text.first == UInt8(ascii: "#") || text.allSatisfy({ $0 == UInt8(ascii: "\r") }) { return }
            // Comma-separated fields may be empty (no quality); otherwise runs of blanks separate.
            let trimmed = text.prefix { $0 != UInt8(ascii: "\r") }
            let fields = trimmed.contains(UInt8(ascii: ","))
                ? trimmed.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { $0.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }[...] }
                : trimmed.split(omittingEmptySubsequences: true, whereSeparator: isSeparator)
            var entry = HashSetRecord(place: .line(number))
            guard let first = fields.first, first.count == 64, let bytes = Hex.decode(bytes: Array(first)) else {
                problem(ImportProblem(location: "line \(number)", message: "not a PDQ line (expected 64 hex digits, then the quality): \(SafeText.display(line.prefix(80)))"))
                return
            }
            entry.pdq = PDQHash(bytes: bytes)
            if fields.count > 1, !fields[1].isEmpty {
                guard let quality = Int(String(decoding: fields[1], as: UTF8.self)), (0...100).contains(quality) else {
                    problem(ImportProblem(location: "line \(number)", message: "PDQ quality is not a number from 0 to 100: \(SafeText.display(fields[1].prefix(20)))"))
                    return
                }
                entry.pdqQuality = quality
            }
            try record(entry)
        }
    }
}
