import Foundation
import GRDB
import GRDBSQLite
import TriageCore

/// NIST NSRL RDSv3: the SQLite release. Its `FILE` table (`sha256`, `sha1`, `md5`, …, one row
/// per file per package) is read in place, read-only, row by row: nothing is copied or loaded
/// whole. Every record is known-good (category N, never queued). A file that several
/// packages hold is one entry; its further rows count as already present.
public enum NSRLRDSv3Format: HashSetFormat {
    public static let name = "nsrl-rdsv3"
    public static let carriesCategories = false
    public static let isKnownGood = true

    static let sqliteSignature = Array("SQLite format 3\0".utf8)

    /// Any SQLite file; `read` then insists on the `FILE` table (triage's own hash database is
    /// SQLite too, and is refused there with a clear message).
    public static func recognises(head: [UInt8]) -> Bool { head.starts(with: sqliteSignature) }

    public static func read(_ input: ChunkReader, record: (HashSetRecord) throws -> Void, problem: (ImportProblem) -> Void) throws {
        guard try input.peek().starts(with: sqliteSignature) else {
            throw HashDatabaseError("\(input.path) is not an NSRL RDSv3 release: it is not a SQLite database (RDSv3 is the SQLite edition; for NSRLFile.txt use --format nsrl)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "nsrl"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: input.path, configuration: configuration)
        } catch {
            throw HashDatabaseError("\(input.path): SQLite cannot open it read-only: \(error)")
        }
        try queue.read { db in
            guard let table = try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND lower(name) = 'file'") else {
                throw HashDatabaseError("\(input.path) is a SQLite database but not an NSRL RDSv3 release: it has no FILE table")
            }
            let names = try db.columns(in: table).map(\.name)
            func column(_ wanted: String) -> String? { names.first { $0.lowercased() == wanted } }
            let digestColumns = ["sha256", "sha1", "md5"].compactMap(column)
            guard !digestColumns.isEmpty else {
                throw HashDatabaseError("\(input.path): the FILE table has no sha256, sha1 or md5 column (it has \(names.joined(separator: ", ")))")
            }
            // Stepped through SQLite's C API, each digest decoded from the column's own bytes:
            // no row object or string per row of a release that holds tens of millions.
            try db.forEachRawRow("SELECT rowid, \(digestColumns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \"\(table)\"",
                                 purpose: "\(input.path): reading the FILE table") { statement in
                var entry = HashSetRecord(place: .fileRow(sqlite3_column_int64(statement, 0)))
                var damaged: [UInt8]?
                for index in digestColumns.indices {
                    let hex = columnBytes(statement, Int32(index + 1))
                    if !hex.isEmpty, !entry.setDigest(hexBytes: hex) { damaged = Array(hex.prefix(80)) }
                }
                if let damaged {
                    problem(ImportProblem(location: entry.location, message: "not a valid digest: \(SafeText.display(damaged))"))
                } else if !entry.hasDigest {
                    problem(ImportProblem(location: entry.location, message: "no digest in the row"))
                } else {
                    try record(entry)
                }
            }
        }
    }
}
