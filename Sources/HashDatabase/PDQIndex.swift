import TriageCore

/// Every PDQ hash in the database, in memory, for exact near-neighbour search in Hamming space.
///
/// Multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in Hamming space with
/// multi-index hashing", CVPR 2012): the 256 bits are cut into `m` chunks; two hashes within
/// distance T agree to within ⌊T / m⌋ bits on at least one chunk (pigeonhole). So a query
/// looks up, in each chunk's table, every chunk value within that many bits of its own, and
/// checks the full distance of each entry found. Recall is exact by construction; tests prove
/// it against `bruteForce`.
///
/// Memory: 32 bytes per hash, 4 bytes per hash per chunk for the tables' entry lists, and
/// 4 bytes per possible chunk value for their offsets. 16 chunks of 16 bits up to 4M hashes
/// (about 97 bytes per hash); 12 chunks of 21–22 bits beyond, where 16-bit buckets would be
/// too full (about 95 bytes per hash at 10M).
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
    /// Four words per entry, contiguous: the checks of the candidates read nothing else.
    private let words: [UInt64]
    private let categories: [Category]
    private let sourceIndex: [UInt32]
    private let sources: [String]
    private let chunks: [Chunk]

    /// One chunk: which bits, and the entries by chunk value (CSR layout).
    private struct Chunk: Sendable {
        var start: Int
        var bits: Int
        var offsets: [UInt32]   // 2^bits + 1
        var entries: [UInt32]   // count, grouped by value
    }

    /// - Parameter chunkCount: 12 to 32 (fewer would make each chunk table too large); by
    ///   default chosen from the number of entries.
    public init(_ entries: [Entry], chunkCount: Int? = nil) {
        count = entries.count
        var words = [UInt64](repeating: 0, count: entries.count * 4)
        var names: [String: UInt32] = [:]
        var sources: [String] = []
        var sourceIndex = [UInt32](repeating: 0, count: entries.count)
        for (i, entry) in entries.enumerated() {
            words[4 * i] = entry.hash.words.0
            words[4 * i + 1] = entry.hash.words.1
            words[4 * i + 2] = entry.hash.words.2
            words[4 * i + 3] = entry.hash.words.3
            if let known = names[entry.source] {
                sourceIndex[i] = known
            } else {
                names[entry.source] = UInt32(sources.count)
                sourceIndex[i] = UInt32(sources.count)
                sources.append(entry.source)
            }
        }
        self.words = words
        self.sources = sources
        self.sourceIndex = sourceIndex
        categories = entries.map(\.category)

        let chunkCount = min(max(chunkCount ?? (entries.count <= 4_000_000 ? 16 : 12), 12), 32)  // chunks of at most 22 bits
        var chunks: [Chunk] = []
        var start = 0
        for c in 0..<chunkCount {
            let bits = (256 - start) / (chunkCount - c)
            var offsets = [UInt32](repeating: 0, count: (1 << bits) + 1)
            for i in 0..<entries.count { offsets[Int(Self.chunkValue(words, i, start: start, bits: bits)) + 1] += 1 }
            for v in 0..<(1 << bits) { offsets[v + 1] += offsets[v] }
            var next = offsets
            var members = [UInt32](repeating: 0, count: entries.count)
            for i in 0..<entries.count {
                let v = Int(Self.chunkValue(words, i, start: start, bits: bits))
                members[Int(next[v])] = UInt32(i)
                next[v] += 1
            }
            chunks.append(Chunk(start: start, bits: bits, offsets: offsets, entries: members))
            start += bits
        }
        self.chunks = chunks
    }

    public func entry(_ index: Int) -> Entry {
        Entry(hash: hash(index), category: categories[index], source: sources[Int(sourceIndex[index])])
    }

    public func hash(_ index: Int) -> PDQHash {
        PDQHash(words: (words[4 * index], words[4 * index + 1], words[4 * index + 2], words[4 * index + 3]))
    }

    /// Every entry within `threshold` bits of `query`, nearest first (then by entry order).
    public func search(_ query: PDQHash, threshold: Int) -> [Hit] {
        guard count > 0, threshold >= 0 else { return [] }
        let q = [query.words.0, query.words.1, query.words.2, query.words.3]
        let radius = threshold / chunks.count
        var hits: [Hit] = []
        words.withUnsafeBufferPointer { words in
            for chunk in chunks {
                let own = Self.chunkValue(q, 0, start: chunk.start, bits: chunk.bits)
                chunk.offsets.withUnsafeBufferPointer { offsets in
                    chunk.entries.withUnsafeBufferPointer { members in
                        Self.forEachValue(near: own, bits: chunk.bits, radius: radius) { value in
                            for slot in Int(offsets[Int(value)])..<Int(offsets[Int(value) + 1]) {
                                let i = Int(members[slot])
                                let distance = (words[4 * i] ^ q[0]).nonzeroBitCount + (words[4 * i + 1] ^ q[1]).nonzeroBitCount
                                    + (words[4 * i + 2] ^ q[2]).nonzeroBitCount + (words[4 * i + 3] ^ q[3]).nonzeroBitCount
                                if distance <= threshold { hits.append(Hit(entry: i, distance: distance)) }
                            }
                        }
                    }
                }
            }
        }
        // An entry near on several chunks is found several times.
        return Array(Set(hits)).sorted { ($0.distance, $0.entry) < ($1.distance, $1.entry) }
    }

    /// The same answer by checking every entry: the baseline, and the proof of recall in tests.
    public func bruteForce(_ query: PDQHash, threshold: Int) -> [Hit] {
        var hits: [Hit] = []
        let q = query.words
        words.withUnsafeBufferPointer { w in
            for i in 0..<count {
                let distance = (w[4 * i] ^ q.0).nonzeroBitCount + (w[4 * i + 1] ^ q.1).nonzeroBitCount
                    + (w[4 * i + 2] ^ q.2).nonzeroBitCount + (w[4 * i + 3] ^ q.3).nonzeroBitCount
                if distance <= threshold { hits.append(Hit(entry: i, distance: distance)) }
            }
        }
        return hits.sorted { ($0.distance, $0.entry) < ($1.distance, $1.entry) }
    }

    /// Bytes held, for the benchmark.
    public var memoryBytes: Int {
        words.count * 8 + categories.count + sourceIndex.count * 4
            + chunks.reduce(0) { $0 + $1.offsets.count * 4 + $1.entries.count * 4 }
    }

    /// Bits `start..<start+bits` of entry `i` (bit p lives in word p / 64 at p % 64).
    @inline(__always)
    private static func chunkValue(_ words: [UInt64], _ i: Int, start: Int, bits: Int) -> UInt32 {
        let word = start / 64, offset = start % 64
        var value = words[4 * i + word] >> UInt64(offset)
        if offset + bits > 64 { value |= words[4 * i + word + 1] << UInt64(64 - offset) }
        return UInt32(truncatingIfNeeded: value & ((1 << UInt64(bits)) - 1))
    }

    /// Calls `visit` with every value within `radius` bit flips of `value` (itself included).
    private static func forEachValue(near value: UInt32, bits: Int, radius: Int, _ visit: (UInt32) -> Void) {
        func flip(_ current: UInt32, from: Int, left: Int) {
            visit(current)
            guard left > 0 else { return }
            for bit in from..<bits { flip(current ^ (1 << UInt32(bit)), from: bit + 1, left: left - 1) }
        }
        flip(value, from: 0, left: min(radius, bits))
    }
}
