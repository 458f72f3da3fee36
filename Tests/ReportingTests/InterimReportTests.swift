import CaseStore
import Foundation
@testable import Reporting
import Testing
import TriageCore
import TriageTestSupport

/// A report made while a scan is recording: one consistent snapshot, marked interim.
@Suite struct InterimReportTests {
    let temp = TemporaryDirectory()
    let samples = ReportBuilderTests()
    func item(_ path: String, seed: UInt8, matches: [Category] = []) -> RecordedItem { samples.item(path, seed: seed, matches: matches) }
    func record(_ store: CaseStore, exhibit: String, items: [RecordedItem]) throws { try samples.record(store, exhibit: exhibit, items: items) }

    @Test func readsInsideASnapshotDoNotSeeLaterCommits() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/1", items: [item("a.jpg", seed: 1, matches: [.a])])
        let writer = try CaseStore(directory: temp.url("case"), create: false)
        let (before, during) = try store.snapshot { () throws -> (Int, Int) in
            var before = 0
            try store.forEachItem { _ in before += 1 }
            // Another connection (a running scan) commits a batch meanwhile.
            try record(writer, exhibit: "EX/1", items: [item("b.jpg", seed: 2, matches: [.b]), item("c.jpg", seed: 3)])
            var during = 0
            try store.forEachItem { _ in during += 1 }
            return (before, during)
        }
        #expect(before == 1 && during == 1, "the snapshot keeps one view of the case")
        var after = 0
        try store.forEachItem { _ in after += 1 }
        #expect(after == 3)
    }

    @Test func aReportDuringARunningScanSaysItIsInterim() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        try record(store, exhibit: "EX/1", items: [item("a.jpg", seed: 1, matches: [.a])])
        func text() throws -> String {
            let report = try ReportBuilder(store: store, toolVersion: "test", libmagicVersion: "5.44").build()
            var out = ""
            try TextReport.render(report, store: store) { out += $0 }
            return out
        }
        #expect(!store.isScanRunning())
        #expect(!(try text()).contains("INTERIM"))
        var lock: ScanLock? = try store.holdScanLock()
        #expect(store.isScanRunning())
        let report = try ReportBuilder(store: store, toolVersion: "test", libmagicVersion: "5.44").build()
        #expect(report.scanRunning)
        #expect(try text().hasPrefix("INTERIM: a scan is still running"))
        var html = ""
        try HTMLReport.render(report, store: store) { html += $0 }
        #expect(html.contains("INTERIM: a scan is still running"))
        withExtendedLifetime(lock) { lock = nil }
        #expect(!store.isScanRunning(), "the lock goes with the scan")
    }
}
