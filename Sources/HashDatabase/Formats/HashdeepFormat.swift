import Foundation
import TriageCore

/// hashdeep's own format: a `%%%% HASHDEEP-1.0` line, a `%%%% size,md5,sha256,filename` line
/// naming the columns, `##` comment lines, then comma-separated rows. The file name is the last
/// column and may itself hold commas. No categories: the import needs `--category`.
public enum HashdeepFormat: HashSetFormat {
    public static let name = "hashdeep"
    public static let carriesCategories = false

    public static func recognises(head: [UInt8]) -> Bool {
        head.starts(with: Array("%%%% HASHDEEP-".utf8))
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        var columns: [String]?
        try input.forEachLine { number, line in
            let text = String(decoding: line, as: UTF8.self)
            if number == 1 {
                guard text.hasPrefix("%%%% HASHDEEP-") else {
                    throw HashDatabaseError("\(input.path) line 1: not a hashdeep file (expected `%%%% HASHDEEP-1.0`); try another --format")
                }
                return
            }
            if text.hasPrefix("%%%% ") {
                let names = text.dropFirst(5).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard !names.isEmpty else {
                    throw HashDatabaseError("\(input.path) line \(number): the `%%%%` column line names no columns (expected e.g. `%%%% size,md5,sha256,filename`)")
                }
                columns = names
                return
            }
            if text.hasPrefix("#") || text.trimmingCharacters(in: .whitespaces).isEmpty { return }
            guard let columns else {
                throw HashDatabaseError("\(input.path) line \(number): a data row comes before the `%%%% size,md5,…` column line")
            }
            let fields = text.split(separator: ",", maxSplits: columns.count - 1, omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                problem(ImportProblem(location: "line \(number)", message: "expected \(columns.count) fields (\(SafeText.display(columns.joined(separator: ",")))), found \(fields.count)"))
                return
            }
            var entry = HashSetRecord(place: .line(number))
            for (column, field) in zip(columns, fields) where HashType(rawValue: column) != nil {
                guard HashType(rawValue: column)!.length * 2 == field.count, entry.setDigest(hex: field) else {
                    problem(ImportProblem(location: "line \(number)", message: "\(column) is not a valid digest: \(SafeText.display(Array(field.utf8.prefix(80))))"))
                    return
                }
            }
            guard entry.hasDigest else {
                problem(ImportProblem(location: "line \(number)", message: "no md5, sha1 or sha256 column"))
                return
            }
            try record(entry)
        }
    }
}
