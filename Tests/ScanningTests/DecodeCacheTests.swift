import Evidence
import Foundation
import Testing
import TriageCore
import TriageTestSupport
@testable import Scanning

/// A copy of an image already decoded in the scan takes the first one's outcome, and that
/// outcome is exactly what decoding the copy would have given: good, damaged, refused and
/// low-quality images alike.
@Suite struct DecodeCacheTests {
    @Test func copiesGetWhatTheirOwnDecodeWouldGive() throws {
        let temp = TemporaryDirectory()
        let decode = TestPaths.fixtures + "/imaging/decode"
        let names = ["rgb.jpg", "truncated.jpg", "huge.png", "four.png", "webp-lossy.webp", "grey.png"]
        let tree = EvidenceTreeBuilder(root: temp.path)
        for name in names {
            let bytes = TestPaths.bytes(decode + "/" + name)
            tree.file("first/" + name, bytes)
            tree.file("second/copy-of-" + name, bytes)
        }
        let root = try EvidenceRoot(path: temp.path)
        var entries: [WalkEntry] = []
        Walker(root: root).walk { entries.append($0) }
        #expect(entries.count == 2 * names.count)

        func scan(cache: DecodeCache?) throws -> [String: ItemResult] {
            // Two workers sharing one cache, as in a scan.
            let workers = [try FileExaminer(hashAll: false, decodeCache: cache), try FileExaminer(hashAll: false, decodeCache: cache)]
            var results: [String: ItemResult] = [:]
            for (index, entry) in entries.enumerated() {
                workers[index % 2].examine(entry, in: root) { results[$0.path.display] = $0 }
            }
            return results
        }
        let cache = DecodeCache()
        let cached = try scan(cache: cache)
        let decodedEach = try scan(cache: nil)
        #expect(cache.hits == names.count, "each copy served from the cache")
        for name in names {
            for path in ["first/" + name, "second/copy-of-" + name] {
                let mine = try #require(cached[path]), own = try #require(decodedEach[path])
                #expect(mine.pdq == own.pdq && mine.image == own.image && mine.dihedral == own.dihedral, "\(path)")
                #expect(mine.disposition == own.disposition && mine.reason == own.reason, "\(path): \(mine.disposition) \(mine.reason ?? "")")
            }
        }
        // The set covers what a copy must repeat: a damaged decode and a refused one.
        #expect(cached["second/copy-of-truncated.jpg"]?.disposition == .damaged)
        #expect(cached["second/copy-of-huge.png"]?.disposition == .dimensionLimit)
    }

    @Test func aFullCacheKeepsNothingMore() {
        let cache = DecodeCache(capacity: 1)
        let outcome = DecodeCache.Outcome(disposition: .processed)
        cache.keep(outcome, forSHA256: [1])
        cache.keep(outcome, forSHA256: [2])
        #expect(cache.outcome(forSHA256: [1]) != nil)
        #expect(cache.outcome(forSHA256: [2]) == nil)
        #expect(cache.hits == 1)
    }
}
