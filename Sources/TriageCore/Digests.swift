/// The exact digests of one item's bytes.
public struct Digests: Hashable, Sendable {
    public var md5: [UInt8]
    public var sha1: [UInt8]
    public var sha256: [UInt8]

    public init(md5: [UInt8], sha1: [UInt8], sha256: [UInt8]) {
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
    }
}

/// The hash algorithms of a known-hash entry, in the order lookups try them (strongest first).
public enum HashType: String, Sendable, CaseIterable, Codable {
    case sha256
    case sha1
    case md5

    /// Bytes in one digest of this type.
    public var length: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The type whose hex spelling has this many characters.
    public init?(hexLength: Int) {
        guard let type = HashType.allCases.first(where: { $0.length * 2 == hexLength }) else { return nil }
        self = type
    }
}
