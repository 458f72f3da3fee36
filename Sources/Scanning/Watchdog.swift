import Evidence
import Foundation
import TriageCore

/// What one worker thread is doing, for the scan's watchdog: the walked entry it is examining,
/// when it last made progress, and the items open inside it (the entry, the containers it is
/// in, the member being decoded), as last reported before a library call.
///
/// A decoder or archive library that never returns on a hostile file cannot be interrupted.
/// The watchdog gives up on such a worker instead: it records every open item as `stalled` and
/// starts another worker, and the stuck one's later results, if any, are dropped here. So
/// every item reported still ends with exactly one result, and the scan ends.
final class WorkerWatch: @unchecked Sendable {  // every variable behind `lock`
    /// The worker's place among the scan's `jobs` (its examiner's).
    let slot: Int
    private let lock = NSLock()
    private var entry: WalkEntry?
    /// Items begun and not yet delivered, by depth: [0] the entry, then the containers it is
    /// in, deepest last.
    private var open: [ItemResult?] = []
    private var lastProgress: UInt64 = 0
    private var abandoned = false

    init(slot: Int) { self.slot = slot }

    /// The worker starts on `entry`.
    func begin(_ entry: WalkEntry) {
        lock.withLock {
            self.entry = entry
            open = []
            lastProgress = Self.now()
        }
    }

    /// The worker is at `item` (an entry or a member at any depth), about to call a library or
    /// reading on: it is the open item at its depth, and nothing deeper is open any more.
    func working(on item: ItemResult) {
        lock.withLock {
            let depth = item.path.depth
            if open.count > depth + 1 { open.removeSubrange((depth + 1)...) }
            while open.count <= depth { open.append(nil) }
            open[depth] = item
            lastProgress = Self.now()
        }
    }

    /// The worker made progress without a new item (a member listed, data skipped, a frame),
    /// or the watchdog counts a gap as progress (`Watchdog.look`).
    func alive(at now: UInt64 = WorkerWatch.now()) {
        lock.withLock { lastProgress = max(lastProgress, now) }
    }

    /// Passes a result on with `deliver`, unless the worker was given up (then the watchdog has
    /// recorded its items and nothing more of them may be). A delivered item is no longer open;
    /// the entry's own result, which comes last, ends the entry. Holding the lock while
    /// delivering is what keeps a result from being pushed after the watchdog recorded it.
    func deliver(_ result: ItemResult, _ deliver: () -> Void) {
        lock.withLock {
            guard !abandoned else { return }
            deliver()
            lastProgress = Self.now()
            let depth = result.path.depth
            if depth < open.count, open[depth]?.path == result.path { open.removeSubrange(depth...) }
            if depth == 0 { entry = nil }
        }
    }

    var isAbandoned: Bool { lock.withLock { abandoned } }

    /// When the worker has made no progress on its entry for `limit` seconds: marks it
    /// abandoned and returns the results that stand for its open items, deepest first.
    /// Otherwise nil.
    func abandonIfStalled(limit: Double, now: UInt64 = WorkerWatch.now()) -> GivenUp? {
        lock.withLock {
            guard !abandoned, let entry, now > lastProgress, Double(now - lastProgress) / 1e9 > limit else { return nil }
            abandoned = true
            var items = open.compactMap { $0 }
            if items.first?.path.depth != 0 { items.insert(entry.unreadResult(), at: 0) }
            // Reported hashed and not yet decoded, with nothing against it: stuck decoding.
            let innermost = items.last!
            let decoding = innermost.kind == .still && innermost.image == nil && innermost.disposition == .processed
                && innermost.reason == nil ? innermost.digests?.sha256 : nil
            return GivenUp(watch: self, stalled: Self.stalled(items, limit: limit), stuckDecoding: decoding)
        }
    }

    /// A worker given up, the results that stand for its open items (deepest first), and the
    /// SHA-256 of the still image whose decoding did not return, when that is where it stuck.
    struct GivenUp {
        let watch: WorkerWatch
        let stalled: [ItemResult]
        let stuckDecoding: [UInt8]?
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// `stalled` results for the open items (outermost first), deepest first: the innermost
    /// with what was known before the stuck call (identification and digests when they came
    /// first), each one around it naming it.
    static func stalled(_ items: [ItemResult], limit: Double) -> [ItemResult] {
        let seconds = ScanPipeline.number(limit)
        guard let innermost = items.last else { return [] }
        return items.reversed().map { item in
            var stalled = item
            stalled.disposition = .stalled
            if item.path == innermost.path {
                stalled.reason = "no progress for \(seconds) s in a library call on this item (it did not return): given up, "
                    + "recorded with what was known before the call"
            } else {
                stalled.reason = "no progress for \(seconds) s while examining \(innermost.path.display) inside it: given up; "
                    + "members recorded before it stand, the rest were not examined"
            }
            return stalled
        }
    }
}

/// The scan's watchdog: once a second, the scan asks it which workers to give up.
struct Watchdog {
    /// Seconds without progress; 0: never give up.
    let limit: Double
    private var lastLook: UInt64

    /// A look this long after the previous one means the whole process was held up.
    static let lateWakeUp: UInt64 = 5_000_000_000

    init(limit: Double, now: UInt64 = WorkerWatch.now()) {
        self.limit = limit
        lastLook = now
    }

    /// The watchdog goes to sleep at `now` until its next look. (Only the sleep is measured
    /// for a late wake-up, not the time a look itself took.)
    mutating func resting(at now: UInt64 = WorkerWatch.now()) { lastLook = now }

    /// The workers to give up at `now`, each with the results that stand for its open items
    /// (each worker once). Woken late (the process was stopped, with Ctrl-Z say, or starved),
    /// it gives up nobody and counts the gap as progress for all: the workers could not run
    /// either.
    func look(at watches: [WorkerWatch], now: UInt64 = WorkerWatch.now()) -> [WorkerWatch.GivenUp] {
        guard limit > 0 else { return [] }
        if now > lastLook && now - lastLook > Self.lateWakeUp {
            watches.forEach { $0.alive(at: now) }
            return []
        }
        return watches.compactMap { $0.abandonIfStalled(limit: limit, now: now) }
    }
}

/// A value shared between threads, behind a lock.
final class Protected<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
