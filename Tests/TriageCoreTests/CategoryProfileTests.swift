import Testing
import TriageCore

@Suite struct CategoryProfileTests {
    @Test func theShippedProfilesLoadFromTheirDataFiles() throws {
        #expect(CategoryProfile.names == ["uk", "us"])
        let uk = CategoryProfile.uk
        #expect(Category.allCases.map(uk.label) == ["A", "B", "C", "N"])
        #expect(Category.allCases.map(uk.longLabel) == ["A", "B", "C", "N (not indecent)"])
        #expect(uk.countedAs == "indecent photographs or pseudo-photographs")
        #expect(uk.vicsCodes == ["0": .n, "1": .a, "2": .b, "3": .c])
        let us = try #require(CategoryProfile.named("US"))
        #expect(Category.allCases.map(us.label) == ["1", "2", "3", "0"])
        #expect(us.longLabel(.a) == "1 CAM (child abuse material)")
        #expect(us.longLabel(.n) == "0 non-pertinent")
        #expect(us.unmappedCodes["4"]?.hasPrefix("comparison") == true)
        #expect(us.vicsCodes == uk.vicsCodes, "both read VICS codes 0–3 into the same slots")
    }

    @Test func categoriesAreNamedByTheProfilesLabels() {
        #expect(CategoryProfile.uk.category(named: "b") == .b)
        #expect(CategoryProfile.uk.category(named: "1") == nil)
        let us = CategoryProfile.named("us")!
        #expect(us.category(named: "1") == .a && us.category(named: "0") == .n && us.category(named: "4") == nil)
        #expect(CategoryProfile.named("fr") == nil)
    }
}
