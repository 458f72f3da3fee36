import Foundation
import CYAJL
import TriageCore

/// Project VIC / VICS JSON: v1.x (`odata.metadata`) and v2.0 (`@odata.context`), whose `value`
/// holds Media records or Cases with a `Media` array. Fields used: MD5, SHA1, SHA256 (upper- or
/// lower-case hex), Category (a number, or a string holding one), and a PDQ hash given as
/// `AlternativeHashes: [{"HashName": "PDQ", "HashValue": "<64 hex>"}]` (an optional `Quality`
/// beside it is kept).
///
/// Parsed with YAJL, an event-driven (SAX) JSON parser, so a multi-gigabyte export is read in
/// constant memory: only the scalar fields of the objects currently open are kept. Any object
/// with a digest field is a media record, wherever it sits, which covers both layouts.
public enum VICSFormat: HashSetFormat {
    public static let name = "vics"
    public static let carriesCategories = true

    public static func recognises(head: [UInt8]) -> Bool {
        guard let first = head.first(where: { !" \t\r\n\u{feff}".utf8.contains($0) && $0 != 0xef && $0 != 0xbb && $0 != 0xbf }),
              first == UInt8(ascii: "{") else { return false }
        let text = String(decoding: head, as: UTF8.self)
        return text.contains("odata.metadata") || text.contains("@odata.context") || text.contains("\"Media\"")
            || text.contains("\"value\"")
    }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        let collector = VICSCollector()
        // Keys and values arrive as bytes and stay bytes: only the fields a record uses are
        // kept, and no String is made for the others (a national set has tens of millions).
        var callbacks = yajl_callbacks(
            yajl_null: { ctx in VICSCollector.from(ctx).scalar(UnsafeRawBufferPointer(start: nil, count: 0)) },
            yajl_boolean: { ctx, value in
                let text: StaticString = value != 0 ? "true" : "false"
                return VICSCollector.from(ctx).scalar(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
            },
            yajl_integer: nil,
            yajl_double: nil,
            yajl_number: { ctx, text, length in VICSCollector.from(ctx).scalar(UnsafeRawBufferPointer(start: text, count: length)) },
            yajl_string: { ctx, text, length in VICSCollector.from(ctx).scalar(UnsafeRawBufferPointer(start: text, count: length)) },
            yajl_start_map: { ctx in VICSCollector.from(ctx).open(isMap: true) },
            yajl_map_key: { ctx, text, length in VICSCollector.from(ctx).key(UnsafeRawBufferPointer(start: text, count: length)) },
            yajl_end_map: { ctx in VICSCollector.from(ctx).close() },
            yajl_start_array: { ctx in VICSCollector.from(ctx).open(isMap: false) },
            yajl_end_array: { ctx in VICSCollector.from(ctx).close() })
        let context = Unmanaged.passUnretained(collector).toOpaque()
        guard let handle = yajl_alloc(&callbacks, nil, context) else { throw HashDatabaseError("yajl_alloc failed") }
        defer { yajl_free(handle) }

        var linesBefore = 1  // line number at the start of the current chunk
        /// Where and why the JSON breaks.
        func breakage(_ chunk: ArraySlice<UInt8>?) -> (line: Int, offset: Int64, message: String) {
            let consumed = Int(yajl_get_bytes_consumed(handle))
            var line = linesBefore
            var offset = input.offset
            if let chunk {
                offset = input.offset - Int64(chunk.count) + Int64(consumed)
                line += chunk.prefix(consumed).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            let message = yajl_get_error(handle, 0, nil, 0).map { pointer -> String in
                defer { yajl_free_error(handle, pointer) }
                return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
            } ?? "invalid JSON"
            return (line, offset, message)
        }
        /// A VICS file that breaks after some records (cut short, damaged): the records before
        /// the break are kept and the break is reported with its position; one that breaks before
        /// any record is not VICS at all, and nothing is kept.
        func broken(_ chunk: ArraySlice<UInt8>?) throws {
            let (line, offset, message) = breakage(chunk)
            if collector.sawVICSKeys, collector.records > 0 {
                problem(ImportProblem(location: "line \(line) (byte \(offset))",
                                      message: "the JSON breaks here (\(message)): the file is cut short or damaged; the \(collector.records) record(s) before it are imported, nothing after it"))
                return
            }
            throw HashDatabaseError("\(input.path) is not valid VICS JSON: \(message) at line \(line) (byte \(offset)); nothing from this file was imported. Check that the file is complete (re-export or re-download it) and in VICS format")
        }

        var atStart = true
        while var chunk = try input.next() {
            // A UTF-8 byte-order mark (Windows tools write one) is not JSON: YAJL would refuse it.
            if atStart, chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk = chunk.dropFirst(3) }
            atStart = false
            let status = chunk.withUnsafeBufferPointer { yajl_parse(handle, $0.baseAddress, $0.count) }
            try collector.drain(record: record, problem: problem)
            guard status == yajl_status_ok else { return try broken(chunk) }
            linesBefore += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        guard yajl_complete_parse(handle) == yajl_status_ok else { return try broken(nil) }
        try collector.drain(record: record, problem: problem)
        guard collector.sawVICSKeys else {
            throw HashDatabaseError("\(input.path) is JSON but not VICS: no `@odata.context`/`odata.metadata` and no media records with MD5, SHA1 or SHA256; check --format")
        }
    }
}

/// The parser's state: a stack of the objects and arrays currently open, each object with its
/// scalar fields so far. Finished media records wait in `pending` until the parser returns.
///
/// This runs once per JSON event of a file that may hold tens of millions of records, so it
/// allocates nothing per event: the stack's frames and their value buffers are kept and reused
/// as objects open and close, and only a finished record's digests are new arrays.
private final class VICSCollector {
    /// The fields a record uses; every other key is skipped without being copied.
    enum Field: Int, CaseIterable {
        case md5, sha1, sha256, category, mediaID, hashName, hashValue, quality, pdq, pdqQuality

        /// The key names a file spells (in any case), packed lower-case into an integer each:
        /// none is longer than 9 bytes, so matching a key is one comparison per field.
        static let keys: [(key: UInt128, field: Field)] = [
            ("md5", .md5), ("sha1", .sha1), ("sha256", .sha256), ("category", .category), ("mediaid", .mediaID),
            ("hashname", .hashName), ("hashvalue", .hashValue), ("quality", .quality),
        ].map { name, field in (Array(name.utf8).withUnsafeBytes { pack($0)! }, field) }

        /// Up to 15 bytes, lower-cased, in one integer (the length in the top byte); nil if longer.
        static func pack(_ bytes: UnsafeRawBufferPointer) -> UInt128? {
            guard bytes.count < 16 else { return nil }
            var packed = UInt128(bytes.count) << 120
            for (index, byte) in bytes.enumerated() {
                let lower = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
                packed |= UInt128(lower) << (8 * index)
            }
            return packed
        }

        init?(key: UnsafeRawBufferPointer) {
            guard key.count <= 9, let packed = Self.pack(key), let found = Self.keys.first(where: { $0.key == packed }) else { return nil }
            self = found.field
        }

        var bit: UInt16 { 1 << rawValue }
    }

    struct Frame {
        var isMap = true
        var key: Field?
        /// Which fields have a value (JSON null is an empty value).
        var present: UInt16 = 0
        /// Values by `Field.rawValue`, valid where `present` says so; emptied, never freed.
        var values = [[UInt8]](repeating: [], count: Field.allCases.count)

        func value(_ field: Field) -> [UInt8]? { present & field.bit != 0 ? values[field.rawValue] : nil }

        mutating func set(_ field: Field, _ bytes: UnsafeRawBufferPointer) {
            values[field.rawValue].removeAll(keepingCapacity: true)
            values[field.rawValue].append(contentsOf: bytes)
            present |= field.bit
        }
    }

    /// Frames `0..<depth` are the open objects and arrays; those above are kept for reuse.
    var frames: [Frame] = []
    var depth = 0
    var pending: [HashSetRecord] = []
    var problems: [ImportProblem] = []
    var records = 0
    var sawVICSKeys = false

    static func from(_ context: UnsafeMutableRawPointer?) -> VICSCollector {
        Unmanaged<VICSCollector>.fromOpaque(context!).takeUnretainedValue()
    }

    func key(_ name: UnsafeRawBufferPointer) -> Int32 {
        if depth == 1, !sawVICSKeys {
            let text = String(decoding: name, as: UTF8.self)
            if text == "@odata.context" || text == "odata.metadata" { sawVICSKeys = true }
        }
        frames[depth - 1].key = Field(key: name)
        return 1
    }

    func scalar(_ value: UnsafeRawBufferPointer) -> Int32 {
        guard depth > 0, frames[depth - 1].isMap, let key = frames[depth - 1].key else { return 1 }
        // null is kept as empty: a record whose digests are all null is rejected, not silently skipped.
        frames[depth - 1].set(key, value)
        frames[depth - 1].key = nil
        return 1
    }

    func open(isMap: Bool) -> Int32 {
        if depth > 0 { frames[depth - 1].key = nil }
        if depth == frames.count { frames.append(Frame()) }
        frames[depth].isMap = isMap
        frames[depth].key = nil
        frames[depth].present = 0
        depth += 1
        return 1
    }

    func close() -> Int32 {
        depth -= 1
        guard frames[depth].isMap else { return 1 }
        // `AlternativeHashes: [{"HashName": "PDQ", "HashValue": "…"}]` belongs to the media
        // record that holds the array; it is never a record of its own.
        if let name = frames[depth].value(.hashName) {
            if Self.trimmed(name[...]).elementsEqual("pdq".utf8, by: { $0 | 0x20 == $1 }),
               let owner = frames[..<depth].lastIndex(where: \.isMap) {
                let hash = frames[depth].value(.hashValue) ?? []
                hash.withUnsafeBytes { frames[owner].set(.pdq, $0) }
                if let quality = frames[depth].value(.quality) {
                    quality.withUnsafeBytes { frames[owner].set(.pdqQuality, $0) }
                }
            }
            return 1
        }
        finish(frames[depth])
        return 1
    }

    /// Spaces and tabs trimmed from both ends.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// Turns an object with digest fields into a record, or a problem.
    private func finish(_ frame: Frame) {
        let digestFields: [(Field, HashType)] = [(.md5, .md5), (.sha1, .sha1), (.sha256, .sha256)]
        let digestBits = Field.md5.bit | Field.sha1.bit | Field.sha256.bit | Field.pdq.bit
        guard frame.present & digestBits != 0 else { return }
        records += 1
        sawVICSKeys = true
        var mediaID: String?
        if let id = frame.value(.mediaID) {
            // A short number stays a small String (no allocation); anything else is made safe to print.
            let plain = id.count <= 15 && id.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            mediaID = plain ? String(decoding: id, as: UTF8.self) : SafeText.display(Array(id.prefix(40)))
        }
        var entry = HashSetRecord(place: .record(records, mediaID: mediaID))
        for (field, type) in digestFields {
            guard let value = frame.value(field) else { continue }
            let hex = Self.trimmed(value[...])
            if hex.isEmpty { continue }
            guard hex.count == type.length * 2, entry.setDigest(hexBytes: hex) else {
                problems.append(ImportProblem(location: entry.location, message: "\(type.rawValue.uppercased()) is not a valid \(type.rawValue) digest: \(SafeText.display(Array(hex.prefix(80))))"))
                return
            }
        }
        if let value = frame.value(.pdq), case let hex = Self.trimmed(value[...]), !hex.isEmpty {
            guard let pdq = PDQHash(hex: String(decoding: hex, as: UTF8.self)) else {
                problems.append(ImportProblem(location: entry.location, message: "PDQ is not 64 hex digits: \(SafeText.display(Array(hex.prefix(80))))"))
                return
            }
            entry.pdq = pdq
            if let value = frame.value(.pdqQuality), case let text = Self.trimmed(value[...]), !text.isEmpty {
                guard let quality = Int(String(decoding: text, as: UTF8.self)), (0...100).contains(quality) else {
                    problems.append(ImportProblem(location: entry.location, message: "PDQ quality is not a number from 0 to 100: \(SafeText.display(Array(text.prefix(20))))"))
                    return
                }
                entry.pdqQuality = quality
            }
        }
        guard entry.hasDigest else {
            problems.append(ImportProblem(location: entry.location, message: "every digest field (MD5, SHA1, SHA256, PDQ) is empty"))
            return
        }
        entry.categoryCode = frame.value(.category).map { String(decoding: Self.trimmed($0[...]), as: UTF8.self) }
        pending.append(entry)
    }

    func drain(record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        for item in problems { problem(item) }
        problems.removeAll(keepingCapacity: true)
        for item in pending { try record(item) }
        pending.removeAll(keepingCapacity: true)
    }
}
