import CaseStore
import Foundation
import Review
import Testing
import TriageCore
import TriageTestSupport

/// A video's storyboard and the segment decisions made on it.
@Suite struct StoryboardTests {
    let temp = TemporaryDirectory()
    static let video = TestPaths.fixtures + "/video/evidence/Movies/beach-trip.mp4"

    func storyboard() throws -> Storyboard {
        try TestPaths.bytes(Self.video).withUnsafeBytes { try Storyboard.make($0, duration: 9) }
    }

    /// 20 frames spread over the 9 s, in 4 rows of 5, in colour.
    @Test func twentyTilesSpreadOverTheVideo() throws {
        let board = try storyboard()
        #expect(board.times.count == 20 && board.columns == 5 && board.rows == 4 && board.duration == 9_000_000)
        #expect(board.times.first == 0 && zip(board.times, board.times.dropFirst()).allSatisfy { $0 < $1 } && board.times.last! < 9_000_000)
        let width = 5 * 400 + 4 * 4, height = 4 * 300 + 3 * 4
        #expect(board.raster.width == width && board.raster.height == height)
        // Colour: some pixel has channels that differ (the gradient and the meadow are coloured).
        let pixels = board.raster.pixels
        let coloured = stride(from: 0, to: pixels.count, by: 3).contains { (offset: Int) -> Bool in
            pixels[offset] != pixels[offset + 1] || pixels[offset + 1] != pixels[offset + 2]
        }
        #expect(coloured)
        #expect(board.end(ofTile: 19) == 9_000_000 && board.end(ofTile: 3) == board.times[4])
        let frame = board.tileFrame(7, width: 500, height: 400)
        #expect(frame.x == 200 && frame.y == 100 && frame.width == 100 && frame.height == 100)
    }

    @Test func theSelectedTileIsFramed() throws {
        let board = try storyboard()
        let picture = Raster(width: 500, height: 400, pixels: [UInt8](repeating: 0, count: 500 * 400 * 3))
        let marked = board.markingTile(7, on: picture)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(marked.pixels[(y * 500 + x) * 3..<(y * 500 + x) * 3 + 3]) }
        #expect(pixel(200, 150) == [255, 200, 0] && pixel(250, 150) == [0, 0, 0] && pixel(100, 150) == [0, 0, 0])
    }

    @Test func unreadableBytesGiveNoStoryboard() {
        #expect(throws: (any Error).self) { try Array("no video".utf8).withUnsafeBytes { try Storyboard.make($0, duration: nil) } }
    }

    /// Marking tiles 3 to 7 and pressing a makes a decision about that segment only; a second
    /// segment of C leaves the video A (its most severe); undo withdraws the last segment.
    @Test func segmentsAreDecidedFromTheStoryboard() throws {
        let review = try ReviewCase(in: temp, [.init(seed: 1, paths: ["a-clip.mp4"], moving: true), .init(seed: 2, paths: ["b.png"])])
        let session = try review.session()
        #expect(session.current?.first.result.kind == .moving)
        let board = try storyboard()
        session.showStoryboard(board)
        for key: ReviewKey in [.tileNext, .tileNext, .segmentStart, .tileNext, .tileNext, .tileNext, .tileNext, .segmentEnd] { try session.handle(key) }
        #expect(session.markedSegment == VideoSegment(start: board.times[2], end: board.times[7]))
        try session.handle(.categorise(.a))
        #expect(session.current?.first.result.path.display == "a-clip.mp4", "a segment decision stays on the video")
        #expect(session.current?.status == .decided(.a) && session.markedSegment == nil)
        for key: ReviewKey in [.tileNext, .segmentStart, .segmentEnd, .categorise(.c)] { try session.handle(key) }
        #expect(session.current?.status == .decided(.a))
        var decision = try review.store.currentDecisions()[ReviewCase.sha256(1)]!
        #expect(decision.category == .a && decision.inForce.count == 2)
        #expect(decision.inForce.map(\.segment) == [VideoSegment(start: board.times[2], end: board.times[7]),
                                                     VideoSegment(start: board.times[7], end: board.times[8])])
        try session.handle(.undo)
        decision = try review.store.currentDecisions()[ReviewCase.sha256(1)]!
        #expect(decision.inForce.count == 1 && decision.category == .a)
        #expect(try review.store.verify().problems.isEmpty)
        // A still has no storyboard: the keys say so and change nothing.
        try session.handle(.next)
        session.showStoryboard(nil)
        try session.handle(.segmentStart)
        #expect(session.message?.hasPrefix("No storyboard") == true && session.segmentStartTile == nil)
    }

    /// The case store's rule: the latest decision per segment, the most severe of those.
    @Test func theLatestDecisionPerSegmentAndTheMostSevereOfThem() throws {
        let review = try ReviewCase(in: temp, [.init(seed: 1, paths: ["clip.mp4"], moving: true), .init(seed: 2, paths: ["b.png"])])
        let store = review.store
        let sha = ReviewCase.sha256(1)
        let early = VideoSegment(start: 0, end: 2_000_000), late = VideoSegment(start: 5_000_000, end: 6_000_000)
        _ = try store.categorise(sha256: sha, as: .c, examiner: "J Smith", note: nil)
        _ = try store.categorise(sha256: sha, as: .a, examiner: "J Smith", note: nil, segment: early)
        #expect(try store.currentDecisions()[sha]?.category == .a)
        _ = try store.categorise(sha256: sha, as: .n, examiner: "J Smith", note: nil, segment: early)  // changed mind about it
        #expect(try store.currentDecisions()[sha]?.category == .c)
        _ = try store.categorise(sha256: sha, as: .b, examiner: "J Smith", note: nil, segment: late)
        let decision = try store.currentDecisions()[sha]!
        #expect(decision.category == .b && decision.inForce.count == 3)
        #expect(throws: CaseStoreError.self) {
            try store.categorise(sha256: ReviewCase.sha256(2), as: .a, examiner: "J Smith", note: nil, segment: early)
        }
        // A whole-video decision replaces every earlier one: the video can always be re-graded.
        _ = try store.categorise(sha256: sha, as: .n, examiner: "J Smith", note: nil)
        #expect(try store.currentDecisions()[sha]?.category == .n && store.currentDecisions()[sha]?.inForce.count == 1)
        // A segment replaces the segments inside it, not those it only overlaps.
        let wide = VideoSegment(start: 0, end: 10_000_000), inner = VideoSegment(start: 2_000_000, end: 5_000_000)
        let overlapping = VideoSegment(start: 9_000_000, end: 12_000_000)
        _ = try store.categorise(sha256: sha, as: .a, examiner: "J Smith", note: nil, segment: inner)
        _ = try store.categorise(sha256: sha, as: .b, examiner: "J Smith", note: nil, segment: overlapping)
        _ = try store.categorise(sha256: sha, as: .c, examiner: "J Smith", note: nil, segment: wide)
        let now = try store.currentDecisions()[sha]!
        #expect(now.category == .b && now.inForce.map(\.segment) == [nil, overlapping, wide])
        #expect(try store.verify().problems.isEmpty)
        #expect(VideoSegment(parsing: "0:12-0:45.5") == VideoSegment(start: 12_000_000, end: 45_500_000))
        #expect(VideoSegment(parsing: "1:02:03-1:05:00") == VideoSegment(start: 3_723_000_000, end: 3_900_000_000))
        #expect(VideoSegment(parsing: "12-45") == VideoSegment(start: 12_000_000, end: 45_000_000))
        for bad in ["45-12", "0:61-1:00", "a-b", "12", "1:2:3:4-5", "-5-6"] { #expect(VideoSegment(parsing: bad) == nil, "\(bad)") }
    }
}
