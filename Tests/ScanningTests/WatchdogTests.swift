@testable import Evidence
import Foundation
@testable import Scanning
import Testing
import TriageCore

/// The watchdog's decisions, on a clock the tests set (the scans that really stall are in
/// ScanPipelineTests and ResumeTests).
@Suite struct WatchdogTests {
    static let second: UInt64 = 1_000_000_000
    let entry = WalkEntry(relativePath: Array("box.zip".utf8), kind: .regularFile, size: 100, times: FileTimes())

    let zip = ForensicPath(relativePath: Array("box.zip".utf8))
    var member: ForensicPath { zip.appending(member: Array("a.jpg".utf8)) }

    func item(_ path: ForensicPath, kind: MediaKind = .other) -> ItemResult {
        var result = ItemResult(path: path, size: 10, disposition: .processed)
        result.kind = kind
        return result
    }

    /// A worker on box.zip that has reported the zip, then `member` (still image a.jpg in it).
    func workerInMember(_ member: ItemResult) -> WorkerWatch {
        let watch = WorkerWatch(slot: 0)
        watch.begin(entry)
        watch.working(on: item(zip))
        watch.working(on: member)
        return watch
    }

    @Test func aWorkerWithoutProgressIsGivenUpOnceWithEveryOpenItem() {
        var hashed = item(member, kind: .still)
        hashed.digests = Digests(md5: Array(repeating: 1, count: 16), sha1: Array(repeating: 2, count: 20),
                                 sha256: Array(repeating: 3, count: 32))
        let watch = workerInMember(hashed)
        // The clock starts after the reports, so that a slow machine cannot shorten the gaps.
        let start = WorkerWatch.now()
        var watchdog = Watchdog(limit: 3, now: start)

        #expect(watchdog.look(at: [watch], now: start + 2 * Self.second).isEmpty, "under the limit")
        watchdog.resting(at: start + 2 * Self.second)
        let given = watchdog.look(at: [watch], now: start + 4 * Self.second)
        #expect(given.count == 1)
        #expect(given.first?.stalled.map(\.path) == [member, zip], "the member first, then its container")
        #expect(given.first?.stalled.allSatisfy { $0.disposition == .stalled } == true)
        #expect(given.first?.stalled.first?.kind == .still, "what was known of the member is kept")
        #expect(given.first?.stalled.last?.reason?.contains("box.zip!/a.jpg") == true)
        #expect(given.first?.stuckDecoding == hashed.digests?.sha256, "hashed, not decoded: stuck in its decoder")
        #expect(watchdog.look(at: [watch], now: start + 5 * Self.second).isEmpty, "given up once")

        var delivered = false
        watch.deliver(item(zip)) { delivered = true }
        #expect(!delivered, "a given-up worker's late result is dropped")
        #expect(watch.isAbandoned)
    }

    @Test func aDeliveredMemberIsNoLongerOpenAndProgressPostponesTheLimit() {
        let watch = workerInMember(item(member, kind: .still))
        var pushed = false
        watch.deliver(item(member, kind: .still)) { pushed = true }
        #expect(pushed)
        let start = WorkerWatch.now()
        var watchdog = Watchdog(limit: 3, now: start)
        watch.alive(at: start + 2 * Self.second)  // a member listed, say
        #expect(watchdog.look(at: [watch], now: start + 4 * Self.second).isEmpty, "progress 2 s ago")
        watchdog.resting(at: start + 4 * Self.second)
        let given = watchdog.look(at: [watch], now: start + 5 * Self.second + Self.second / 2)
        #expect(given.first?.stalled.map(\.path) == [zip], "only the container is still open; the member was recorded")
        #expect(given.first?.stuckDecoding == nil)
    }

    @Test func aLateWakeUpIsNotAStall() {
        let watch = WorkerWatch(slot: 0)
        watch.begin(entry)
        let start = WorkerWatch.now()
        var watchdog = Watchdog(limit: 3, now: start)
        // The whole process was held up for 10 s (Ctrl-Z): nobody is given up, and the gap
        // counts as progress.
        #expect(watchdog.look(at: [watch], now: start + 10 * Self.second).isEmpty)
        watchdog.resting(at: start + 10 * Self.second)
        #expect(watchdog.look(at: [watch], now: start + 12 * Self.second).isEmpty)
        watchdog.resting(at: start + 12 * Self.second)
        // Looks a second or two apart again, and no progress since the wake-up: given up.
        #expect(watchdog.look(at: [watch], now: start + 14 * Self.second).count == 1)
    }

    @Test func aFinishedEntryOrALimitOfZeroIsNeverGivenUp() {
        let done = WorkerWatch(slot: 0)
        done.begin(entry)
        var delivered = false
        done.deliver(entry.unreadResult()) { delivered = true }
        #expect(delivered)
        let busy = WorkerWatch(slot: 1)
        busy.begin(entry)
        let start = WorkerWatch.now()
        #expect(Watchdog(limit: 3, now: start).look(at: [done], now: start + 4 * Self.second).isEmpty,
                "its entry's own result ended it")
        #expect(Watchdog(limit: 0, now: start).look(at: [busy], now: start + 4 * Self.second).isEmpty)
    }
}
