import TriageCore

/// One known-hash entry: any subset of the exact digests, a category, and where it came from.
public struct KnownEntry: Hashable, Sendable {
    public var md5: [UInt8]?
    public var sha1: [UInt8]?
    public var sha256: [UInt8]?
    /// The PDQ perceptual hash, and its quality when the hash set gave one.
    public var pdq: PDQHash?
    public var pdqQuality: Int?
    public var category: Category
    public var source: String
    /// From a known-good set (NSRL): category N, matched with basis `known-good`, never queued.
    public var knownGood: Bool

    public init(md5: [UInt8]? = nil, sha1: [UInt8]? = nil, sha256: [UInt8]? = nil, pdq: PDQHash? = nil, pdqQuality: Int? = nil,
                category: Category, source: String, knownGood: Bool = false) {
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
        self.pdq = pdq
        self.pdqQuality = pdqQuality
        self.category = category
        self.source = source
        self.knownGood = knownGood
    }

    public func digest(_ type: HashType) -> [UInt8]? {
        switch type {
        case .md5: md5
        case .sha1: sha1
        case .sha256: sha256
        }
    }
}

/// The outcome of a lookup that did not fail. A failure throws: it is never read as "not found".
public enum LookupResult: Sendable, Equatable {
    /// Every entry that matched, by any digest type, strongest type first (SHA-256, SHA-1, MD5).
    /// All types are looked up, so that two sets that disagree through different digests
    /// (SHA-1 says B, MD5 says A) show up as a conflict instead of hiding one another.
    case found([KnownMatch])
    case notFound
}

/// What the pipeline needs for perceptual matching: every PDQ hash in the database whose
/// quality is unknown or at least `qualityFloor`, loaded into an in-memory index at scan start.
public protocol PerceptualLookup: Sendable {
    func perceptualIndex(qualityFloor: Int) throws -> PDQIndex
    /// Every known video's frames of quality at or above `qualityFloor`, for matching videos.
    func knownVideoIndex(qualityFloor: Int) throws -> KnownVideoIndex
}

/// What the pipeline needs of a known-hash database: lookups. SQLite implements it today; a
/// PostgreSQL store can implement the same protocol later without touching the pipeline.
public protocol KnownHashLookup: Sendable {
    /// Looks up by SHA-256, then SHA-1, then MD5, and returns every match.
    func lookup(_ digests: Digests) throws -> LookupResult
}

/// The writable side: batch inserts within one import, and what `hashdb info` shows.
public protocol KnownHashStore: KnownHashLookup {
    /// Runs one import as a single transaction: `body` adds entries through the sink (which says
    /// whether the entry was new); nothing is kept if it throws. Errors are `HashDatabaseError`.
    func importing(_ description: ImportDescription,
                   _ body: (_ add: (KnownEntry) throws -> Bool) throws -> ImportCounts) throws -> ImportRecord
    func info() throws -> HashDatabaseInfo
    /// SHA-256 over every entry in a fixed order: two databases with the same content have the
    /// same fingerprint, whatever order they were filled in.
    func fingerprint() throws -> String
    /// Every entry, in the fingerprint's order.
    func forEachEntry(_ visit: (KnownEntry) throws -> Void) throws
    /// Each distinct digest of one type with its category (one listing per pair), in digest
    /// order, optionally of one category only.
    func forEachDigest(_ type: HashType, category: Category?, _ visit: (DigestListing) throws -> Void) throws
    /// How many entries (of a category, or all) lack a digest of this type.
    func count(missing type: HashType, category: Category?) throws -> Int
    /// Each distinct PDQ hash with its category (one listing per pair), in hash order.
    func forEachPDQ(category: Category?, _ visit: (PDQListing) throws -> Void) throws
    /// How many entries (of a category, or all) have no PDQ hash.
    func countMissingPDQ(category: Category?) throws -> Int
    /// The category-code table of a profile (VICS codes to categories).
    func categoryMap(profile: String) throws -> CategoryMap
    func setCategoryCode(_ code: String, to category: Category?, profile: String) throws
}

/// One distinct digest and category, with every source that lists it.
public struct DigestListing: Sendable, Equatable {
    public var digest: [UInt8]
    public var category: Category
    public var sources: [String]
}

/// One distinct PDQ hash and category, with the best quality any entry gives and every source.
public struct PDQListing: Sendable, Equatable {
    public var hash: PDQHash
    public var quality: Int?
    public var category: Category
    public var sources: [String]
}

/// What an import is: recorded in the import history.
public struct ImportDescription: Sendable {
    public var fileName: String
    public var format: String
    public var source: String
    public var fileSHA256: String?
    /// At most how many records the file can hold (its size over the smallest record): lets
    /// the store choose a bulk load for a national-scale set.
    public var expectedRecords: Int?

    public init(fileName: String, format: String, source: String, fileSHA256: String? = nil, expectedRecords: Int? = nil) {
        self.fileName = fileName
        self.format = format
        self.source = source
        self.fileSHA256 = fileSHA256
        self.expectedRecords = expectedRecords
    }
}

/// Counts kept while an import runs.
public struct ImportCounts: Sendable, Equatable {
    /// Records (lines, media objects) read from the file: `added + alreadyPresent + rejected`.
    public var read = 0
    /// New entries added.
    public var added = 0
    /// Entries the database already held (same digests, category and source).
    public var alreadyPresent = 0
    /// Records refused (malformed, or with a category code the profile does not map).
    public var rejected = 0
    /// SHA-256 of every byte read from the file, stored in the import history.
    public var fileSHA256: String?

    public init() {}
}

/// One row of the import history.
public struct ImportRecord: Sendable, Equatable {
    public var id: Int64
    public var time: String
    public var fileName: String
    public var format: String
    public var source: String
    public var counts: ImportCounts
    /// Digests this import gave a category that another entry contradicts.
    public var conflicts: [CategoryConflict]
}

/// A digest the database holds with more than one category. Both are kept; the scan leaves
/// such items for the examiner.
public struct CategoryConflict: Sendable, Equatable, Hashable {
    public var hashType: MatchHash
    public var digest: String
    public var categories: [Category]
    public var sources: [String]
}

/// What `hashdb info` shows.
public struct HashDatabaseInfo: Sendable {
    public var path: String
    public var entries: Int
    public var perCategory: [Category: Int]
    public var perHashType: [HashType: Int]
    /// Entries with a PDQ perceptual hash.
    public var pdqEntries: Int
    /// Entries from known-good sets (NSRL).
    public var knownGoodEntries: Int = 0
    public var sources: [String: Int]
    public var imports: [ImportRecord]
    public var conflicts: Int
    public var fingerprint: String
    public var categoryMaps: [CategoryMap]
    /// Videos from vPDQ hash sets.
    public var knownVideos: Int = 0
}
