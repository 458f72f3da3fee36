import Foundation
import TriageCore

/// A delimited text file whose first line names its columns: the exports many tools and units
/// keep (HashKeeper's `.hsh`, INTERPOL ICSE lists, spreadsheets). The delimiter is the first of
/// `,`, `;` or tab found in the header; fields may be quoted (RFC 4180). Columns are found by
/// name, case-insensitively: `md5`, `sha1`/`sha-1`, `sha256`/`sha-256`, `hash` (its length says
/// which digest), `category`/`cat`, `pdq`, `pdq_quality`/`quality`. Rows without a category
/// column or value take `--category`.
public enum CSVHashSetFormat: HashSetFormat {
    public static let name = "csv"
    /// A category column is optional; rows without one need `--category`.
    public static let carriesCategories = true

    /// Never detected: a header line is too easily mistaken; `--format csv` asks for it.
    public static func recognises(head: [UInt8]) -> Bool { false }

    enum Column: Equatable {
        case digest, md5, sha1, sha256, category, pdq, quality, other
        init(_ name: String) {
            switch name.lowercased().trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "") {
            case "md5", "md5hash": self = .md5
            case "sha1", "sha-1", "sha1hash": self = .sha1
            case "sha256", "sha-256", "sha256hash": self = .sha256
            case "hash", "hashvalue": self = .digest
            case "category", "cat", "categoryid": self = .category
            case "pdq", "pdqhash": self = .pdq
            case "pdq_quality", "pdqquality", "quality": self = .quality
            default: self = .other
            }
        }
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        try readDelimited(input, record: record, problem: problem)
    }

    /// Reads a delimited file with a header line, as described above. The named formats built
    /// on it (NSRL's `NSRLFile.txt`, HashKeeper, ICSE) differ only in how they are recognised
    /// and what their records mean.
    ///
    /// - Parameter requiredDelimiter: the delimiter the format prescribes; a header without it
    ///   is refused.
    static func readDelimited(_ input: ChunkReader, requiredDelimiter: UInt8? = nil, record: (HashSetRecord) throws -> Void,
                              problem: (ImportProblem) -> Void) throws {
        var columns: [Column]?
        var delimiter = UInt8(ascii: ",")
        try input.forEachLine { number, line in
            var bytes = Array(line)
            if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a UTF-8 BOM
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            guard let names = columns else {
                delimiter = bytes.first { [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09].contains($0) } ?? UInt8(ascii: ",")
                if let requiredDelimiter, delimiter != requiredDelimiter {
                    throw HashDatabaseError("\(input.path) line \(number): the header is not separated by \(SafeText.display([requiredDelimiter])): \(SafeText.display(Array(bytes.prefix(120))))")
                }
                let header = split(bytes, by: delimiter).map { Column(String(decoding: $0, as: UTF8.self)) }
                guard header.contains(where: { [.digest, .md5, .sha1, .sha256].contains($0) }) else {
                    throw HashDatabaseError("\(input.path) line \(number): the header names no md5, sha1, sha256 or hash column: \(SafeText.display(Array(bytes.prefix(120))))")
                }
                columns = header
                return
            }
            let fields = split(bytes, by: delimiter)
            guard fields.count >= names.count else {
                problem(ImportProblem(location: "line \(number)", message: "expected \(names.count) fields, found \(fields.count)"))
                return
            }
            var entry = HashSetRecord(place: .line(number))
            for (column, field) in zip(names, fields) {
                let value = String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                switch column {
                case .digest, .md5, .sha1, .sha256:
                    guard !value.isEmpty else { continue }
                    let expected = [Column.md5: 32, .sha1: 40, .sha256: 64][column]
                    guard expected == nil || value.count == expected, entry.setDigest(hex: value) else {
                        problem(ImportProblem(location: "line \(number)", message: "not a valid digest: \(SafeText.display(Array(value.utf8.prefix(80))))"))
                        return
                    }
                case .category:
                    if !value.isEmpty { entry.categoryCode = value }
                case .pdq:
                    guard !value.isEmpty else { continue }
                    guard let pdq = PDQHash(hex: value) else {
                        problem(ImportProblem(location: "line \(number)", message: "not a PDQ hash (64 hex digits): \(SafeText.display(Array(value.utf8.prefix(80))))"))
                        return
                    }
                    entry.pdq = pdq
                case .quality:
                    entry.pdqQuality = Int(value).flatMap { (0...100).contains($0) ? $0 : nil }
                case .other:
                    continue
                }
            }
            guard entry.hasDigest else {
                problem(ImportProblem(location: "line \(number)", message: "no digest in the row"))
                return
            }
            try record(entry)
        }
    }

    /// Fields of one line: split at `delimiter` outside quotes; `""` inside quotes is a quote.
    static func split(_ line: [UInt8], by delimiter: UInt8) -> [[UInt8]] {
        var fields: [[UInt8]] = [[]]
        var quoted = false
        var index = 0
        while index < line.count {
            let byte = line[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < line.count, line[index + 1] == UInt8(ascii: "\"") {
                        fields[fields.count - 1].append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    fields[fields.count - 1].append(byte)
                }
            } else if byte == UInt8(ascii: "\""), fields[fields.count - 1].isEmpty {
                quoted = true
            } else if byte == delimiter {
                fields.append([])
            } else {
                fields[fields.count - 1].append(byte)
            }
            index += 1
        }
        return fields
    }
}
