/// File-system times of an item, in nanoseconds since 1970 (UTC). Nil where the source has none.
public struct FileTimes: Hashable, Sendable, Codable {
    public var modified: Int64?
    public var accessed: Int64?
    public var changed: Int64?

    public init(modified: Int64? = nil, accessed: Int64? = nil, changed: Int64? = nil) {
        self.modified = modified
        self.accessed = accessed
        self.changed = changed
    }
}

/// Everything the pipeline learned about one walked entry; the value that `Record` writes.
///
/// Stages fill it in turn (walk → identify → hash); none of them touches the case store.
public struct ItemResult: Sendable, Hashable {
    public var path: ForensicPath
    public var size: Int64
    public var times: FileTimes
    public var disposition: Disposition
    /// Why the item ended as it did, for anything but `processed` (the OS or library message).
    /// Built only from display forms (`SafeText.display`) of names, so it is safe to print.
    public var reason: String?
    public var mime: String?
    public var kind: MediaKind
    /// The name's extension disagrees with the content (a JPEG named `.dll`, text named `.jpg`).
    public var extensionMismatch: Bool
    public var digests: Digests?
    /// For a symbolic link: where it points, as stored in the link.
    public var linkTarget: [UInt8]?
    /// For a decoded still image: the decoder and the size of the pixels it produced.
    public var image: DecodedFacts?
    /// The PDQ perceptual hash and quality of a decoded still image.
    public var pdq: PDQSignature?
    /// The hashes of the 8 rotations and mirrors (`Dihedral.allCases` order), with `--dihedral`.
    public var dihedral: [PDQHash]?
    /// For an image embedded in another (an EXIF thumbnail): bits between its PDQ and its
    /// parent's. Far apart, the photo was probably edited after the thumbnail was made.
    public var parentDistance: Int?
    /// For a video: the stream and how it was sampled (`image` holds the decoder and frame size).
    public var video: VideoFacts?
    /// For a video: the sampled frames' PDQ hashes, in time order.
    public var frames: [VideoFrameHash]?

    public init(path: ForensicPath, size: Int64 = 0, times: FileTimes = FileTimes(), disposition: Disposition,
                reason: String? = nil, mime: String? = nil, kind: MediaKind = .other, extensionMismatch: Bool = false,
                digests: Digests? = nil, linkTarget: [UInt8]? = nil) {
        self.path = path
        self.size = size
        self.times = times
        self.disposition = disposition
        self.reason = reason
        self.mime = mime
        self.kind = kind
        self.extensionMismatch = extensionMismatch
        self.digests = digests
        self.linkTarget = linkTarget
    }
}

/// What decoding an image produced, for `inspect`, reports and the case store.
public struct DecodedFacts: Hashable, Sendable, Codable {
    /// The library that decoded it ("libjpeg-turbo", "libpng", …).
    public var decoder: String
    /// Size of the pixels hashed (smaller than the file's own for a JPEG decoded at a reduced scale).
    public var width: Int
    public var height: Int
    /// 1 for scaled JPEG decodes in fast mode: 2, 4 or 8 means 1/2, 1/4 or 1/8 scale.
    public var scaleDenominator: Int

    public init(decoder: String, width: Int, height: Int, scaleDenominator: Int = 1) {
        self.decoder = decoder
        self.width = width
        self.height = height
        self.scaleDenominator = scaleDenominator
    }
}

/// Why an item has its category.
public enum Basis: String, Codable, Sendable, CaseIterable {
    /// An exact digest (SHA-256, SHA-1 or MD5) is in the known-hash database.
    case exact
    /// A perceptual hash is near one in the database.
    case perceptual
    /// An examiner decided.
    case examiner
    /// An exact digest is in a known-good set (NSRL): not indecent, never queued.
    case knownGood = "known-good"
}

/// Which hash of an item found a database entry.
public enum MatchHash: String, Codable, Sendable, CaseIterable {
    case sha256, sha1, md5
    /// The PDQ perceptual hash, within the distance threshold.
    case pdq

    public init(_ type: HashType) {
        switch type {
        case .sha256: self = .sha256
        case .sha1: self = .sha1
        case .md5: self = .md5
        }
    }
}

/// How near a perceptual match was.
public struct PerceptualDistance: Hashable, Sendable, Codable {
    /// Hamming distance (0–256) between the item's PDQ (or its `variant`) and the entry's.
    public var distance: Int
    /// The database entry's PDQ hash.
    public var knownHash: PDQHash
    /// Which rotation or mirror of the item matched (`original` unless `--dihedral` found it).
    public var variant: Dihedral

    public init(distance: Int, knownHash: PDQHash, variant: Dihedral = .original) {
        self.distance = distance
        self.knownHash = knownHash
        self.variant = variant
    }
}

/// One known-hash database entry that matched an item.
public struct KnownMatch: Hashable, Sendable {
    public var category: Category
    public var basis: Basis
    /// Which hash matched (`sha256`, `sha1`, `md5`, or `pdq` for a perceptual match).
    public var hashType: MatchHash
    public var source: String
    /// For a perceptual match: the distance, the entry's hash and the variant.
    public var perceptual: PerceptualDistance?
    /// For a video's perceptual match: the times (microseconds) of the frames that matched the
    /// entry; `perceptual` is the nearest of them.
    public var frames: [Int64]?
    /// For a match with a known video (a vPDQ hash set) rather than a still image.
    public var knownVideo: KnownVideoMatch?

    public init(category: Category, basis: Basis, hashType: MatchHash, source: String, perceptual: PerceptualDistance? = nil,
                frames: [Int64]? = nil, knownVideo: KnownVideoMatch? = nil) {
        self.knownVideo = knownVideo
        self.category = category
        self.basis = basis
        self.hashType = hashType
        self.source = source
        self.perceptual = perceptual
        self.frames = frames
    }
}

/// How a video matched a known video: both directions, as ThreatExchange's vPDQ reports them.
public struct KnownVideoMatch: Hashable, Sendable, Codable {
    /// The known video's name in its hash set (the vPDQ file, or its `# video` line).
    public var name: String
    /// Share (0–1) of the known video's frames of usable quality that a frame of this video is near.
    public var knownShare: Double
    /// Share (0–1) of this video's frames of usable quality that are near a frame of the known video.
    public var queryShare: Double

    public init(name: String, knownShare: Double, queryShare: Double) {
        self.name = name
        self.knownShare = knownShare
        self.queryShare = queryShare
    }

    enum CodingKeys: String, CodingKey {
        case name
        case knownShare = "known_share", queryShare = "query_share"
    }

    /// "clip-017: 96 % of its frames found here, 88 % of this video's frames in it".
    public var description: String {
        "\(SafeText.display(name)): \(Self.percent(knownShare)) of its frames found here, \(Self.percent(queryShare)) of this video's frames in it"
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded(.down))) %" }
}
