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
        // One line's fields, reused for every line (NSRL's file has tens of millions).
        var fields = Fields()
        try input.forEachLine { number, line in
            var bytes = line
            if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }  // a UTF-8 BOM
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            guard let names = columns else {
                delimiter = bytes.first { [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09].contains($0) } ?? UInt8(ascii: ",")
                if let requiredDelimiter, delimiter != requiredDelimiter {
                    throw HashDatabaseError("\(input.path) line \(number): the header is not separated by \(SafeText.display([requiredDelimiter])): \(SafeText.display(Array(bytes.prefix(120))))")
                }
                let header = split(Array(bytes), by: delimiter).map { Column(String(decoding: $0, as: UTF8.self)) }
                guard header.contains(where: { [.digest, .md5, .sha1, .sha256].contains($0) }) else {
                    throw HashDatabaseError("\(input.path) line \(number): the header names no md5, sha1, sha256 or hash column: \(SafeText.display(Array(bytes.prefix(120))))")
                }
                columns = header
                return
            }
            fields.split(bytes, by: delimiter)
            guard fields.count >= names.count else {
                problem(ImportProblem(location: "line \(number)", message: "expected \(names.count) fields, found \(fields.count)"))
                return
            }
            var entry = HashSetRecord(place: .line(number))
            for (index, column) in names.enumerated() where column != .other {
                let value = fields.trimmed(index)
                switch column {
                case .digest, .md5, .sha1, .sha256:
                    guard !value.isEmpty else { continue }
                    let expected = column == .md5 ? 32 : column == .sha1 ? 40 : column == .sha256 ? 64 : value.count
                    guard value.count == expected, entry.setDigest(hexBytes: value) else {
                        problem(ImportProblem(location: "line \(number)", message: "not a valid digest: \(SafeText.display(Array(value.prefix(80))))"))
                        return
                    }
                case .category:
                    if !value.isEmpty { entry.categoryCode = String(decoding: value, as: UTF8.self) }
                case .pdq:
                    guard !value.isEmpty else { continue }
                    guard let pdq = PDQHash(hex: String(decoding: value, as: UTF8.self)) else {
                        problem(ImportProblem(location: "line \(number)", message: "not a PDQ hash (64 hex digits): \(SafeText.display(Array(value.prefix(80))))"))
                        return
                    }
                    entry.pdq = pdq
                case .quality:
                    entry.pdqQuality = Int(String(decoding: value, as: UTF8.self)).flatMap { (0...100).contains($0) ? $0 : nil }
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

    /// The fields of one line, unquoted, as ranges of one byte buffer that every line reuses.
    struct Fields {
        private var bytes: [UInt8] = []
        private var ends: [Int] = []

        var count: Int { ends.count }

        /// Splits at `delimiter` outside quotes; `""` inside quotes is a quote. A quote opens
        /// quoting only at a field's start; elsewhere it is an ordinary byte. Runs between
        /// quotes and delimiters are copied whole.
        mutating func split(_ line: ArraySlice<UInt8>, by delimiter: UInt8) {
            let quote = UInt8(ascii: "\"")
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            var index = line.startIndex
            while true {
                if index < line.endIndex, line[index] == quote {
                    index += 1
                    while index < line.endIndex {
                        let close = line[index...].firstIndex(of: quote) ?? line.endIndex
                        bytes.append(contentsOf: line[index..<close])
                        index = close
                        guard close < line.endIndex else { break }
                        if close + 1 < line.endIndex, line[close + 1] == quote {
                            bytes.append(quote)
                            index = close + 2
                        } else {
                            index = close + 1
                            break
                        }
                    }
                }
                let next = line[index...].firstIndex(of: delimiter) ?? line.endIndex
                bytes.append(contentsOf: line[index..<next])
                ends.append(bytes.count)
                guard next < line.endIndex else { break }
                index = next + 1
            }
        }

        /// Field `index` without the white space around it (as `String.trimmingCharacters(in:
        /// .whitespaces)` trims: spaces and tabs on bytes, the rest of Unicode's through String).
        func trimmed(_ index: Int) -> ArraySlice<UInt8> {
            var field = bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
            while let first = field.first, first == 0x20 || first == 0x09 { field = field.dropFirst() }
            while let last = field.last, last == 0x20 || last == 0x09 { field = field.dropLast() }
            if let first = field.first, let last = field.last, first >= 0x80 || last >= 0x80 {
                return ArraySlice(String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces).utf8)
            }
            return field
        }
    }

    /// Fields of one line: split at `delimiter` outside quotes; `""` inside quotes is a quote.
    static func split(_ line: [UInt8], by delimiter: UInt8) -> [[UInt8]] {
        var fields = Fields()
        fields.split(line[...], by: delimiter)
        return (0..<fields.count).map { Array(fields.untrimmed($0)) }
    }
}

extension CSVHashSetFormat.Fields {
    /// Field `index` as it stands.
    func untrimmed(_ index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }
}
