import TriageCore

/// A hash-set output format: one file per format, listed in `HashSetExporters.all`.
public protocol HashSetExporter {
    static var name: String { get }
    /// Writes the entries (of one category, or all) and says how many were written and how
    /// many the format cannot hold.
    static func export(_ store: any KnownHashStore, category: Category?, write: (String) -> Void) throws -> ExportCounts
}

public struct ExportCounts: Sendable, Equatable {
    public var written = 0
    /// Entries the format cannot express (e.g. no MD5 for an md5sum list).
    public var skipped = 0
    /// What the skipped entries lack, for the message.
    public var skippedBecause = ""

    public init() {}
}

public enum HashSetExporters {
    public static let all: [any HashSetExporter.Type] = [
        MD5SumExporter.self,
        PDQExporter.self,
    ]

    public static func named(_ name: String) -> (any HashSetExporter.Type)? {
        all.first { $0.name == name }
    }
}

/// An md5sum-style list: `md5  CATEGORY SOURCE[,SOURCE…]`, one line per distinct MD5 and
/// category, in MD5 order. Re-importable with `--format md5sum --category X` per category.
public enum MD5SumExporter: HashSetExporter {
    public static let name = "md5sum"

    public static func export(_ store: any KnownHashStore, category: Category?, write: (String) -> Void) throws -> ExportCounts {
        var counts = ExportCounts()
        try store.forEachDigest(.md5, category: category) { listing in
            write("\(Hex.encode(listing.digest))  \(listing.category.rawValue) \(listing.sources.map(SafeText.display).joined(separator: ","))\n")
            counts.written += 1
        }
        counts.skipped = try store.count(missing: .md5, category: category)
        counts.skippedBecause = "have no MD5 and are not in an md5sum list"
        return counts
    }
}

/// A ThreatExchange-style PDQ list: `hash,quality,CATEGORY,SOURCE[;SOURCE…]`, one line per
/// distinct hash and category, in hash order (quality empty when no hash set gave one).
/// Re-importable with `--format pdq --category X` (fields after the quality are ignored).
public enum PDQExporter: HashSetExporter {
    public static let name = "pdq"

    public static func export(_ store: any KnownHashStore, category: Category?, write: (String) -> Void) throws -> ExportCounts {
        var counts = ExportCounts()
        try store.forEachPDQ(category: category) { listing in
            // Display form, with `%` and the two separators percent-escaped so the fields stay fields.
            let sources = listing.sources.map {
                SafeText.display($0).replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C")
                    .replacingOccurrences(of: ";", with: "%3B")
            }
            write("\(listing.hash.hex),\(listing.quality.map(String.init) ?? ""),\(listing.category.rawValue),\(sources.joined(separator: ";"))\n")
            counts.written += 1
        }
        counts.skipped = try store.countMissingPDQ(category: category)
        counts.skippedBecause = "have no PDQ hash and are not in a PDQ list"
        return counts
    }
}
