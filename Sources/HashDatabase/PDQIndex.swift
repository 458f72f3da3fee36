import CPrefetch
import Foundation
import TriageCore

/// Every PDQ hash in the database, in memory, for exact near-neighbour search in Hamming space.
///
/// Multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in Hamming space with
/// multi-index hashing", CVPR 2012): the 256 bits are cut into `m` chunks; two hashes within
/// distance T agree to within a few bits on at least one chunk (pigeonhole; how many bits on
/// which chunk is chosen per threshold, see `radii`). So a query looks up, in each chunk's
/// table, every chunk value within that many bits of its own, and checks the full distance of
/// each entry found. Recall is exact by construction; tests prove it against `bruteForce`.
///
/// Memory: 32 bytes per hash, 3 bytes per hash per chunk for the tables' entry lists (4 from
/// 16M entries), and 4 bytes per possible chunk value for their offsets. 16 chunks of 16 bits
/// below 1M hashes; 14 chunks of 18–19 bits up to 4M (98 bytes per hash at 1M); 12 chunks of
/// 21–22 bits beyond, where narrower buckets would be too full (86 bytes per hash at 10M).
public struct PDQIndex: Sendable {
    public struct Entry: Sendable, Hashable {
        public var hash: PDQHash
        public var category: Category
        public var source: String

        public init(hash: PDQHash, category: Category, source: String) {
            self.hash = hash
            self.category = category
            self.source = source
        }
    }

    /// An entry within the threshold.
    public struct Hit: Sendable, Hashable {
        public var entry: Int
        public var distance: Int
    }

    public let count: Int
    /// The hashes, split in halves: the first 128 bits of every entry (`heads`) and the last
    /// 128 (`tails`), two words each. A candidate whose first half alone is already further
    /// than the threshold cannot match, so nearly every non-match is rejected from `heads`,
    /// an array half the size of the hashes that stays in the processor's cache far longer.
    private let heads: LargeBuffer<UInt64>
    private let tails: LargeBuffer<UInt64>
    private let categories: [Category]
    private let sourceIndex: [UInt32]
    private let sources: [String]
    private let chunks: [Chunk]
    private let plans = PlanCache()

    /// One chunk: which bits, and the entries by chunk value (CSR layout).
    private struct Chunk: Sendable {
        var start: Int
        var bits: Int
        var offsets: [UInt32]            // 2^bits + 1
        var entries: PackedIDs            // count, grouped by value
    }

    /// - Parameter chunkCount: 12 to 32 (fewer would make each chunk table too large); by
    ///   default chosen from the number of entries.
    public init(_ entries: [Entry], chunkCount: Int? = nil) {
        count = entries.count
        let heads = LargeBuffer<UInt64>(count: entries.count * 2)
        let tails = LargeBuffer<UInt64>(count: entries.count * 2)
        var names: [String: UInt32] = [:]
        var sources: [String] = []
        var sourceIndex = [UInt32](repeating: 0, count: entries.count)
        for (i, entry) in entries.enumerated() {
            heads[2 * i] = entry.hash.words.0
            heads[2 * i + 1] = entry.hash.words.1
            tails[2 * i] = entry.hash.words.2
            tails[2 * i + 1] = entry.hash.words.3
            if let known = names[entry.source] {
                sourceIndex[i] = known
            } else {
                names[entry.source] = UInt32(sources.count)
                sourceIndex[i] = UInt32(sources.count)
                sources.append(entry.source)
            }
        }
        self.heads = heads
        self.tails = tails
        self.sources = sources
        self.sourceIndex = sourceIndex
        categories = entries.map(\.category)

        // Chunks of at most 22 bits. Fewer, wider chunks mean fuller use of the pigeonhole
        // (see `radii`) but larger tables: each layout is used from the size where its tables
        // cost at most about 20 bytes per hash.
        let defaultCount = entries.count < 1_000_000 ? 16 : entries.count <= 4_000_000 ? 14 : 12
        let chunkCount = min(max(chunkCount ?? defaultCount, 12), 32)
        var layout: [(start: Int, bits: Int)] = []
        var start = 0
        for c in 0..<chunkCount {
            let bits = (256 - start) / (chunkCount - c)
            layout.append((start, bits))
            start += bits
        }
        // Each chunk's table is a counting sort of the entries by that chunk's value; the
        // tables are independent, so they are built on every core.
        let built = LockedSlots<Chunk>(count: chunkCount)
        let count = entries.count, chunkLayout = layout
        DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
            let (start, bits) = chunkLayout[c]
            var offsets = [UInt32](repeating: 0, count: (1 << bits) + 1)
            for i in 0..<count { offsets[Int(Self.chunkValue(heads.pointer, tails.pointer, i, start: start, bits: bits)) + 1] += 1 }
            for v in 0..<(1 << bits) { offsets[v + 1] += offsets[v] }
            var next = offsets
            let members = PackedIDs(count: count)
            for i in 0..<count {
                let v = Int(Self.chunkValue(heads.pointer, tails.pointer, i, start: start, bits: bits))
                members.set(Int(next[v]), UInt32(i))
                next[v] += 1
            }
            built.set(c, Chunk(start: start, bits: bits, offsets: offsets, entries: members))
        }
        self.chunks = built.values
    }

    public func entry(_ index: Int) -> Entry {
        Entry(hash: hash(index), category: categories[index], source: sources[Int(sourceIndex[index])])
    }

    public func hash(_ index: Int) -> PDQHash {
        PDQHash(words: (heads[2 * index], heads[2 * index + 1], tails[2 * index], tails[2 * index + 1]))
    }

    /// Every entry within `threshold` bits of `query`, nearest first (then by entry order).
    public func search(_ query: PDQHash, threshold: Int) -> [Hit] {
        guard count > 0, threshold >= 0 else { return [] }
        guard let probes = plans.probes(threshold: threshold, for: self) else { return bruteForce(query, threshold: threshold) }
        let q = query.words
        let qWords = [q.0, q.1, q.2, q.3]
        var hits: [Hit] = []
        let h = UnsafePointer(heads.pointer), t = UnsafePointer(tails.pointer)
        // Two passes: first every candidate's number is collected and a load of its first
        // half is started (prefetch), so that thousands of cache misses overlap; then each
        // candidate is checked, usually from cache by then.
        var buckets: [(chunk: Int, start: Int, end: Int)] = []
        buckets.reserveCapacity(probes.reduce(0) { $0 + $1.masks.count })
        for probe in probes {
            let chunk = chunks[probe.chunk]
            let own = Self.chunkValue(qWords, 0, start: chunk.start, bits: chunk.bits)
            chunk.offsets.withUnsafeBufferPointer { offsets in
                for mask in probe.masks {
                    let value = Int(own ^ mask)
                    let start = Int(offsets[value]), end = Int(offsets[value + 1])
                    if start < end {
                        chunk.entries.prefetch(start)
                        buckets.append((probe.chunk, start, end))
                    }
                }
            }
        }
        var candidates: [UInt32] = []
        candidates.reserveCapacity(8192)
        for bucket in buckets {
            let members = chunks[bucket.chunk].entries
            for slot in bucket.start..<bucket.end {
                let i = members[slot]
                triage_prefetch(h + 2 * Int(i))
                candidates.append(i)
            }
        }
        for candidate in candidates {
            let i = Int(candidate)
            let head = (h[2 * i] ^ q.0).nonzeroBitCount + (h[2 * i + 1] ^ q.1).nonzeroBitCount
            guard head <= threshold else { continue }
            let distance = head + (t[2 * i] ^ q.2).nonzeroBitCount + (t[2 * i + 1] ^ q.3).nonzeroBitCount
            if distance <= threshold { hits.append(Hit(entry: i, distance: distance)) }
        }
        // An entry near on several chunks is found several times.
        hits.sort { ($0.distance, $0.entry) < ($1.distance, $1.entry) }
        var unique: [Hit] = []
        unique.reserveCapacity(hits.count)
        for hit in hits where unique.last != hit { unique.append(hit) }
        return unique
    }

    /// Every XOR mask of `bits` bits with at most `radius` ones (0 first), computed once per
    /// (bits, radius) pair.
    static func flipMasks(bits: Int, radius: Int) -> [UInt32] {
        let key = bits << 8 | min(radius, bits)
        maskLock.lock()
        defer { maskLock.unlock() }
        if let known = maskCache[key] { return known }
        var masks: [UInt32] = []
        func flip(_ current: UInt32, from: Int, left: Int) {
            masks.append(current)
            guard left > 0 else { return }
            for bit in from..<bits { flip(current | (1 << UInt32(bit)), from: bit + 1, left: left - 1) }
        }
        flip(0, from: 0, left: min(radius, bits))
        maskCache[key] = masks
        return masks
    }

    nonisolated(unsafe) private static var maskCache: [Int: [UInt32]] = [:]  // guarded by maskLock
    private static let maskLock = NSLock()

    /// What a search at one threshold probes: for each chunk probed, the XOR masks of its radius.
    typealias Probes = [(chunk: Int, masks: [UInt32])]

    /// A radius per chunk for `threshold` (-1: the chunk is not probed), or nil when checking
    /// every entry is expected to be cheaper.
    ///
    /// Generalised pigeonhole (Qin, Xiao et al., "GPH: similarity search in Hamming space",
    /// ICDE 2018): if two hashes differ by at least radius[c] + 1 bits on every chunk c, their
    /// distance is at least the sum of those; so when that sum exceeds the threshold, every
    /// hash within it is within radius[c] of the query on some chunk. The radii need not be
    /// equal: ⌊31 / 12⌋ = 2 on each of 12 chunks sums to 36, four more than needed. Among the
    /// radii that suffice, a small dynamic programme picks those with the fewest expected
    /// reads: for each probe, the entries of an average bucket, plus a quarter for the probe.
    static func radii(threshold: Int, widths: [Int], count: Int) -> [Int]? {
        let need = threshold + 1  // Σ (radius + 1) must reach it
        var cost = [Double](repeating: .infinity, count: need + 1)
        cost[0] = 0
        var choices: [[(from: Int, radius: Int)]] = []
        for bits in widths {
            let perProbe = Double(count) / Double(1 << bits) + 0.25
            var next = [Double](repeating: .infinity, count: need + 1)
            var choice = [(from: Int, radius: Int)](repeating: (0, -1), count: need + 1)
            for reached in 0...need where cost[reached].isFinite {
                var masks = 0.0, binomial = 1.0  // Σ C(bits, k) for k ≤ radius; C(bits, radius)
                for radius in -1...min(bits, need - 1) {
                    if radius >= 0 {
                        if radius > 0 { binomial = binomial * Double(bits - radius + 1) / Double(radius) }
                        masks += binomial
                    }
                    let total = cost[reached] + (radius < 0 ? 0 : masks * perProbe)
                    let target = min(need, reached + radius + 1)
                    if total < next[target] { next[target] = total; choice[target] = (reached, radius) }
                }
            }
            cost = next
            choices.append(choice)
        }
        guard cost[need] < Double(count) else { return nil }
        var radii = [Int](repeating: -1, count: widths.count)
        var reached = need
        for c in widths.indices.reversed() {
            let step = choices[c][reached]
            radii[c] = step.radius
            reached = step.from
        }
        return radii
    }

    /// The probes of each threshold searched so far, worked out on the first search.
    final class PlanCache: @unchecked Sendable {  // every access holds the lock
        private var byThreshold: [Int: Probes?] = [:]
        private let lock = NSLock()

        func probes(threshold: Int, for index: PDQIndex) -> Probes? {
            lock.withLock {
                if let known = byThreshold[threshold] { return known }
                let probes = PDQIndex.radii(threshold: threshold, widths: index.chunks.map(\.bits), count: index.count).map { radii in
                    radii.indices.filter { radii[$0] >= 0 }.map { (chunk: $0, masks: PDQIndex.flipMasks(bits: index.chunks[$0].bits, radius: radii[$0])) }
                }
                byThreshold[threshold] = probes
                return probes
            }
        }
    }

    /// The same answer by checking every entry: the baseline, and the proof of recall in tests.
    public func bruteForce(_ query: PDQHash, threshold: Int) -> [Hit] {
        var hits: [Hit] = []
        let q = query.words
        do {
            let h = heads.pointer, t = tails.pointer
            for i in 0..<count {
                let distance = (h[2 * i] ^ q.0).nonzeroBitCount + (h[2 * i + 1] ^ q.1).nonzeroBitCount
                    + (t[2 * i] ^ q.2).nonzeroBitCount + (t[2 * i + 1] ^ q.3).nonzeroBitCount
                if distance <= threshold { hits.append(Hit(entry: i, distance: distance)) }
            }
        }
        return hits.sorted { ($0.distance, $0.entry) < ($1.distance, $1.entry) }
    }

    /// Bytes held, for the benchmark.
    public var memoryBytes: Int {
        (heads.count + tails.count) * 8 + categories.count + sourceIndex.count * 4
            + chunks.reduce(0) { $0 + $1.offsets.count * 4 + $1.entries.bytes }
    }

    /// Bits `start..<start+bits` of entry `i` (bit p lives in word p / 64 at p % 64).
    @inline(__always)
    private static func chunkValue(_ words: [UInt64], _ i: Int, start: Int, bits: Int) -> UInt32 {
        words.withUnsafeBufferPointer { chunkValue($0.baseAddress!, $0.baseAddress! + 2, i, start: start, bits: bits) }
    }

    /// Bits `start..<start+bits` of entry `i`, whose words 0–1 are at `heads[2i]` and 2–3 at
    /// `tails[2i]` (bit p lives in word p / 64 at p % 64).
    @inline(__always)
    private static func chunkValue(_ heads: UnsafePointer<UInt64>, _ tails: UnsafePointer<UInt64>, _ i: Int, start: Int, bits: Int) -> UInt32 {
        @inline(__always) func word(_ w: Int) -> UInt64 { w < 2 ? heads[2 * i + w] : tails[2 * i + w - 2] }
        let index = start / 64, offset = start % 64
        var value = word(index) >> UInt64(offset)
        if offset + bits > 64 { value |= word(index + 1) << UInt64(64 - offset) }
        return UInt32(truncatingIfNeeded: value & ((1 << UInt64(bits)) - 1))
    }
}

/// A fixed-size buffer for the index's large arrays, on transparent huge pages where the
/// kernel allows (`madvise`): a query touches thousands of random entries, and with 4 KiB pages
/// nearly every one would also miss the TLB.
final class LargeBuffer<Element>: @unchecked Sendable {  // written only while the index is built
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int) {
        self.count = count
        let hugePage = 2 << 20
        var bytes = max(count * MemoryLayout<Element>.stride, 1)
        let huge = bytes >= hugePage
        if huge { bytes = (bytes + hugePage - 1) / hugePage * hugePage }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, huge ? hugePage : 64, bytes) == 0, let raw else {
            fatalError("out of memory for a \(bytes)-byte PDQ index table")
        }
        if huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        memset(raw, 0, bytes)
        pointer = raw.bindMemory(to: Element.self, capacity: count)
    }

    deinit { free(pointer) }

    subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}

/// Results of parallel work, one slot each.
private final class LockedSlots<Value>: @unchecked Sendable {  // every access holds the lock
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

    var values: [Value] { lock.withLock { slots.map { $0! } } }
}

/// Entry numbers in 3 bytes each while there are fewer than 2^24 entries (4 beyond): the
/// chunk tables are most of the index's memory.
struct PackedIDs: @unchecked Sendable {  // written only while the index is built
    private let storage: LargeBuffer<UInt8>
    private let width: Int

    init(count: Int) {
        width = count < 1 << 24 ? 3 : 4
        storage = LargeBuffer<UInt8>(count: count * width + 1)  // +1: the last id is read as 4 bytes
    }

    var bytes: Int { storage.count }

    /// Starts loading the cache line of entry `index`.
    func prefetch(_ index: Int) { triage_prefetch(storage.pointer + index * width) }

    func set(_ index: Int, _ id: UInt32) {
        for byte in 0..<width { storage[index * width + byte] = UInt8(truncatingIfNeeded: id >> UInt32(8 * byte)) }
    }

    @inline(__always)
    subscript(index: Int) -> UInt32 {
        let word = UnsafeRawPointer(storage.pointer + index * width).loadUnaligned(as: UInt32.self)
        return width == 4 ? word : word & 0x00FF_FFFF
    }
}
