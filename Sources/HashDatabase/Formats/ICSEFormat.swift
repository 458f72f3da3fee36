/// INTERPOL ICSE hash lists as units export them: `;`-separated text with a header naming
/// the columns (`MD5;SHA1;…;Category`), read by name as the generic CSV format reads them.
/// Never detected (a header line is too easily mistaken): `--format icse`. Rows without a
/// category take `--category`.
public enum ICSEFormat: HashSetFormat {
    public static let name = "icse"
    public static let carriesCategories = true

    public static func recognises(head: [UInt8]) -> Bool { false }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        try CSVHashSetFormat.readDelimited(input, requiredDelimiter: UInt8(ascii: ";"), record: record, problem: problem)
    }
}
