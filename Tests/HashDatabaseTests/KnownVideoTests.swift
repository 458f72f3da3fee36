import Foundation
import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// Known videos: vPDQ lists read, stored, exported and matched by ThreatExchange's rule.
@Suite struct KnownVideoTests {
    let temp = TemporaryDirectory()

    static func randomHash(_ random: inout SplitMix) -> PDQHash {
        PDQHash(words: (random.next(), random.next(), random.next(), random.next()))
    }

    /// The hash with `bits` of its bits flipped (the first ones).
    static func flipped(_ hash: PDQHash, _ bits: Int) -> PDQHash {
        var bytes = hash.bytes
        for bit in 0..<bits { bytes[bit / 8] ^= 1 << UInt8(bit % 8) }
        return PDQHash(bytes: bytes)
    }

    static func frames(_ hashes: [PDQHash], quality: Int = 100) -> [VideoFrameHash] {
        hashes.enumerated().map { VideoFrameHash(frame: $0.offset * 25, microseconds: Int64($0.offset) * 1_000_000, pdq: PDQSignature(hash: $0.element, quality: quality)) }
    }

    // MARK: The format

    @Test func readsVPDQLinesWithAndWithoutTimestampsAndSeveralVideos() {
        let hash = String(repeating: "ab", count: 32)
        let text = """
            # made by vpdq
            0,100,\(hash),0.000
            30,90,\(hash),1.001\r
            60,80,\(hash)

            # video second clip
            0,100,\(hash),0.5
            not,a,frame
            1,101,\(hash),1.0
            2,50,\(hash.dropLast()),2.0
            """
        var problems: [ImportProblem] = []
        let videos = VPDQFormat.read(Array(text.utf8), defaultName: "first") { problems.append($0) }
        #expect(videos.map(\.name) == ["first", "second clip"])
        #expect(videos[0].frames.map(\.frame) == [0, 30, 60] && videos[0].frames.map(\.microseconds) == [0, 1_001_000, 0])
        #expect(videos[0].frames.map(\.pdq.quality) == [100, 90, 80])
        #expect(videos[1].frames.count == 1 && videos[1].frames[0].microseconds == 500_000)
        #expect(problems.map(\.location) == ["line 8", "line 9", "line 10"])
        #expect(VPDQFormat.recognises(head: Array(text.utf8)))
        #expect(!VPDQFormat.recognises(head: Array("\(hash),100\n".utf8)))
    }

    @Test func importThenExportThenImportAgainGivesTheSameVideos() throws {
        var random = SplitMix(state: 7)
        let clip = Self.frames((0..<12).map { _ in Self.randomHash(&random) })
        let file = temp.url("clip.vpdq")
        try VPDQFormat.lines(clip).write(toFile: file, atomically: true, encoding: .utf8)
        let database = try SQLiteHashDatabase(path: temp.url("one.sqlite"))
        let before = try database.fingerprint()
        let outcome = try HashSetImporter(store: database).importVideos(file, into: database, category: .b)
        #expect(outcome.record.counts.added == 1 && outcome.problems.isEmpty)
        #expect(try database.fingerprint() != before)
        let again = try HashSetImporter(store: database).importVideos(file, into: database, category: .b)
        #expect(again.record.counts.added == 0 && again.record.counts.alreadyPresent == 1)
        let stored = try database.knownVideos()
        #expect(stored == [KnownVideo(name: "clip", category: .b, source: "clip.vpdq", frames: clip)])
        #expect(try database.info().knownVideos == 1)

        let exported = temp.url("all.vpdq")
        let text = stored.map { "# video \($0.name)\n" + VPDQFormat.lines($0.frames) }.joined()
        try text.write(toFile: exported, atomically: true, encoding: .utf8)
        let other = try SQLiteHashDatabase(path: temp.url("two.sqlite"))
        _ = try HashSetImporter(store: other).importVideos(exported, into: other, category: .b, source: "clip.vpdq")
        #expect(try other.knownVideos() == stored)
        #expect(try other.fingerprint() == database.fingerprint())
    }

    @Test func aFileWithNoFrameIsRefused() throws {
        let file = temp.url("empty.vpdq")
        try "# nothing\nhello\n".write(toFile: file, atomically: true, encoding: .utf8)
        let database = try SQLiteHashDatabase(path: temp.url("one.sqlite"))
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: database).importVideos(file, into: database, category: .a) }
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: database).importVideos(file, into: database, category: nil) }
    }

    // MARK: Matching

    /// A known video of 10 frames; the scanned video has 8 of them (re-encoded: a few bits off)
    /// among 12 frames of other footage: 80 % of the known video is found, a match; with 7, not.
    @Test func aKnownVideoMatchesWhenEightyPercentOfItsFramesAreFound() {
        var random = SplitMix(state: 11)
        let known = (0..<10).map { _ in Self.randomHash(&random) }
        let index = KnownVideoIndex([KnownVideo(name: "k", category: .a, source: "set", frames: Self.frames(known))], qualityFloor: 50)
        let other = (0..<12).map { _ in Self.randomHash(&random) }
        let scanned = Self.frames(other + known.prefix(8).map { Self.flipped($0, 9) })
        let found = index.matches(scanned, threshold: 31, qualityFloor: 50)
        #expect(found.count == 1)
        #expect(found.first?.knownShare == 0.8 && found.first?.queryShare == 8.0 / 20)
        #expect(found.first?.distance == 9 && found.first?.frameTimes == (12..<20).map { Int64($0) * 1_000_000 })
        let fewer = Self.frames(other + known.prefix(7).map { Self.flipped($0, 9) })
        #expect(index.matches(fewer, threshold: 31, qualityFloor: 50).isEmpty)
        // Too far apart: nothing.
        #expect(index.matches(Self.frames(known.map { Self.flipped($0, 40) }), threshold: 31, qualityFloor: 50).isEmpty)
    }

    /// Frames under the quality floor count on neither side.
    @Test func framesUnderTheQualityFloorAreLeftOut() {
        var random = SplitMix(state: 13)
        let good = (0..<4).map { _ in Self.randomHash(&random) }
        let poor = (0..<6).map { _ in Self.randomHash(&random) }
        let knownFrames = Self.frames(good) + Self.frames(poor, quality: 20)
        let index = KnownVideoIndex([KnownVideo(name: "k", category: .c, source: "set", frames: knownFrames)], qualityFloor: 50)
        #expect(index.frameCount == 4)
        let found = index.matches(Self.frames(good) + Self.frames(poor, quality: 20), threshold: 31, qualityFloor: 50)
        #expect(found.first?.knownShare == 1 && found.first?.queryShare == 1)
    }
}
