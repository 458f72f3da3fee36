import Evidence
import Foundation
import TriageCore

/// What one worker thread is doing, for the scan's watchdog: the walked entry it is examining,
/// when it last made progress, and what is known of the item it is in (the last one it reported
/// before a library call).
///
/// A decoder or archive library that never returns on a hostile file cannot be interrupted.
/// The watchdog gives up on such a worker instead: it records the item as `stalled` and starts
/// another worker, and the stuck one's later results, if any, are dropped here. So every item
/// still ends with exactly one result, and the scan ends.
final class WorkerWatch: @unchecked Sendable {  // every variable behind `lock`
    /// The worker's place among the scan's `jobs` (its examiner's).
    let slot: Int
    private let lock = NSLock()
    private var entry: WalkEntry?
    /// The last item reported (an entry or a member), and the last report on the entry itself.
    private var partial: ItemResult?
    private var entryPartial: ItemResult?
    private var lastProgress: UInt64 = 0
    private var abandoned = false

    init(slot: Int) { self.slot = slot }

    /// The worker starts on `entry`.
    func begin(_ entry: WalkEntry) {
        lock.withLock {
            self.entry = entry
            partial = nil
            entryPartial = nil
            lastProgress = Self.now()
        }
    }

    /// The worker made progress on `item` (an entry or a member), about to call a library.
    func working(on item: ItemResult) {
        lock.withLock {
            partial = item
            if item.path.depth == 0 { entryPartial = item }
            lastProgress = Self.now()
        }
    }

    /// Passes a result on with `push`, unless the worker was given up (then the watchdog has
    /// recorded its item and nothing more of it may be). The entry's own result, which comes
    /// last, ends the entry. Holding the lock while pushing is what keeps a result from being
    /// pushed after the watchdog recorded the same item.
    func deliver(_ result: ItemResult, push: () -> Void) {
        lock.withLock {
            guard !abandoned else { return }
            push()
            lastProgress = Self.now()
            if result.path.depth == 0 { entry = nil }
            if result.path == partial?.path { partial = nil }  // done: never recorded twice
        }
    }

    var isAbandoned: Bool { lock.withLock { abandoned } }

    /// When the worker has made no progress on its entry for `limit` seconds: marks it
    /// abandoned and returns the results that stand for its item. Otherwise nil.
    func abandonIfStalled(limit: Double) -> [ItemResult]? {
        lock.withLock {
            guard !abandoned, let entry, Double(Self.now() - lastProgress) / 1e9 > limit else { return nil }
            abandoned = true
            return Self.stalledResults(entry: entryPartial ?? entry.unreadResult(), partial: partial, limit: limit)
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// The results that stand for a stalled worker's item: the member it was in (if any),
    /// then the walked entry, both `stalled`, with what was known of them (identification and
    /// digests when they came before the stuck call).
    static func stalledResults(entry: ItemResult, partial: ItemResult?, limit: Double) -> [ItemResult] {
        let seconds = ScanPipeline.number(limit)
        var results: [ItemResult] = []
        var top = entry
        if let member = partial, member.path.depth > 0 {
            var stalled = member
            stalled.disposition = .stalled
            stalled.reason = "no progress for \(seconds) s in a library call on this item (it did not return): given up, "
                + "recorded with what was known before the call"
            results.append(stalled)
            top.reason = "no progress for \(seconds) s while examining \(member.path.display) inside it: given up; "
                + "members recorded before it stand, the rest were not examined"
        } else {
            top.reason = "no progress for \(seconds) s in a library call on this file (it did not return): given up, "
                + "recorded with what was known before the call"
        }
        top.disposition = .stalled
        results.append(top)
        return results
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
