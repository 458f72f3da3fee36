@testable import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// The near-match index must find exactly what checking every entry finds.
@Suite struct PDQIndexTests {
    static func random(_ rng: inout SplitMix) -> PDQHash {
        PDQHash(words: (rng.next(), rng.next(), rng.next(), rng.next()))
    }

    static func flip(_ hash: PDQHash, bits: Int, _ rng: inout SplitMix) -> PDQHash {
        var chosen = Set<Int>()
        while chosen.count < bits { chosen.insert(Int(rng.next() % 256)) }
        var words = [hash.words.0, hash.words.1, hash.words.2, hash.words.3]
        for bit in chosen { words[bit / 64] ^= 1 << UInt64(bit % 64) }
        return PDQHash(words: (words[0], words[1], words[2], words[3]))
    }

    /// Random hashes plus clusters of near-duplicates; queries at every distance 0–40.
    @Test(arguments: [20_000, 5_000])
    func recallEqualsBruteForce(count: Int) {
        var rng = SplitMix(state: UInt64(count))
        var hashes: [PDQHash] = []
        while hashes.count < count {
            let centre = Self.random(&rng)
            hashes.append(centre)
            if rng.next() % 10 == 0 {
                for _ in 0..<Int(rng.next() % 8) { hashes.append(Self.flip(centre, bits: Int(rng.next() % 25) + 1, &rng)) }
            }
        }
        let index = PDQIndex(hashes.map { PDQIndex.Entry(hash: $0, category: .a, source: "test") })
        for query in 0..<400 {
            let base = hashes[Int(rng.next() % UInt64(hashes.count))]
            let probe = query % 10 == 9 ? Self.random(&rng) : Self.flip(base, bits: query % 41, &rng)
            for threshold in [31, 10, 0] {
                #expect(index.search(probe, threshold: threshold) == index.bruteForce(probe, threshold: threshold),
                        "query \(query), threshold \(threshold)")
            }
        }
    }

    @Test func entriesKeepCategoryAndSource() {
        let near = PDQHash(settingBits: 0..<128)
        let index = PDQIndex([PDQIndex.Entry(hash: near, category: .b, source: "one"),
                              PDQIndex.Entry(hash: PDQHash(settingBits: 128..<256), category: .c, source: "two")])
        let hits = index.search(PDQHash(settingBits: 1..<128), threshold: 31)
        #expect(hits.count == 1 && hits[0].distance == 1)
        #expect(index.entry(hits[0].entry) == PDQIndex.Entry(hash: near, category: .b, source: "one"))
        #expect(PDQIndex([]).search(near, threshold: 31).isEmpty)
    }

    /// From 1M entries the index uses 14 wider chunks, past 4M 12, where the radii per chunk
    /// differ (at distance 31 on 12 chunks: radius 2 on eight, 1 on four); the same proof for
    /// those layouts, and for others, at several thresholds.
    @Test(arguments: [12, 14, 24, 32])
    func otherChunkLayoutsAreExactToo(chunks: Int) {
        var rng = SplitMix(state: 42)
        var hashes = (0..<200_000).map { _ in Self.random(&rng) }
        for i in 0..<200 { hashes[i * 1000 + 1] = Self.flip(hashes[i * 1000], bits: i % 40, &rng) }
        let index = PDQIndex(hashes.map { PDQIndex.Entry(hash: $0, category: .a, source: "s") }, chunkCount: chunks)
        for i in 0..<200 {
            let probe = Self.flip(hashes[i * 1000], bits: (i * 7) % 24, &rng)
            for threshold in [31, 40, 17, 3] {
                #expect(index.search(probe, threshold: threshold) == index.bruteForce(probe, threshold: threshold),
                        "query \(i), threshold \(threshold)")
            }
        }
    }

    /// Whatever the threshold, the radii chosen cover it: were every chunk one bit further
    /// than its radius, the distance would pass the threshold. Beyond what probing can do
    /// cheaply, the search checks every entry (and still answers exactly).
    @Test func radiiCoverEveryThreshold() {
        for widths in [[Int](repeating: 16, count: 16), [18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19],
                       [21, 21, 21, 21, 21, 21, 21, 21, 22, 22, 22, 22]] {
            for threshold in 0...80 {
                guard let radii = PDQIndex.radii(threshold: threshold, widths: widths, count: 10_000_000) else {
                    #expect(threshold > 31, "threshold \(threshold) on \(widths.count) chunks falls back to checking every entry")
                    continue
                }
                #expect(radii.reduce(0) { $0 + $1 + 1 } > threshold, "threshold \(threshold), radii \(radii)")
                #expect(zip(radii, widths).allSatisfy { $0 >= -1 && $0 <= $1 })
            }
        }
        let twelve = PDQIndex.radii(threshold: 31, widths: [21, 21, 21, 21, 21, 21, 21, 21, 22, 22, 22, 22], count: 10_000_000)
        #expect(twelve?.reduce(0) { $0 + $1 + 1 } == 32, "no more than the pigeonhole needs: \(twelve ?? [])")
        #expect(PDQIndex.radii(threshold: 31, widths: [Int](repeating: 16, count: 16), count: 1_000_000) == [Int](repeating: 1, count: 16))
    }
}
