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

/// Why an item has its category.
public enum Basis: String, Codable, Sendable, CaseIterable {
    /// An exact digest (SHA-256, SHA-1 or MD5) is in the known-hash database.
    case exact
    /// A perceptual hash is near one in the database.
    case perceptual
    /// An examiner decided.
    case examiner
}

/// One known-hash database entry that matched an item.
public struct KnownMatch: Hashable, Sendable, Codable {
    public var category: Category
    public var basis: Basis
    /// Which digest matched (`sha256`, `sha1`, `md5`).
    public var hashType: HashType
    public var source: String

    public init(category: Category, basis: Basis, hashType: HashType, source: String) {
        self.category = category
        self.basis = basis
        self.hashType = hashType
        self.source = source
    }
}
