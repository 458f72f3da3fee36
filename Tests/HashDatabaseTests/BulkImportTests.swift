import Foundation
import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// The bulk load (indexes dropped, rows appended, duplicates removed by a sort, indexes
/// rebuilt) must leave exactly what row-by-row inserts leave.
@Suite struct BulkImportTests {
    let temp = TemporaryDirectory()

    func write(_ name: String, _ text: String) -> String {
        let path = temp.url(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func bulkAndRowByRowImportsAgreeOnEverything() throws {
        let plate = FixtureFile.named("exhibit-1/Documents/plate.tiff")
        let checker = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0002.jpg")
        // Repeats inside the file, a repeat of an earlier import, and a conflict with it.
        let list = write("list.md5", "\(Hex.encode(plate.md5))  a\n\(Hex.encode(plate.md5))  again\n\(Hex.encode(checker.md5))  c\n")
        let steps: [(String, String?, Category?)] = [
            (TestPaths.hashsets + "/known-vics2.json", nil, nil),
            (TestPaths.hashsets + "/known.md5", nil, .c),
            (list, "md5sum", .a),
            (TestPaths.hashsets + "/known.md5", nil, .c),  // all already present
            (list, "md5sum", .b),
        ]
        func run(bulk: Bool) throws -> (SQLiteHashDatabase, [ImportCounts], [[CategoryConflict]]) {
            let db = try SQLiteHashDatabase(path: temp.url(bulk ? "bulk.sqlite" : "rows.sqlite"), bulkImportMinimum: bulk ? 0 : .max)
            var counts: [ImportCounts] = []
            var conflicts: [[CategoryConflict]] = []
            for (file, format, category) in steps {
                let outcome = try HashSetImporter(store: db).importFile(file, format: format, category: category, source: (file as NSString).lastPathComponent)
                counts.append(outcome.record.counts)
                conflicts.append(outcome.record.conflicts)
            }
            return (db, counts, conflicts)
        }
        let (rows, rowCounts, rowConflicts) = try run(bulk: false)
        let (bulk, bulkCounts, bulkConflicts) = try run(bulk: true)
        #expect(bulkCounts == rowCounts)
        #expect(bulkCounts[1].added == 3 && bulkCounts[3].alreadyPresent == 3 && bulkCounts[2].alreadyPresent == 1)
        #expect(bulkConflicts == rowConflicts)
        #expect(!bulkConflicts[4].isEmpty, "B against the earlier A is a conflict")
        #expect(try bulk.fingerprint() == rows.fingerprint())
        #expect(try bulk.info().entries == rows.info().entries)
        #expect(try bulk.info().conflicts == rows.info().conflicts)
        for file in [plate, checker] { #expect(try bulk.lookup(file.digests) == rows.lookup(file.digests)) }
        // The indexes are all back, as the migrations made them.
        func indexes(_ path: String) -> String {
            shell("python3 -c \"import sqlite3; print(sorted(r[0] for r in sqlite3.connect('\(path)').execute(\\\"SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='entries' AND sql IS NOT NULL\\\")))\"").output
        }
        #expect(indexes(temp.url("bulk.sqlite")) == indexes(temp.url("rows.sqlite")))
        #expect(indexes(temp.url("bulk.sqlite")).contains("entries_identity"))
        // MD5 has no index of its own (v8): the identity index's leading expression serves it.
        #expect(!indexes(temp.url("bulk.sqlite")).contains("entries_md5"))
        let plan = shell("python3 -c \"import sqlite3; print(sqlite3.connect('\(temp.url("bulk.sqlite"))').execute(\\\"EXPLAIN QUERY PLAN SELECT category FROM entries WHERE ifnull(md5, x'') = x'00'\\\").fetchall())\"").output
        #expect(plan.contains("USING INDEX entries_identity"), "\(plan)")
        // An entry without an MD5 is not found by an empty one (ifnull(md5, x'') is x'' for it).
        let sha1Only = write("sha1.txt", "\(Hex.encode(checker.sha1))  c\n")
        _ = try HashSetImporter(store: bulk).importFile(sha1Only, format: "md5sum", category: .a, source: "sha1 only")
        #expect(try bulk.lookup(Digests(md5: [], sha1: [UInt8](repeating: 7, count: 20), sha256: [UInt8](repeating: 7, count: 32))) == .notFound)
    }

    @Test func aBulkImportThatFailsLeavesTheDatabaseAsItWas() throws {
        let db = try SQLiteHashDatabase(path: temp.url("db.sqlite"), bulkImportMinimum: 0)
        _ = try HashSetImporter(store: db).importFile(TestPaths.hashsets + "/known.md5", category: .c)
        let before = try db.fingerprint()
        let broken = write("broken.json", "{\"value\": [")
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(broken, format: "vics") }
        #expect(try db.fingerprint() == before)
        #expect(try db.lookup(FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0002.jpg").digests) != .notFound, "indexes still answer")
    }
}
