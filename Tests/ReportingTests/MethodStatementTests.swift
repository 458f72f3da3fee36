import Reporting
import Testing

/// The method statement says what the recorded settings say, and nothing they do not.
@Suite struct MethodStatementTests {
    @Test func theStallLimitIsStatedOnlyWhenOneWasSet() {
        let with = MethodStatement.paragraphs(settings: ["libmagic": "5.44", "stall_limit": "900"])
        #expect(with.contains { $0.contains("no progress for 900 s was given up") && $0.contains("(stalled)") })
        for settings in [["libmagic": "5.44", "stall_limit": "none"], ["libmagic": "5.44"]] {
            #expect(!MethodStatement.paragraphs(settings: settings).contains { $0.contains("given up") },
                    "no limit (or a scan made before there was one): nothing claimed")
        }
    }
}
