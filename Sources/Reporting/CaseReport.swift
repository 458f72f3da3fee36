import TriageCore

/// Instances (files) and unique items (distinct SHA-256) of one count.
public struct CountPair: Codable, Sendable, Equatable {
    public var instances = 0
    public var unique = 0
    /// Groups of unique items whose PDQ hashes are within the match threshold of each other
    /// (linked in chains); nil when perceptual hashing was off. An item without a usable PDQ
    /// (a video, an undecodable or low-quality image) is a group of its own.
    public var visuallyUnique: Int?

    public init(instances: Int = 0, unique: Int = 0) {
        self.instances = instances
        self.unique = unique
    }
}

/// One category's still and moving counts.
public struct KindCounts: Codable, Sendable, Equatable {
    public var still = CountPair()
    public var moving = CountPair()

    public init() {}
}

/// Instances by the basis of their category.
public struct BasisCounts: Codable, Sendable, Equatable {
    public var exact = 0
    public var perceptual = 0
    public var examiner = 0
    /// In a known-good set (NSRL) only: counted as N, never reviewed.
    public var knownGood = 0

    public init() {}
}

/// How one category's instances follow from its unique items: each content's first instance
/// is a unique item, and every further instance is counted by where it lies, so that the
/// difference between the two numbers can be traced.
public struct ReconciliationRow: Codable, Sendable, Equatable {
    /// "A", "B", "C", "N" or "pending".
    public var category: String
    public var unique = 0
    /// Further instances that are plain files elsewhere on the evidence.
    public var otherFolders = 0
    /// Further instances inside archives or documents.
    public var insideContainers = 0
    /// Further instances that are thumbnails embedded in other images.
    public var embeddedThumbnails = 0
    /// Further instances in cache folders (browser and thumbnail caches).
    public var cacheFolders = 0
    /// unique + every further instance.
    public var instances = 0

    public init(category: String) {
        self.category = category
    }
}

/// The counts of one exhibit, or of the whole case (`exhibit` is then "TOTAL").
public struct ExhibitSummary: Codable, Sendable, Equatable {
    public var exhibit: String
    public var sources: [String]
    /// Walked entries that are files (everything but links, special files and loops).
    public var files: Int
    public var images: Int
    public var videos: Int
    /// Items that could not be examined.
    public var errors: Int
    /// Keys "A", "B", "C", "N".
    public var counts: [String: KindCounts]
    public var pending: CountPair
    /// `pending` split into still and moving images.
    public var pendingByKind: KindCounts?
    public var basis: BasisCounts
    /// Files whose name disagrees with their content.
    public var extensionMismatches: Int
    /// Media whose digest the database holds under more than one category (left pending).
    public var conflicts: Int
    /// Instances against unique items, per category (A, B, C, N, pending; still and moving together).
    public var reconciliation: [ReconciliationRow] = []
}

/// An item listed in a report because it was not fully examined, or not counted.
public struct ReportedItem: Codable, Sendable, Equatable {
    public var exhibit: String
    /// The evidence root the path starts from.
    public var source: String
    public var id: Int64
    /// Display form: escaped, reversible (see `SafeText`).
    public var path: String
    public var disposition: String
    public var reason: String?
}

/// An image counted in a category because its PDQ hash is near a known one.
public struct ReportedPerceptualMatch: Codable, Sendable, Equatable {
    public var exhibit: String
    /// The evidence root the path starts from.
    public var source: String
    /// Display form, like `ReportedItem.path`.
    public var path: String
    public var category: String
    /// Bits (of 256) between the item's PDQ (or its `variant`) and the entry's.
    public var distance: Int
    public var variant: String
    public var pdq: String
    public var pdqQuality: Int
    public var knownPDQ: String
    public var knownSource: String
    /// For a video: the times ("0:00:04.000") of every frame that matched an entry of its
    /// category; `pdq` is the nearest frame's hash. Nil for a still image.
    public var frameTimes: [String]?
    /// For a match with a known video (vPDQ): its name and the shares of frames found both ways.
    public var knownVideo: String?
}

/// A video decided (partly) by segments: its category is the most severe decision in force.
public struct ReportedVideoSegments: Codable, Sendable, Equatable {
    public var exhibit: String
    public var path: String
    public var category: String
    /// "0:00:02.000–0:00:05.000: A", or "whole video: C", each decision in force.
    public var decisions: [String]
}

/// A pending group in a report.
public struct ReportedPending: Codable, Sendable, Equatable {
    public var sha256: String
    public var kind: String
    public var instances: Int
    public var paths: [String]
}

/// The evidential summary of a case: what `triage report` renders in every format.
public struct CaseReport: Codable, Sendable {
    public struct Tool: Codable, Sendable {
        public var name: String
        public var version: String
        public var libmagic: String
    }

    public struct Case: Codable, Sendable {
        public var name: String
        public var examiner: String
        public var examiners: [String]
        public var profile: String
        public var created: String
        /// What the profile's categories are called: slot → "A" / "1 CAM (child abuse material)".
        public var categoryLabels: [String: String] = [:]

        /// The profile itself (the default UK one if this triage lacks it).
        public var categoryProfile: CategoryProfile { CategoryProfile.named(profile) ?? .uk }
    }

    public struct HashDB: Codable, Sendable {
        public var entries: Int
        public var sources: [String]
        public var fingerprint: String
        public var path: String
    }

    public var generated: String
    public var tool: Tool
    public var `case`: Case
    public var hashdb: HashDB
    public var exhibits: [ExhibitSummary]
    public var totals: ExhibitSummary
    /// Items that could not be examined, with their reasons.
    public var errors: [ReportedItem]
    /// Images hashed exactly whose decoding or perceptual matching was limited, with reasons.
    public var limits: [ReportedItem]
    /// Items recorded without examination by decision (links, special files, empty files).
    public var notExamined: [ReportedItem]
    /// Every image counted on the basis of a perceptual match, with its distance.
    public var perceptualMatches: [ReportedPerceptualMatch]
    /// EXIF thumbnails whose PDQ is further from their photo's than the match threshold: the
    /// photo was probably edited after the thumbnail was made (the reason gives the distance).
    public var thumbnailMismatches: [ReportedItem]
    /// Videos whose category comes from the examiner's decisions about segments of them.
    public var videoSegments: [ReportedVideoSegments] = []
    public var pendingItems: [ReportedPending]
    /// Scan runs that stopped before the end and were not completed by a later run.
    public var unfinishedScans: Int
    /// A scan was recording into the case when the report was made: the report is an interim
    /// snapshot of what was committed by then.
    public var scanRunning = false
    /// Settings of the scans that produced the counts.
    public var settings: [String: String]
}
