import CaseStore
import Foundation

/// The report as JSON, with the fields DESIGN.md fixes (keys sorted, so output is stable).
public enum JSONReport: ReportFormat {
    public static let name = "json"

    public static func render(_ report: CaseReport, store: CaseStore, write: (String) -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
    }
}
