import HashDatabase
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

    /// Past 4M entries the index switches to 12 wider chunks (radius 2 per chunk at distance
    /// 31); the same proof for that layout, and for others.
    @Test(arguments: [12, 24, 32])
    func otherChunkLayoutsAreExactToo(chunks: Int) {
        var rng = SplitMix(state: 42)
        var hashes = (0..<200_000).map { _ in Self.random(&rng) }
        for i in 0..<200 { hashes[i * 1000 + 1] = Self.flip(hashes[i * 1000], bits: i % 32, &rng) }
        let index = PDQIndex(hashes.map { PDQIndex.Entry(hash: $0, category: .a, source: "s") }, chunkCount: chunks)
        for i in 0..<200 {
            let probe = Self.flip(hashes[i * 1000], bits: (i * 7) % 20, &rng)
            #expect(index.search(probe, threshold: 31) == index.bruteForce(probe, threshold: 31), "query \(i)")
        }
    }
}
