import CaseStore
import Foundation
@testable import Reporting
import Testing
import TriageCore
import TriageTestSupport

@Suite struct ReportBuilderTests {
    let temp = TemporaryDirectory()

    func build(_ store: CaseStore) throws -> CaseReport {
        try ReportBuilder(store: store, toolVersion: "test", libmagicVersion: "5.44").build()
    }

    @Test func countsInstancesAndUniqueByCategoryAndKind() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/1", items: [
            item("a.jpg", seed: 1, matches: [.a]),
            item("copy/a.jpg", seed: 1, matches: [.a]),
            item("b.jpg", seed: 2, matches: [.b]),
            item("clip.mp4", kind: .moving, seed: 3, matches: [.a]),
            item("n.png", seed: 4, matches: [.n]),
            item("pending.png", seed: 5),
            item("pending-copy.png", seed: 5),
            item("conflict.jpg", seed: 6, matches: [.a, .c]),
            item("notes.txt", kind: .other),
            item("broken", kind: .other, disposition: .unreadable),
            item("link", kind: .other, disposition: .symlink),
        ])
        try record(store, exhibit: "EX/2", items: [item("a.jpg", seed: 1, matches: [.a]), item("new.jpg", seed: 9)])
        let report = try build(store)
        let one = report.exhibits[0]
        #expect(one.exhibit == "EX/1")
        #expect(one.counts["A"]!.still == CountPair(instances: 2, unique: 1))
        #expect(one.counts["A"]!.moving == CountPair(instances: 1, unique: 1))
        #expect(one.counts["B"]!.still == CountPair(instances: 1, unique: 1))
        #expect(one.counts["N"]!.still == CountPair(instances: 1, unique: 1))
        #expect(one.pending == CountPair(instances: 3, unique: 2))
        #expect(one.conflicts == 1)
        #expect(one.files == 10)
        #expect(one.images == 7 && one.videos == 1)
        #expect(one.errors == 1)
        #expect(one.basis.exact == 5)
        // Totals count unique content across exhibits once.
        #expect(report.totals.counts["A"]!.still == CountPair(instances: 3, unique: 1))
        #expect(report.totals.pending == CountPair(instances: 4, unique: 3))
        #expect(report.errors.map(\.path) == ["broken"])
        #expect(report.notExamined.map(\.path) == ["link"])
        #expect(report.pendingItems.first?.instances == 2)
    }

    @Test func examinerDecisionsMoveCountsAndBasis() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/1", items: [item("p.jpg", seed: 5), item("q.jpg", seed: 5), item("k.jpg", seed: 1, matches: [.c])])
        _ = try store.categorise(sha256: [UInt8](repeating: 5, count: 32), as: .a, examiner: "J", note: nil)
        _ = try store.categorise(sha256: [UInt8](repeating: 1, count: 32), as: .b, examiner: "J", note: nil)
        let summary = try build(store).totals
        #expect(summary.counts["A"]!.still == CountPair(instances: 2, unique: 1))
        #expect(summary.counts["B"]!.still == CountPair(instances: 1, unique: 1))
        #expect(summary.counts["C"]!.still == CountPair())
        #expect(summary.basis.examiner == 3 && summary.basis.exact == 0)
        #expect(summary.pending == CountPair())
    }

    @Test func everyFormatEscapesHostileNames() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        var hostile = item("x", seed: 1)
        hostile.result.path = ForensicPath(relativePath: Array("=cmd|' /C calc'!A0\u{1b}[31m\nline\u{ff}.jpg".utf8) + [0xff])
        try record(store, exhibit: "EX/1", items: [hostile])
        let report = try build(store)
        for format in ReportFormats.all {
            var out = ""
            try format.render(report, store: store) { out += $0 }
            #expect(!out.utf8.contains(0x1b), "\(format.name) leaks an escape character")
            #expect(!out.contains("=cmd|' /C calc'!A0\n"), "\(format.name) leaks a raw newline from a name")
            if format.name == "csv" {
                let row = out.split(separator: "\r\n")[1]
                #expect(row.contains("\"'=cmd|' /C calc'!A0\\x1b[31m\\x0aline"))
                #expect(row.contains("\\xff"))
            }
            if format.name == "json" {
                let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
                #expect(object["totals"] != nil && object["exhibits"] != nil && object["hashdb"] != nil && object["tool"] != nil)
            }
        }
    }

    @Test func reconciliationTracesEveryFurtherInstance() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        var items = ["DCIM/a.jpg", "Backup/a.jpg", "Backup/old.zip!/x/a.jpg", "DCIM/photo.jpg!exif-thumbnail",
                     "Users/j/AppData/Local/Microsoft/Windows/INetCache/IE/a[1].jpg"].map { item($0, seed: 9, matches: [.b]) }
        items.append(item("other.jpg", seed: 10, matches: [.b]))
        items.append(item("pending.jpg", seed: 11))
        try record(store, exhibit: "EX/1", items: items)
        let summary = try build(store).exhibits[0]
        let b = try #require(summary.reconciliation.first { $0.category == "B" })
        #expect(b.unique == 2 && b.otherFolders == 1 && b.insideContainers == 1 && b.embeddedThumbnails == 1 && b.cacheFolders == 1)
        #expect(b.instances == 6 && b.instances == summary.counts["B"]!.still.instances)
        #expect(summary.reconciliation.map(\.category) == ["B", "pending"])
        var out = ""
        try TextReport.render(try build(store), store: store) { out += $0 }
        #expect(out.contains("Reconciliation (instances = unique + further copies"))
    }

    @Test func visuallyUniqueJoinsChainsOfNearHashes() {
        // a ~ b (10 bits), b ~ c (10 bits), a and c 20 bits apart: one group at threshold 10;
        // d far from all; e has no PDQ.
        func hash(flipping bits: Int) -> PDQHash {
            var bytes = [UInt8](repeating: 0, count: 32)
            for bit in 0..<bits { bytes[bit / 8] |= 1 << (bit % 8) }
            return PDQHash(bytes: bytes)
        }
        let a = [UInt8](repeating: 1, count: 32), b = [UInt8](repeating: 2, count: 32), c = [UInt8](repeating: 3, count: 32)
        let d = [UInt8](repeating: 4, count: 32), e = [UInt8](repeating: 5, count: 32)
        var far = [UInt8](repeating: 0xFF, count: 32)
        far[0] = 0
        let pdqs: [[UInt8]: PDQHash] = [a: hash(flipping: 0), b: hash(flipping: 10), c: hash(flipping: 20), d: PDQHash(bytes: far)]
        #expect(ReportBuilder.visualGroups([a, b, c, d, e], pdqs, threshold: 10) == 3)
        #expect(ReportBuilder.visualGroups([a, b, c, d, e], pdqs, threshold: 9) == 5)
        #expect(ReportBuilder.visualGroups([a, c], pdqs, threshold: 10) == 2, "without b, a and c stay apart")
    }

    @Test func htmlReportIsSelfContainedAndEscaped() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/<b>1</b>", items: [item("<script>alert(1)</script>&<img src=x>.jpg", seed: 3),
                                                          item("a.jpg", seed: 4, matches: [.a])])
        var out = ""
        try HTMLReport.render(try build(store), store: store) { out += $0 }
        #expect(out.hasPrefix("<!DOCTYPE html>"))
        #expect(!out.contains("<script") && !out.contains("<img") && !out.contains("<link") && !out.contains("url("), "no scripts, no images, nothing fetched")
        #expect(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;img src=x&gt;.jpg"))
        #expect(out.contains("Exhibit EX/&lt;b&gt;1&lt;/b&gt;"))
        #expect(out.contains("NOT FINAL: 1 image(s) (1 unique) are pending"))
        #expect(out.contains("Indecent photographs or pseudo-photographs"))
        #expect(out.contains("@page { size: A4"))
    }

    @Test func textReportSaysPendingFirst() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/1", items: [item("p.jpg", seed: 5)])
        var out = ""
        try TextReport.render(try build(store), store: store) { out += $0 }
        #expect(out.hasPrefix("NOT FINAL: 1 image(s) (1 unique) are pending"))
        #expect(out.contains("Indecent photographs or pseudo-photographs"))
    }

    func item(_ path: String, kind: MediaKind = .still, seed: UInt8? = nil, matches: [Category] = [],
              disposition: Disposition = .processed) -> RecordedItem {
        var result = ItemResult(path: ForensicPath(relativePath: Array(path.utf8)), size: 10, disposition: disposition, kind: kind)
        if let seed {
            result.digests = Digests(md5: [UInt8](repeating: seed, count: 16), sha1: [UInt8](repeating: seed, count: 20),
                                     sha256: [UInt8](repeating: seed, count: 32))
        }
        return RecordedItem(result: result, matches: matches.map { KnownMatch(category: $0, basis: .exact, hashType: .md5, source: "t") })
    }

    func record(_ store: CaseStore, exhibit: String, items: [RecordedItem]) throws {
        let scan = try store.beginScan(ScanDescription(exhibit: exhibit, roots: ["/e"], examiner: "T", hashDatabasePath: "/db",
                                                       hashDatabaseFingerprint: "f", hashDatabaseEntries: 1, hashDatabaseSources: ["t"],
                                                       settings: [:]))
        try store.record(items, exhibit: exhibit, source: "/e", scan: scan)
        try store.finishScan(scan, examiner: "T", summary: [:])
    }
}
