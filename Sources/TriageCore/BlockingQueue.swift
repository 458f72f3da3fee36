import Foundation

/// A bounded first-in-first-out queue between threads: `push` waits while it is full (so a fast
/// walk cannot fill memory ahead of slow hashing), `pop` waits while it is empty, and returns
/// nil once the queue is closed and drained. (The scan's stages, and a hash-set import's reading
/// and inserting, run on threads joined by these.)
public final class BlockingQueue<Element>: @unchecked Sendable {
    /// Popped slots are emptied at once (a popped batch must not stay in memory), and the array
    /// is compacted now and then.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    /// How many items wake a waiting pop.
    private let wakeAt: Int
    private let condition = NSCondition()

    /// - Parameter wakeAt: a pop waiting on an empty queue is woken once this many items are in
    ///   it (or it is closed, or a quarter of a second has passed): a consumer that keeps up
    ///   wakes once per batch, not per item. At most `capacity`.
    public init(capacity: Int, wakeAt: Int = 1) {
        self.capacity = capacity
        self.wakeAt = max(1, min(wakeAt, capacity))
    }

    public func push(_ item: Element) {
        condition.lock()
        while items.count - head >= capacity && !closed { condition.wait() }
        items.append(item)
        // Only a pop can be waiting, and only on an empty queue: wake it when the first items
        // have arrived, not on every push (a scan passes tens of thousands of items).
        if items.count - head == wakeAt { condition.broadcast() }
        condition.unlock()
    }

    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed {
            // Woken once per batch, a pop also looks again every quarter of a second, so that
            // a few slow items (long videos, large archives) are not held back until the batch
            // fills: the scan's recorder shows progress about twice a second.
            if wakeAt > 1 { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.25)) } else { condition.wait() }
        }
        guard items.count > head else { return nil }
        let item = items[head]
        items[head] = nil
        head += 1
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        // A push waits only on a full queue: it is woken when the queue is down to half, so it
        // then refills it in one go instead of waking for every slot freed.
        if items.count - head == capacity / 2 { condition.broadcast() }
        return item!
    }

    /// No more pushes: waiting pops return what is left, then nil.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
