import Foundation
import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// The import reads on one thread and inserts on another: a failure while inserting ends the
/// import with the error, keeps nothing, and never leaves the reading thread waiting.
@Suite struct ImportThreadTests {
    let temp = TemporaryDirectory()

    /// The real store, with inserts that fail after `failAfter` entries (a full disk, say).
    struct FailingInserts: KnownHashStore {
        let real: SQLiteHashDatabase
        let failAfter: Int

        func importing(_ description: ImportDescription,
                       _ body: (_ add: (KnownEntry) throws -> Bool) throws -> ImportCounts) throws -> ImportRecord {
            try real.importing(description) { add in
                try withoutActuallyEscaping(add) { add in
                    var count = 0
                    return try body { entry in
                        count += 1
                        if count > failAfter { throw HashDatabaseError("no space left on device (test)") }
                        return try add(entry)
                    }
                }
            }
        }
        func lookup(_ digests: Digests) throws -> LookupResult { try real.lookup(digests) }
        func info() throws -> HashDatabaseInfo { try real.info() }
        func fingerprint() throws -> String { try real.fingerprint() }
        func forEachEntry(_ visit: (KnownEntry) throws -> Void) throws { try real.forEachEntry(visit) }
        func forEachDigest(_ type: HashType, category: Category?, _ visit: (DigestListing) throws -> Void) throws {
            try real.forEachDigest(type, category: category, visit)
        }
        func count(missing type: HashType, category: Category?) throws -> Int { try real.count(missing: type, category: category) }
        func forEachPDQ(category: Category?, _ visit: (PDQListing) throws -> Void) throws { try real.forEachPDQ(category: category, visit) }
        func countMissingPDQ(category: Category?) throws -> Int { try real.countMissingPDQ(category: category) }
        func categoryMap(profile: String) throws -> CategoryMap { try real.categoryMap(profile: profile) }
        func setCategoryCode(_ code: String, to category: Category?, profile: String) throws {
            try real.setCategoryCode(code, to: category, profile: profile)
        }
    }

    /// 100,000 MD5 lines: more than the batches between the threads hold, so the reading thread
    /// is waiting on a full queue when the inserting side fails.
    func list() throws -> String {
        let path = temp.url("big.md5")
        var text = ""
        text.reserveCapacity(3_400_000)
        var random = SplitMix(state: 3)
        for _ in 0..<100_000 { text += Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }) + "\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aFailingInsertEndsTheImportAndKeepsNothing() throws {
        let path = try list()
        let real = try SQLiteHashDatabase(path: temp.url("hashdb.sqlite"))
        let store = FailingInserts(real: real, failAfter: 5000)
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: store).importFile(path, category: .c) }
        #expect(try real.info().entries == 0)
        // The same file then imports whole.
        let outcome = try HashSetImporter(store: real).importFile(path, category: .c)
        #expect(outcome.record.counts.added == 100_000 && outcome.record.counts.read == 100_000)
        #expect(try real.info().entries == 100_000)
    }
}
