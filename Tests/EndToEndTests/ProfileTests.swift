import Foundation
import Testing
import TriageTestSupport

/// A case under the Project VIC (US) profile: locked to it, counted and typed in its terms.
@Suite struct ProfileTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    @Test func aProjectVICCaseIsLockedToItsProfileAndReportsInItsTerms() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db, "--profile", "us"]).status == 0)
        let info = try Triage.run(["hashdb", "info", "--db", db]).stdout
        #expect(info.contains("category codes (profile us): 0→N, 1→A, 2→B, 3→C"))
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", caseDir, "--exhibit", "US/1", "--db", db,
                                   "--examiner", "J Smith", "--profile", "us"])
        #expect(scan.status == 0, "\(scan.stderr)")
        // Locked: a scan under another profile is refused, one without --profile is fine.
        let other = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "US/2", "--db", db,
                                    "--examiner", "J Smith", "--profile", "uk"])
        #expect(other.status == 2 && other.stderr.contains("is locked to the category profile us"))

        let report = try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout
        #expect(report.contains("Categories (profile us, US: Project VIC categories 0 to 4): 1 CAM (child abuse material); 2 exploitive / age difficult; 3 CGI / animation; 0 non-pertinent"))
        #expect(report.contains("Images and videos by Project VIC category (instances"))
        #expect(report.contains("    1 CAM (child abuse material)"))
        #expect(!report.contains("Indecent photographs"))

        // Decisions are typed in the profile's labels; the CSV speaks them too.
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let sha256 = queue[0]["sha256"] as! String
        #expect(try Triage.run(["categorise", "--case", caseDir, "--sha256", sha256, "2", "--examiner", "J Smith"]).status == 0)
        let refused = try Triage.run(["categorise", "--case", caseDir, "--sha256", sha256, "B4", "--examiner", "J Smith"])
        #expect(refused.status == 2 && refused.stderr.contains("use 1, 2, 3, 0"))
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"]).stdout
        #expect(csv.contains(",2,examiner,"))
        let html = try Triage.run(["report", "--case", caseDir, "--format", "html"]).stdout
        #expect(html.contains("<td>1 CAM (child abuse material)</td>"))

        // Shared back with Project VIC's codes.
        let out = temp.url("share.json")
        #expect(try Triage.run(["export", "--case", caseDir, "--format", "vics", "--db", db, "--out", out]).status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(TestPaths.bytes(out))) as! [String: Any]
        #expect((json["@odata.context"] as? String)?.contains("2.0.xml/US/") == true)
        let media = (json["value"] as! [[String: Any]])[0]["Media"] as! [[String: Any]]
        #expect(media[0]["Category"] as? Int == 2)
    }
}
