import CaseStore

/// A report output format: one file per format, listed in `ReportFormats.all`.
public protocol ReportFormat {
    /// The name used with `--format`.
    static var name: String { get }
    /// Writes the report through `write`, piece by piece (a CSV of a large case is large).
    static func render(_ report: CaseReport, store: CaseStore, write: (String) -> Void) throws
}

public enum ReportFormats {
    public static let all: [any ReportFormat.Type] = [
        TextReport.self,
        JSONReport.self,
        CSVReport.self,
        HTMLReport.self,
    ]

    public static func named(_ name: String) -> (any ReportFormat.Type)? {
        all.first { $0.name == name }
    }
}
