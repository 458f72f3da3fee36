import CaseStore
import Foundation
import Glibc
import Testing
import TriageCore
import TriageTestSupport

/// Builders for synthetic case content.
enum Sample {
    static func digests(_ seed: UInt8) -> Digests {
        Digests(md5: [UInt8](repeating: seed, count: 16), sha1: [UInt8](repeating: seed, count: 20), sha256: [UInt8](repeating: seed, count: 32))
    }

    static func item(_ path: String, kind: MediaKind = .still, seed: UInt8? = nil, matches: [Category] = [],
                     disposition: Disposition = .processed) -> RecordedItem {
        var result = ItemResult(path: ForensicPath(relativePath: Array(path.utf8)), size: 100, disposition: disposition,
                                mime: kind == .still ? "image/jpeg" : kind == .moving ? "video/mp4" : "text/plain", kind: kind)
        if let seed { result.digests = digests(seed) }
        return RecordedItem(result: result, matches: matches.map { KnownMatch(category: $0, basis: .exact, hashType: .md5, source: "test") })
    }

    static func scan(_ exhibit: String) -> ScanDescription {
        ScanDescription(exhibit: exhibit, roots: ["/evidence/\(exhibit)"], examiner: "Tester", hashDatabasePath: "/db",
                        hashDatabaseFingerprint: "f", hashDatabaseEntries: 1, hashDatabaseSources: ["test"], settings: ["k": "v"])
    }

    /// A store with the given items recorded in one scan of `exhibit`.
    static func store(in directory: String, exhibit: String = "EX/1", items: [RecordedItem]) throws -> CaseStore {
        let store = try CaseStore(directory: directory, create: true)
        try record(store, exhibit: exhibit, items: items)
        return store
    }

    static func record(_ store: CaseStore, exhibit: String, items: [RecordedItem]) throws {
        let scan = try store.beginScan(Sample.scan(exhibit))
        try store.record(items, exhibit: exhibit, source: "/evidence/\(exhibit)", scan: scan)
        try store.finishScan(scan, examiner: "Tester", summary: ["items": items.count])
    }
}

@Suite struct CaseStoreTests {
    let temp = TemporaryDirectory()

    @Test func storeIsCreatedPrivate() throws {
        _ = try CaseStore(directory: temp.url("case"), create: true)
        var info = stat()
        #expect(stat(temp.url("case/case.sqlite"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(temp.url("case"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func caseThatIsAFileIsRefused() throws {
        FileManager.default.createFile(atPath: temp.url("file"), contents: Data("x".utf8))
        do {
            _ = try CaseStore(directory: temp.url("file"), create: true)
            Issue.record("expected an error")
        } catch let error as CaseStoreError {
            #expect(error.message.contains("is a file, not a case directory"))
        }
    }

    @Test func missingCaseSaysHowToMakeOne() {
        do {
            _ = try CaseStore(directory: temp.url("none"), create: false)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("run `triage scan"))
        }
    }

    @Test func recordingIsIdempotentPerPath() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("a.jpg", seed: 1), Sample.item("b.jpg", seed: 2)])
        try Sample.record(store, exhibit: "EX/1", items: [Sample.item("a.jpg", seed: 1), Sample.item("c.jpg", seed: 3)])
        var paths: [String] = []
        try store.forEachItem { paths.append($0.result.path.display) }
        #expect(paths == ["a.jpg", "b.jpg", "c.jpg"])
        #expect(try store.recordedPaths(exhibit: "EX/1", source: "/evidence/EX/1") == Set(["a.jpg", "b.jpg", "c.jpg"].map { Array($0.utf8) }))
    }

    @Test func rawByteNamesRoundTrip() throws {
        let name: [UInt8] = [0x41, 0xff, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a, 0x2e, 0x6a, 0x70, 0x67]
        var item = Sample.item("x", seed: 1)
        item.result.path = ForensicPath(relativePath: name)
        let store = try Sample.store(in: temp.url("case"), items: [item])
        var stored: [[UInt8]] = []
        try store.forEachItem { stored.append($0.result.path.bytes) }
        #expect(stored == [name])
    }

    @Test func decisionAppliesToEveryInstanceAndIsAudited() throws {
        let store = try Sample.store(in: temp.url("case"), items: [
            Sample.item("one/a.jpg", seed: 7), Sample.item("two/a-copy.jpg", seed: 7), Sample.item("b.jpg", seed: 8),
        ])
        #expect(try store.pendingGroups().map { $0.instances.count } == [2, 1])
        let outcome = try store.categorise(sha256: Sample.digests(7).sha256, as: .b, examiner: "J Smith", note: "checked")
        #expect(outcome.instances == 2)
        #expect(outcome.decision.previous == nil)
        #expect(try store.pendingGroups().map { $0.instances.count } == [1])
        let again = try store.categorise(itemID: 3, as: .n, examiner: "J Smith", note: nil)
        #expect(again.decision.sha256 == Sample.digests(8).sha256)
        let audit = try store.auditEntries()
        #expect(audit.map(\.action) == ["scan-start", "record", "scan-end", "decision", "decision"])
        #expect(audit[3].actor == "J Smith")
        #expect(audit[3].detail.contains("\"category\":\"B\""))
        #expect(try store.verify().isIntact)
    }

    @Test func decisionsOnNonMediaOrUnknownContentAreRefused() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("notes.txt", kind: .other)])
        #expect(throws: CaseStoreError.self) { try store.categorise(itemID: 1, as: .a, examiner: "x", note: nil) }
        #expect(throws: CaseStoreError.self) { try store.categorise(itemID: 99, as: .a, examiner: "x", note: nil) }
        #expect(throws: CaseStoreError.self) { try store.categorise(sha256: [UInt8](repeating: 5, count: 32), as: .a, examiner: "x", note: nil) }
    }

    @Test func verifyFindsAnEditedAuditEntry() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("a.jpg", seed: 1)])
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .c, examiner: "J Smith", note: nil)
        try tamper("UPDATE audit SET detail = replace(detail, '\"C\"', '\"A\"') WHERE action = 'decision'")
        let report = try CaseStore(directory: temp.url("case"), create: false).verify()
        #expect(!report.isIntact)
        #expect(report.problems.contains { $0.contains("audit entry 4") && $0.contains("edited") })
    }

    @Test func verifyFindsAnEditedDecision() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("a.jpg", seed: 1)])
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .c, examiner: "J Smith", note: nil)
        try tamper("UPDATE decisions SET category = 'N'")
        let report = try CaseStore(directory: temp.url("case"), create: false).verify()
        #expect(report.problems.contains { $0.contains("decisions table was edited") })
    }

    @Test func verifyFindsADeletedEntry() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("a.jpg", seed: 1)])
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .c, examiner: "J Smith", note: nil)
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .b, examiner: "J Smith", note: nil)
        try tamper("DELETE FROM audit WHERE seq = 4")
        let report = try CaseStore(directory: temp.url("case"), create: false).verify()
        #expect(report.problems.contains { $0.contains("audit entry 4 is missing") })
    }

    @Test func verifyFindsRenumberedDecisions() throws {
        let store = try Sample.store(in: temp.url("case"), items: [Sample.item("a.jpg", seed: 1)])
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .c, examiner: "J Smith", note: nil)
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .b, examiner: "J Smith", note: nil)
        // Swap the two decisions' ids so that the older one (C) is in force.
        try tamper("UPDATE decisions SET id = 100 WHERE id = 1; UPDATE decisions SET id = 1 WHERE id = 2; UPDATE decisions SET id = 2 WHERE id = 100")
        let report = try CaseStore(directory: temp.url("case"), create: false).verify()
        #expect(report.problems.contains { $0.contains("renumbered") })
    }

    @Test func verifyFindsEditedAddedAndDeletedItemsAndMatches() throws {
        for (sql, expected) in [
            ("UPDATE matches SET category = 'N' WHERE category = 'A'", "differ from what audit entry"),
            ("UPDATE items SET size = 1 WHERE id = 2", "differ from what audit entry"),
            ("DELETE FROM matches", "differ from what audit entry"),
            ("INSERT INTO items(exhibit, source, path, depth, size, disposition, kind, scan_id) VALUES ('EX/1', '/e', x'41', 0, 1, 'processed', 'still', 1)",
             "items were added or removed"),
        ] {
            let directory = temp.url("case-\(abs(sql.hashValue))")
            let store = try Sample.store(in: directory, items: [Sample.item("a.jpg", seed: 1, matches: [.a]), Sample.item("b.jpg", seed: 2)])
            #expect(try store.verify().isIntact)
            try tamper(sql, in: directory)
            let report = try CaseStore(directory: directory, create: false).verify()
            #expect(report.problems.contains { $0.contains(expected) }, "\(sql): \(report.problems)")
        }
    }

    @Test func verifyCoversEveryItemOfABatchWhoseLastItemHasMatches() throws {
        let directory = temp.url("case-last-match")
        _ = try Sample.store(in: directory, items: [Sample.item("b.jpg", seed: 2), Sample.item("c.jpg", seed: 3),
                                                    Sample.item("a.jpg", seed: 1, matches: [.a, .c])])
        try tamper("UPDATE items SET size = 7 WHERE id = 2", in: directory)
        let report = try CaseStore(directory: directory, create: false).verify()
        #expect(report.problems.contains { $0.contains("items 1–3") }, "\(report.problems)")
    }

    /// Edits the store behind triage's back, with Python's sqlite3 (independent of GRDB).
    func tamper(_ sql: String, in directory: String? = nil) throws {
        let script = "import sqlite3; c = sqlite3.connect('\((directory ?? temp.url("case")) + "/case.sqlite")'); c.executescript(\"\"\"\(sql)\"\"\"); c.commit()"
        let result = shell("python3 -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'")
        #expect(result.status == 0, "\(result.output)")
    }
}
