import CaseStore
import Foundation
import Review
import Testing
import TriageCore
import TriageTestSupport

/// A case built in a temporary directory with the real store: contents by seed, with PDQ
/// hashes so that near-duplicates can be made on purpose.
struct ReviewCase {
    let directory: String
    let store: CaseStore

    struct Content {
        var seed: UInt8
        var paths: [String]
        /// PDQ bits set (nil: no PDQ), quality 100.
        var pdqBits: [Int]? = nil
        var matches: [Category] = []
        /// A video instead of a still.
        var moving = false
    }

    static func sha256(_ seed: UInt8) -> [UInt8] { [UInt8](repeating: seed, count: 32) }

    init(in temp: TemporaryDirectory, _ contents: [Content]) throws {
        directory = temp.url("case")
        store = try CaseStore(directory: directory, create: true)
        var items: [RecordedItem] = []
        for content in contents {
            for path in content.paths {
                var result = ItemResult(path: ForensicPath(relativePath: Array(path.utf8)), size: 1000, disposition: .processed,
                                        mime: content.moving ? "video/mp4" : "image/png", kind: content.moving ? .moving : .still)
                result.digests = Digests(md5: [UInt8](repeating: content.seed, count: 16), sha1: [UInt8](repeating: content.seed, count: 20),
                                         sha256: Self.sha256(content.seed))
                if let bits = content.pdqBits { result.pdq = PDQSignature(hash: PDQHash(settingBits: bits), quality: 100) }
                items.append(RecordedItem(result: result, matches: content.matches.map {
                    KnownMatch(category: $0, basis: .exact, hashType: .sha256, source: "test set")
                }))
            }
        }
        let scan = try store.beginScan(ScanDescription(exhibit: "EX/1", roots: ["/evidence"], examiner: "Tester", hashDatabasePath: "/db",
                                                       hashDatabaseFingerprint: "f", hashDatabaseEntries: 1, hashDatabaseSources: ["test"],
                                                       settings: [:]))
        try store.record(items, exhibit: "EX/1", source: "/evidence", scan: scan)
        try store.finishScan(scan, examiner: "Tester", summary: ["items": items.count])
    }

    func session(examiner: String = "J Smith", breaks: BreakPolicy = BreakPolicy(items: 0, minutes: 0),
                 clock: @escaping () -> Double = { 0 }) throws -> ReviewSession {
        let reopened = try CaseStore(directory: directory, create: false)
        return ReviewSession(items: try ReviewQueue.load(from: reopened), store: reopened, examiner: examiner, breaks: breaks, clock: clock)
    }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    var now = 1000.0
    var read: () -> Double { { self.now } }
}

@Suite struct ReviewSessionTests {
    let temp = TemporaryDirectory()

    /// Three contents: one with three instances, two near-duplicates (4 bits apart), one far away.
    func sampleCase() throws -> ReviewCase {
        try ReviewCase(in: temp, [
            .init(seed: 1, paths: ["a/one.png", "b/one.png", "c/one.png"], pdqBits: Array(0..<128)),
            .init(seed: 2, paths: ["near/x.png"], pdqBits: Array(128..<256)),
            .init(seed: 3, paths: ["near/y.png"], pdqBits: Array(132..<256)),
            .init(seed: 4, paths: ["known.png"], pdqBits: Array(0..<128) + [200], matches: [.b]),
        ])
    }

    @Test func queueGroupsNearDuplicatesAndOrdersByInstances() throws {
        let session = try sampleCase().session()
        #expect(session.items.map(\.instanceCount) == [3, 2])
        #expect(session.items[1].sha256s == [ReviewCase.sha256(2), ReviewCase.sha256(3)])
        #expect(session.items[1].spread == 4)
        // The known content one bit away suggests B for the first item, without applying it.
        #expect(session.items[0].suggestion?.category == .b)
        #expect(session.items[0].suggestion?.distance == 1)
        #expect(session.items[0].status == .pending)
    }

    @Test func aDecisionIsSavedForEveryInstanceAndMovesOn() throws {
        let review = try sampleCase()
        let session = try review.session()
        try session.handle(.categorise(.a))
        #expect(session.position == 1)
        #expect(session.message?.contains("3 instances") == true)
        // Committed before the next item is drawn: another connection already sees it.
        let other = try CaseStore(directory: review.directory, create: false)
        #expect(try other.currentDecisions()[ReviewCase.sha256(1)]?.category == .a)
        #expect(try other.currentDecisions()[ReviewCase.sha256(1)]?.examiner == "J Smith")
    }

    @Test func aGroupDecisionAppliesToEveryContentAndOneUndoWithdrawsIt() throws {
        let review = try sampleCase()
        let session = try review.session()
        try session.handle(.next)
        try session.handle(.categorise(.c))
        let decisions = try review.store.currentDecisions()
        #expect(decisions[ReviewCase.sha256(2)]?.category == .c && decisions[ReviewCase.sha256(3)]?.category == .c)
        try session.handle(.undo)
        #expect(session.position == 1)
        #expect(session.items[1].status == .pending)
        #expect(try review.store.currentDecisions().isEmpty)
        #expect(try review.store.verify().isIntact)
    }

    @Test func splittingAGroupMakesOneItemPerContent() throws {
        let review = try sampleCase()
        let session = try review.session()
        try session.handle(.next)
        try session.handle(.split)
        #expect(session.items.map(\.instanceCount) == [3, 1, 1])
        try session.handle(.categorise(.n))
        #expect(try review.store.currentDecisions().keys.map { $0 } == [ReviewCase.sha256(2)])
        #expect(session.position == 2)
        // Nothing to split in a single content.
        try session.handle(.split)
        #expect(session.message?.contains("Nothing to split") == true)
    }

    @Test func skipLeavesItPendingAndTheQueueWrapsToIt() throws {
        let session = try sampleCase().session()
        try session.handle(.skip)
        #expect(session.position == 1)
        try session.handle(.categorise(.b))
        #expect(session.position == 0)
        #expect(session.pendingCount == 1)
        try session.handle(.categorise(.b))
        #expect(session.pendingCount == 0)
        #expect(session.message?.contains("Every item in the queue is decided") == true)
    }

    @Test func undoIsUnlimitedAndWorksAfterARestart() throws {
        let review = try sampleCase()
        var session = try review.session()
        try session.handle(.categorise(.a))
        try session.handle(.categorise(.c))
        #expect(session.pendingCount == 0)
        // Quit and reopen: the queue is empty, and undo brings the last decision back.
        try session.handle(.quit)
        #expect(session.hasQuit)
        session = try review.session()
        #expect(session.items.isEmpty)
        try session.handle(.undo)
        #expect(session.items.map(\.instanceCount) == [2])
        #expect(session.current?.status == .pending)
        try session.handle(.undo)
        #expect(session.items.map(\.instanceCount) == [3, 2])
        #expect(session.position == 0)
        try session.handle(.undo)
        #expect(session.message?.contains("Nothing to undo") == true)
        #expect(try review.store.auditEntries().filter { $0.action == "undo" }.count == 2)
    }

    @Test func reopeningResumesAtTheFirstPendingItem() throws {
        let review = try sampleCase()
        let first = try review.session()
        try first.handle(.categorise(.b))
        let second = try review.session()
        #expect(second.items.count == 1)
        #expect(second.current?.sha256s == [ReviewCase.sha256(2), ReviewCase.sha256(3)])
    }

    @Test func revealsAreTimedLedgeredAndEndWhenTheItemChanges() throws {
        let review = try sampleCase()
        let clock = ManualClock()
        let session = try review.session(clock: clock.read)
        #expect(!session.isRevealed && session.isGrey)
        try session.handle(.reveal)
        #expect(session.isRevealed)
        clock.now += 2.5
        try session.handle(.reveal)  // blurred again by hand
        try session.handle(.reveal)
        clock.now += 1
        try session.handle(.toggleGrey)
        #expect(!session.isGrey)
        try session.handle(.categorise(.a))  // moving on blurs and greys again
        #expect(!session.isRevealed && session.isGrey)
        try session.handle(.reveal)
        clock.now += 4
        try session.handle(.quit)
        #expect(try review.store.exposure() == [Exposure(examiner: "J Smith", reveals: 3, seconds: 7.5)])
    }

    @Test func aBreakIsOfferedAfterTheSetNumberOfItemsOrMinutes() throws {
        let review = try ReviewCase(in: temp, (1...5).map { .init(seed: UInt8($0), paths: ["\($0).png"]) })
        let clock = ManualClock()
        let session = try review.session(breaks: BreakPolicy(items: 2, minutes: 10), clock: clock.read)
        try session.handle(.categorise(.n))
        #expect(session.overlay == .none)
        try session.handle(.categorise(.n))
        #expect(session.overlay == .breakOffer)
        #expect(session.breakText.contains("2 items"))
        // Any key goes on without acting; the count starts again.
        try session.handle(.categorise(.a))
        #expect(session.overlay == .none)
        #expect(try review.store.currentDecisions().count == 2)
        clock.now += 601
        try session.handle(.categorise(.n))
        #expect(session.overlay == .breakOffer)
        try session.handle(.quit)
        #expect(session.hasQuit)
    }

    @Test func detailsHelpAndNavigationDoNotDecide() throws {
        let review = try sampleCase()
        let session = try review.session()
        try session.handle(.details)
        #expect(session.overlay == .details)
        try session.handle(.details)
        try session.handle(.help)
        #expect(session.overlay == .help)
        try session.handle(.previous)  // already first: stays
        #expect(session.position == 0)
        try session.handle(.next)
        try session.handle(.next)  // already last: stays
        #expect(session.position == 1)
        #expect(try session.handle(.open) == .open(itemID: session.current!.first.id))
        #expect(try review.store.currentDecisions().isEmpty)
    }

    @Test func otherOrders() throws {
        let review = try sampleCase()
        let byFolder = try ReviewQueue.load(from: review.store, order: .folder)
        #expect(byFolder.map(\.first.result.path.display) == ["a/one.png", "near/x.png"])
    }
}

@Suite struct ReviewScoreTests {
    let temp = TemporaryDirectory()

    @Test func anImportedScoreOrdersTheQueueAndBadLinesAreRefused() throws {
        let review = try ReviewCase(in: temp, (1...4).map { .init(seed: UInt8($0), paths: ["\($0).png"]) })
        let file = temp.url("scores.csv")
        try "sha256,score\n\(Hex.encode(ReviewCase.sha256(3))),0.9\n# comment\n\n\(Hex.encode(ReviewCase.sha256(1)))\t0.2\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let scores = try ReviewQueue.scores(fromFile: file)
        #expect(scores.count == 2)
        let items = try ReviewQueue.load(from: review.store, order: .score, scores: scores)
        #expect(items.map(\.first.result.path.display) == ["3.png", "1.png", "2.png", "4.png"])
        try "sha256,score\n\(Hex.encode(ReviewCase.sha256(3))),lots\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ReviewError.self) { try ReviewQueue.scores(fromFile: file) }
    }
}
