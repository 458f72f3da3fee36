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
}

public enum HashSetExporters {
    public static let all: [any HashSetExporter.Type] = [
        MD5SumExporter.self,
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
        return counts
    }
}
