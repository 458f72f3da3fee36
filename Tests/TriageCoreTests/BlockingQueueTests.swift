import Foundation
import Testing
import TriageCore

/// What the consumer threads received.
private final class Collected: @unchecked Sendable {  // every access holds the lock
    private var received: [Int] = []
    private let lock = NSLock()

    func add(_ items: [Int]) { lock.withLock { received += items } }
    var items: [Int] { lock.withLock { received } }
}

/// The queue between a scan's threads wakes waiting threads once per batch; nothing may be
/// lost or held back by that.
@Suite struct BlockingQueueTests {
    /// Producers and consumers on threads of their own, through a small queue: every item
    /// arrives once, whatever the batch sizes (a lost wake-up would hang the test).
    @Test(arguments: [(1, 1), (2, 1), (7, 3), (8, 1), (64, 16)])
    func everyItemArrivesOnce(capacity: Int, wakeAt: Int) {
        let queue = BlockingQueue<Int>(capacity: capacity, wakeAt: wakeAt)
        let producers = 3, perProducer = 5_000
        let seen = Collected()
        let group = DispatchGroup()
        for p in 0..<producers {
            group.enter()
            Thread {
                for i in 0..<perProducer { queue.push(p * perProducer + i) }
                group.leave()
            }.start()
        }
        let consumers = DispatchGroup()
        for _ in 0..<2 {
            consumers.enter()
            Thread {
                var mine: [Int] = []
                while let item = queue.pop() { mine.append(item) }
                seen.add(mine)
                consumers.leave()
            }.start()
        }
        group.wait()
        queue.close()
        consumers.wait()
        #expect(seen.items.sorted() == Array(0..<producers * perProducer))
    }

    /// One item in a queue that wakes its consumer per 64 is still handed over soon.
    @Test func aLoneItemIsNotHeldBackUntilTheBatchFills() {
        let queue = BlockingQueue<Int>(capacity: 1024, wakeAt: 64)
        let popped = DispatchSemaphore(value: 0)
        Thread {
            _ = queue.pop()
            popped.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)  // the consumer is waiting on the empty queue
        queue.push(1)
        #expect(popped.wait(timeout: .now() + 5) == .success)
        queue.close()
    }
}
