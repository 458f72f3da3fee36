import CaseStore
import Foundation
import Testing
import TriageCore
import TriageTestSupport

/// What the review screen needs of the store: group decisions, undo, the exposure ledger.
@Suite struct CaseStoreReviewTests {
    let temp = TemporaryDirectory()

    func store() throws -> CaseStore {
        try Sample.store(in: temp.url("case"), items: [
            Sample.item("a.jpg", seed: 1), Sample.item("copy/a.jpg", seed: 1), Sample.item("b.jpg", seed: 2),
            Sample.item("c.jpg", seed: 3, matches: [.c]),
        ])
    }

    @Test func groupDecisionIsOneBatchAndOneUndoWithdrawsIt() throws {
        let store = try store()
        let outcomes = try store.categorise(contents: [Sample.digests(1).sha256, Sample.digests(2).sha256], as: .a, examiner: "J Smith", note: nil)
        #expect(outcomes.map(\.instances) == [2, 1])
        #expect(Set(outcomes.map(\.decision.batch)) == [outcomes[0].decision.id])
        #expect(try store.pendingGroups().isEmpty)

        let undo = try #require(try store.undoLastDecision(examiner: "J Smith"))
        #expect(undo.decisions.map(\.sha256) == [Sample.digests(1).sha256, Sample.digests(2).sha256])
        #expect(try store.pendingGroups().map(\.instances.count) == [2, 1])
        #expect(try store.currentDecisions().isEmpty)
        #expect(try store.auditEntries().last?.action == "undo")
        #expect(try store.verify().isIntact)
    }

    @Test func undoStepsBackThroughEarlierDecisionsAndOnlyTheExaminersOwn() throws {
        let store = try store()
        _ = try store.categorise(sha256: Sample.digests(2).sha256, as: .c, examiner: "J Smith", note: nil)
        _ = try store.categorise(sha256: Sample.digests(2).sha256, as: .b, examiner: "J Smith", note: nil)
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .n, examiner: "A Other", note: nil)
        // J Smith's undo leaves A Other's decision alone and brings back the earlier C.
        #expect(try store.undoLastDecision(examiner: "J Smith")?.decisions.map(\.category) == [.b])
        #expect(try store.currentDecisions()[Sample.digests(2).sha256]?.category == .c)
        #expect(try store.currentDecisions()[Sample.digests(1).sha256]?.category == .n)
        // A decision after an undo names the decision in force as its previous one.
        let again = try store.categorise(sha256: Sample.digests(2).sha256, as: .a, examiner: "J Smith", note: nil)
        #expect(again.decision.previous == .c)
        #expect(try store.undoLastDecision(examiner: "J Smith") != nil)
        #expect(try store.undoLastDecision(examiner: "J Smith") != nil)
        #expect(try store.undoLastDecision(examiner: "J Smith") == nil)
        #expect(try store.pendingGroup(sha256: Sample.digests(2).sha256)?.instances.count == 1)
        #expect(try store.verify().isIntact)
    }

    @Test func undoSurvivesReopening() throws {
        _ = try store().categorise(sha256: Sample.digests(2).sha256, as: .b, examiner: "J Smith", note: nil)
        let reopened = try CaseStore(directory: temp.url("case"), create: false)
        #expect(try reopened.undoLastDecision(examiner: "J Smith")?.decisions.first?.category == .b)
        #expect(try reopened.pendingGroup(sha256: Sample.digests(2).sha256) != nil)
    }

    @Test func pendingGroupIsNilForDecidedOrMatchedContent() throws {
        let store = try store()
        #expect(try store.pendingGroup(sha256: Sample.digests(3).sha256) == nil)
        _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .n, examiner: "J Smith", note: nil)
        #expect(try store.pendingGroup(sha256: Sample.digests(1).sha256) == nil)
        #expect(try store.pendingGroup(sha256: Sample.digests(2).sha256)?.instances.map(\.result.path.display) == ["b.jpg"])
    }

    @Test func revealsAreLedgeredPerExaminer() throws {
        let store = try store()
        try store.recordReveal(sha256: Sample.digests(1).sha256, seconds: 1.5, examiner: "J Smith")
        try store.recordReveal(sha256: Sample.digests(2).sha256, seconds: 0.25, examiner: "J Smith")
        try store.recordReveal(sha256: Sample.digests(2).sha256, seconds: 3, examiner: "A Other")
        #expect(try store.exposure() == [Exposure(examiner: "A Other", reveals: 1, seconds: 3),
                                         Exposure(examiner: "J Smith", reveals: 2, seconds: 1.75)])
        #expect(try store.verify().isIntact)
    }

    @Test func verifyFindsAnEditedUndoOrBatch() throws {
        for (sql, expected) in [
            ("DELETE FROM undos", "is not marked so"),
            ("INSERT INTO undos(decision_id, audit_seq) VALUES (1, 5)", "does not list it"),
            ("UPDATE decisions SET batch = NULL", "decisions table was edited"),
        ] {
            let directory = temp.url("case-\(abs(sql.hashValue))")
            let store = try Sample.store(in: directory, items: [Sample.item("a.jpg", seed: 1), Sample.item("b.jpg", seed: 2)])
            _ = try store.categorise(sha256: Sample.digests(1).sha256, as: .c, examiner: "J", note: nil)
            _ = try store.categorise(contents: [Sample.digests(1).sha256, Sample.digests(2).sha256], as: .b, examiner: "J", note: nil)
            _ = try store.undoLastDecision(examiner: "J")
            #expect(try store.verify().isIntact)
            let script = "import sqlite3; c = sqlite3.connect('\(directory)/case.sqlite'); c.executescript('\(sql)'); c.commit()"
            #expect(shell("python3 -c \"\(script)\"").status == 0)
            let report = try CaseStore(directory: directory, create: false).verify()
            #expect(report.problems.contains { $0.contains(expected) }, "\(sql): \(report.problems)")
        }
    }
}
