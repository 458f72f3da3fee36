/// A 256-bit PDQ perceptual hash, kept as four 64-bit words of its 64-digit hex spelling
/// (`words[0]` = the first 16 digits). In the reference's bit numbering, hash bit k is bit k of
/// that hex read as one big-endian number, so `words[3 - k / 64]` holds it at `k % 64`.
public struct PDQHash: Hashable, Sendable {
    public var words: (UInt64, UInt64, UInt64, UInt64)

    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The hash with the given bits (0...255) set.
    public init(settingBits bits: some Sequence<Int>) {
        var w: [UInt64] = [0, 0, 0, 0]
        for bit in bits { w[3 - bit / 64] |= 1 << UInt64(bit % 64) }
        words = (w[0], w[1], w[2], w[3])
    }

    /// Parses the reference's 64 hex digits (either case); nil for anything else.
    public init?<S: StringProtocol>(hex: S) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes: bytes)
    }

    /// From the 32 bytes of the hex spelling (big-endian).
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a PDQ hash has 32 bytes")
        func word(_ i: Int) -> UInt64 { bytes[i * 8..<i * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        words = (word(0), word(1), word(2), word(3))
    }

    public static let zero = PDQHash(words: (0, 0, 0, 0))

    public var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { word in (0..<8).reversed().map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) } }
    }

    public var hex: String { Hex.encode(bytes) }

    /// Number of differing bits (0...256): the match distance.
    public func distance(to other: PDQHash) -> Int {
        (words.0 ^ other.words.0).nonzeroBitCount + (words.1 ^ other.words.1).nonzeroBitCount
            + (words.2 ^ other.words.2).nonzeroBitCount + (words.3 ^ other.words.3).nonzeroBitCount
    }

    public static func == (a: PDQHash, b: PDQHash) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// The eight rotations and mirrors PDQ can hash without re-reading the image, in the
/// reference's order.
public enum Dihedral: String, Sendable, CaseIterable, Codable {
    case original
    case rotate90 = "rot90"
    case rotate180 = "rot180"
    case rotate270 = "rot270"
    case flipX = "flipx"
    case flipY = "flipy"
    case flipPlus1 = "flipplus1"
    case flipMinus1 = "flipminus1"
}

/// A PDQ hash with its quality (0–100; the reference says not to trust matches below 50).
public struct PDQSignature: Hashable, Sendable {
    public var hash: PDQHash
    public var quality: Int

    public init(hash: PDQHash, quality: Int) {
        self.hash = hash
        self.quality = quality
    }
}

extension PDQHash: Codable {
    /// Encoded as its 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = PDQHash(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not 64 hex digits"))
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
