import Testing
import TriageCore
@testable import Scanning

/// The limits of the Expand stage, counted level by level.
@Suite struct ExpansionBudgetTests {
    @Test func recordedSettingsReadBackToTheSameLimits() {
        let options = ExpansionOptions(maxDepth: 3, maxExpandedBytes: 1 << 20, maxRatio: 50, maxEntries: 9, maxContainerBytesInMemory: 4096)
        #expect(ExpansionOptions(recorded: options.settings) == options)
        #expect(ExpansionOptions(recorded: ExpansionOptions(enabled: false).settings).enabled == false)
        #expect(ExpansionOptions(recorded: [:]) == ExpansionOptions())
    }

    func options(maxBytes: Int64 = 1 << 40, ratio: Int64 = 1000, floor: Int64 = 1 << 20) -> ExpansionOptions {
        ExpansionOptions(maxExpandedBytes: maxBytes, maxRatio: ratio, ratioFloorBytes: floor)
    }

    @Test func aSmallContainerThatExpandsPastTheRatioStopsAtItsOwnLevel() throws {
        let budget = ExpansionBudget(options: options())
        _ = budget.enter(size: 1 << 30)  // a large, honest evidence file
        let inner = budget.enter(size: 10_000)  // a 10 kB zip inside it
        try budget.consume(5_000_000, path: { "a" })  // 500:1 so far
        #expect(throws: ExpansionBudget.Stop.self) { try budget.consume(6_000_000, path: { "a" }) }
        #expect(budget.stop?.level == inner)
        #expect(budget.stop?.disposition == .ratioLimit)
        // The inner container records the stop; its parent carries on.
        budget.resolved(at: inner)
        budget.leave()
        #expect(budget.stop == nil)
        try budget.consume(1_000, path: { "b" })
    }

    @Test func nothingIsABombUnderTheFloor() throws {
        let budget = ExpansionBudget(options: options(floor: 1 << 20))
        _ = budget.enter(size: 10)
        try budget.consume(1 << 20, path: { "a" })  // 100,000:1 but only 1 MiB
        #expect(budget.stop == nil)
    }

    @Test func theByteLimitStopsEverythingFromTheEvidenceFileDown() throws {
        let budget = ExpansionBudget(options: options(maxBytes: 100, ratio: 1 << 40))
        _ = budget.enter(size: 1_000)
        let inner = budget.enter(size: 1_000)
        try budget.consume(100, path: { "a" })
        #expect(throws: ExpansionBudget.Stop.self) { try budget.consume(1, path: { "a" }) }
        #expect(budget.stop?.disposition == .expansionLimit)
        #expect(budget.stop?.level == 0)
        budget.resolved(at: inner)
        #expect(budget.stop != nil, "the byte limit is per evidence file: nothing else is expanded")
        // Later reads fail at once.
        #expect(throws: ExpansionBudget.Stop.self) { try budget.consume(0, path: { "b" }) }
    }

    @Test func anUnknownSizeHasNoRatio() throws {
        let budget = ExpansionBudget(options: options())
        _ = budget.enter(size: nil)
        try budget.consume(1 << 30, path: { "a" })
        #expect(budget.stop == nil)
    }
}
