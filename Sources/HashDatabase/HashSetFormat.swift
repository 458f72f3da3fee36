import TriageCore

/// One record read from a hash set, before its category code is mapped.
public struct HashSetRecord: Sendable, Equatable {
    public var md5: [UInt8]?
    public var sha1: [UInt8]?
    public var sha256: [UInt8]?
    /// The category as the file writes it ("1", "A"); nil for formats that carry none.
    public var categoryCode: String?
    /// A PDQ perceptual hash, and its quality when the file gives one.
    public var pdq: PDQHash?
    public var pdqQuality: Int?
    /// Where the record is, for messages: "line 3", "record 5 (MediaID 9)".
    public var location: String { place.description }
    /// The same, spelled out only when a message needs it: a national set has tens of millions
    /// of records, and most are never named.
    var place: Place

    enum Place: Sendable, Equatable, CustomStringConvertible {
        case text(String)
        case line(Int)
        /// A VICS Media record by its number in the file, with its MediaID when that is short.
        case record(Int, mediaID: String?)
        /// A row of an NSRL RDSv3 release's FILE table, by its rowid.
        case fileRow(Int64)

        var description: String {
            switch self {
            case let .text(text): text
            case let .line(number): "line \(number)"
            case let .record(number, nil): "record \(number)"
            case let .record(number, mediaID?): "record \(number) (MediaID \(mediaID))"
            case let .fileRow(rowid): "FILE row \(rowid)"
            }
        }
    }

    public init(md5: [UInt8]? = nil, sha1: [UInt8]? = nil, sha256: [UInt8]? = nil, categoryCode: String? = nil, location: String) {
        self.init(md5: md5, sha1: sha1, sha256: sha256, categoryCode: categoryCode, place: .text(location))
    }

    init(md5: [UInt8]? = nil, sha1: [UInt8]? = nil, sha256: [UInt8]? = nil, categoryCode: String? = nil, place: Place) {
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
        self.categoryCode = categoryCode
        self.place = place
    }

    /// Sets the digest whose hex spelling this is; false if it is not 32, 40 or 64 hex digits.
    mutating func setDigest(hex: some StringProtocol) -> Bool {
        setDigest(hexBytes: Array(hex.utf8))
    }

    /// The same, from ASCII bytes.
    mutating func setDigest<Bytes: RandomAccessCollection>(hexBytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard let type = HashType(hexLength: hexBytes.count), let bytes = Hex.decode(bytes: hexBytes) else { return false }
        switch type {
        case .md5: md5 = bytes
        case .sha1: sha1 = bytes
        case .sha256: sha256 = bytes
        }
        return true
    }

    var hasDigest: Bool { md5 != nil || sha1 != nil || sha256 != nil || pdq != nil }
}

/// Something wrong with one record: reported with its location, and the import goes on.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// A hash-set file format: one file per format, listed in `HashSetFormats.all`.
public protocol HashSetFormat {
    /// The name used with `--format`.
    static var name: String { get }
    /// True when the record carries its own category (so `--category` is not required).
    static var carriesCategories: Bool { get }
    /// The format is a known-good set (NSRL): every record is imported as known-good.
    static var isKnownGood: Bool { get }
    /// Whether the first bytes of a file look like this format (for `--format auto`).
    static func recognises(head: [UInt8]) -> Bool
    /// Streams the records of `input` to `record`. A damaged record goes to `problem` and
    /// reading continues; a file that cannot be read as this format at all throws.
    static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws
}

extension HashSetFormat {
    public static var isKnownGood: Bool { false }
}

/// The formats `hashdb import` reads, in the order `--format auto` tries them.
public enum HashSetFormats {
    public static let all: [any HashSetFormat.Type] = [
        VICSFormat.self,
        HashdeepFormat.self,
        EnCaseHashFormat.self,
        NSRLRDSv3Format.self,
        NSRLFileFormat.self,
        HashKeeperFormat.self,
        DigestListFormat.self,
        PDQListFormat.self,
        CSVHashSetFormat.self,
        ICSEFormat.self,
    ]

    public static var names: [String] { all.map { $0.name } }

    public static func named(_ name: String) -> (any HashSetFormat.Type)? {
        all.first { $0.name == name }
    }

    /// The format whose signature matches the first bytes of the file.
    public static func detect(head: [UInt8]) -> (any HashSetFormat.Type)? {
        all.first { $0.recognises(head: head) }
    }
}
