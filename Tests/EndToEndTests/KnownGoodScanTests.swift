import Foundation
import Testing
import TriageTestSupport

/// An NSRL set in the hash database: its files count as not indecent, on the basis
/// "known-good", and never reach the review queue.
@Suite struct KnownGoodScanTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    @Test func nsrlFilesAreKnownGoodOutOfTheQueueAndReportedAsSuch() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.md5", "--category", "C", "--db", db]).status == 0)
        // Two of exhibit 1's pending pictures, as NSRL would list files of published software.
        let pending = FixtureFacts.files(in: "exhibit-1").filter { ($0["is_image"] as? Bool) == true && $0["expected_category"] is NSNull }
        let chosen = Array(pending.prefix(2))
        #expect(chosen.count == 2)
        var text = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\r\n"
        for file in chosen {
            text += "\"\((file["sha1"] as! String).uppercased())\",\"\((file["md5"] as! String).uppercased())\",\"0\",\"x\",1,1,\"1\",\"\"\r\n"
        }
        try text.write(toFile: temp.url("NSRLFile.txt"), atomically: true, encoding: .utf8)
        let imported = try Triage.run(["hashdb", "import", temp.url("NSRLFile.txt"), "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try Triage.run(["hashdb", "info", "--db", db]).stdout.contains("known-good (NSRL and other known-good sets; category N): 2"))

        let queueBefore = try pendingPaths(scanFirst: true)
        for file in chosen { #expect(!queueBefore.contains(file["path"] as! String)) }

        let report = try Triage.run(["report", "--case", caseDir, "--format", "json"]).json() as! [String: Any]
        let exhibit = (report["exhibits"] as! [[String: Any]])[0]
        #expect((exhibit["basis"] as! [String: Int])["known_good"] == 2)
        let facts = FixtureFacts.summary["exhibit-1"]!
        let counts = exhibit["counts"] as! [String: [String: [String: Int]]]
        #expect(counts["N"]!["still"]!["instances"] == (facts["N"] ?? 0) + 2)
        #expect((exhibit["pending"] as! [String: Int])["instances"] == (facts["pending"] ?? 0) - 2)
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"]).stdout
        #expect(csv.components(separatedBy: ",N,known-good,").count - 1 == 2)
        let textReport = try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout
        #expect(textReport.contains("known-good set (N, not reviewed) 2"))
        #expect(textReport.contains("known-good sets (such as the NIST NSRL"))
    }

    func pendingPaths(scanFirst: Bool) throws -> Set<String> {
        if scanFirst {
            let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", caseDir, "--exhibit", "EX/1", "--db", db,
                                       "--examiner", "J Smith"])
            #expect(scan.status == 0, "\(scan.stderr)")
        }
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        return Set(queue.flatMap { $0["paths"] as! [String] }.map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") })
    }
}
