import Testing
import TriageCore

/// The perceptual half of the counting rule: exact matches decide first; otherwise the nearest
/// perceptual entries decide, and a tie between categories is a conflict, never a choice.
@Suite struct PerceptualResolutionTests {
    func near(_ category: Category, _ distance: Int, _ source: String = "s") -> KnownMatch {
        KnownMatch(category: category, basis: .perceptual, hashType: .pdq, source: source,
                   perceptual: PerceptualDistance(distance: distance, knownHash: .zero))
    }

    @Test func nearestPerceptualMatchDecides() {
        let resolution = Resolution.resolve(matches: [near(.c, 20), near(.a, 7), near(.b, 30)], decision: nil)
        #expect(resolution == Resolution(category: .a, basis: .perceptual))
    }

    @Test func equalDistancesWithDifferentCategoriesAreAConflict() {
        let resolution = Resolution.resolve(matches: [near(.a, 9, "one"), near(.b, 9, "two"), near(.c, 25)], decision: nil)
        #expect(resolution.isPending && resolution.conflict)
        #expect(Set(Resolution.deciding([near(.a, 9), near(.b, 9), near(.c, 25)]).map(\.category)) == [.a, .b])
    }

    @Test func equalDistancesThatAgreeAreNotAConflict() {
        #expect(Resolution.resolve(matches: [near(.b, 4, "one"), near(.b, 4, "two")], decision: nil) == Resolution(category: .b, basis: .perceptual))
    }

    @Test func anExactMatchOutranksPerceptualOnes() {
        let exact = KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "list")
        #expect(Resolution.resolve(matches: [near(.a, 0), exact], decision: nil) == Resolution(category: .c, basis: .exact))
    }

    @Test func anExaminerDecisionOutranksEverything() {
        let resolution = Resolution.resolve(matches: [near(.a, 3)], decision: .n)
        #expect(resolution.category == .n && resolution.basis == .examiner)
    }
}

@Suite struct KnownGoodResolutionTests {
    let good = KnownMatch(category: .n, basis: .knownGood, hashType: .md5, source: "NSRL")

    @Test func knownGoodAloneIsNotIndecentOnItsOwnBasis() {
        #expect(Resolution.resolve(matches: [good], decision: nil) == Resolution(category: .n, basis: .knownGood))
    }

    @Test func aKnownHashSetSayingNTooIsTheBasis() {
        let caid = KnownMatch(category: .n, basis: .exact, hashType: .sha1, source: "CAID")
        #expect(Resolution.resolve(matches: [good, caid], decision: nil) == Resolution(category: .n, basis: .exact))
    }

    @Test func knownGoodAndIndecentIsAConflictForTheExaminer() {
        let caid = KnownMatch(category: .a, basis: .exact, hashType: .md5, source: "CAID")
        #expect(Resolution.resolve(matches: [good, caid], decision: nil) == Resolution(category: nil, basis: nil, conflict: true))
        #expect(Resolution.resolve(matches: [good, caid], decision: .b).basis == .examiner)
    }

    @Test func knownGoodOutranksAPerceptualMatch() {
        let near = KnownMatch(category: .a, basis: .perceptual, hashType: .pdq, source: "CAID",
                              perceptual: PerceptualDistance(distance: 3, knownHash: .zero))
        #expect(Resolution.resolve(matches: [near, good], decision: nil) == Resolution(category: .n, basis: .knownGood))
    }
}
