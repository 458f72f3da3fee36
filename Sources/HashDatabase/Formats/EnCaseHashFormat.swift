import TriageCore

/// EnCase legacy hash sets (`.hash`): a binary file beginning with the signature
/// `HASH\r\n\xff\x00`, a header up to byte 1152, then one 18-byte record per file: the MD5
/// (16 bytes) and two bytes EnCase uses for flags. No categories: the import needs
/// `--category` (or `--known-good`).
public enum EnCaseHashFormat: HashSetFormat {
    public static let name = "encase"
    public static let carriesCategories = false

    static let signature: [UInt8] = [0x48, 0x41, 0x53, 0x48, 0x0D, 0x0A, 0xFF, 0x00]
    static let firstRecord = 1152
    static let recordLength = 18

    public static func recognises(head: [UInt8]) -> Bool { head.starts(with: signature) }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        var offset = 0
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 20)
        var checkedSignature = false
        while let chunk = try input.next() {
            pending += chunk
            if !checkedSignature, pending.count >= signature.count {
                guard pending.starts(with: signature) else {
                    throw HashDatabaseError("\(input.path) is not an EnCase hash set: it does not begin with the signature HASH\\r\\n\\xff\\x00 (it begins \(SafeText.display(pending.prefix(8))))")
                }
                checkedSignature = true
            }
            // Skip the header, then hand out whole records.
            if offset < firstRecord {
                let skip = min(firstRecord - offset, pending.count)
                pending.removeFirst(skip)
                offset += skip
            }
            let whole = pending.count / recordLength * recordLength
            var start = 0
            while start < whole {
                var entry = HashSetRecord(location: "record \((offset + start - firstRecord) / recordLength + 1) (byte \(offset + start))")
                let md5 = Array(pending[start..<(start + 16)])
                if md5.allSatisfy({ $0 == 0 }) {
                    problem(ImportProblem(location: entry.location, message: "an empty record (the MD5 is all zeros)"))
                } else {
                    entry.md5 = md5
                    try record(entry)
                }
                start += recordLength
            }
            pending.removeFirst(whole)
            offset += whole
        }
        guard checkedSignature else {
            throw HashDatabaseError("\(input.path) is not an EnCase hash set: it is shorter than its signature")
        }
        if offset < firstRecord {
            throw HashDatabaseError("\(input.path) ends at byte \(offset), inside the EnCase header (records start at byte \(firstRecord))")
        }
        if !pending.isEmpty {
            problem(ImportProblem(location: "byte \(offset)", message: "the file ends inside a record (\(pending.count) of \(recordLength) bytes): the set is truncated"))
        }
    }
}
