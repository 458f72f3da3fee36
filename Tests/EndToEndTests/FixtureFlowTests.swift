import Foundation
import Testing
import TriageTestSupport

/// The whole product on the bundled fixtures, through the real binary: import, scan two
/// exhibits, report, decide, verify. Expected counts come from `Fixtures/expected/fixture-facts.json`,
/// which the fixture generator computed independently of triage.
@Suite struct FixtureFlowTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    func prepare() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.md5", "--category", "C", "--db", db]).status == 0)
        for (exhibit, folder) in [("EX/1", "exhibit-1"), ("EX/2", "exhibit-2")] {
            let scan = try Triage.run(["scan", TestPaths.evidence + "/" + folder, "--case", caseDir, "--exhibit", exhibit, "--db", db,
                                       "--examiner", "J Smith"])
            #expect(scan.status == 0, "\(scan.stderr)")
        }
    }

    func reportJSON() throws -> [String: Any] {
        let result = try Triage.run(["report", "--case", caseDir, "--format", "json"])
        #expect(result.status == 0)
        return try result.json() as! [String: Any]
    }

    @Test func countsMatchTheFixtureFacts() throws {
        try prepare()
        let facts = try JSONSerialization.jsonObject(with: Data(TestPaths.bytes(TestPaths.fixtures + "/expected/fixture-facts.json"))) as! [String: Any]
        let expected = facts["summary"] as! [String: [String: Int]]
        let report = try reportJSON()
        let exhibits = report["exhibits"] as! [[String: Any]]
        #expect(exhibits.map { $0["exhibit"] as! String } == ["EX/1", "EX/2"])
        for (exhibit, folder) in zip(exhibits, ["exhibit-1", "exhibit-2"]) {
            let counts = exhibit["counts"] as! [String: [String: [String: Int]]]
            for category in ["A", "B", "C", "N"] {
                #expect(counts[category]!["still"]!["instances"] == expected[folder]![category], "\(folder) \(category)")
                #expect(counts[category]!["moving"]!["instances"] == 0)
            }
            let pending = exhibit["pending"] as! [String: Int]
            #expect(pending["instances"] == expected[folder]!["pending"])
            #expect(exhibit["errors"] as? Int == 0)
        }
        let totals = report["totals"] as! [String: Any]
        let a = (totals["counts"] as! [String: [String: [String: Int]]])["A"]!["still"]!
        // Duplicates (IMG_0001 twice, plus as system32.dll) make instances exceed unique contents.
        let factsA = FixtureFacts.files.filter { $0["expected_category"] as? String == "A" }
        #expect(a["instances"] == factsA.count && a["unique"] == Set(factsA.map { $0["sha256"] as! String }).count)
        let hashdb = report["hashdb"] as! [String: Any]
        #expect(hashdb["entries"] as? Int == Self.expectedEntries)
        #expect((hashdb["fingerprint"] as? String)?.count == 64)
        #expect((report["tool"] as! [String: Any])["name"] as? String == "triage")
        #expect((report["case"] as! [String: Any])["profile"] as? String == "uk")
        let basis = totals["basis"] as! [String: Int]
        let bases = FixtureFacts.files.compactMap { $0["expected_basis"] as? String }
        #expect(basis["exact"] == bases.filter { $0 == "exact" }.count && basis["examiner"] == 0)
        #expect(basis["perceptual"] == bases.filter { $0 == "perceptual" }.count)
        #expect(basis["perceptual"]! > 0)
    }

    /// Entries after importing known-vics2.json and known.md5 (different sources never merge).
    static var expectedEntries: Int { FixtureFacts.records("known-vics2.json").count + FixtureFacts.records("known.md5").count }

    /// Every altered copy the fixtures say should match perceptually is counted in its
    /// category with basis perceptual; the crop and the mirror (without --dihedral) are not.
    @Test func alteredCopiesAreFoundPerceptually() throws {
        try prepare()
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"]).stdout.split(separator: "\r\n").map(String.init)
        for copy in FixtureFacts.perceptual {
            let path = copy["path"] as! String
            let row = csv.first { $0.contains("," + path + ",") || $0.contains("/" + path + ",") }
            #expect(row != nil, "\(path) missing from the CSV report")
            guard let row else { continue }
            switch copy["expected_basis"] as! String {
            case "perceptual":
                if (copy["known_in"] as? String) == "known-vics2.json" {
                    #expect(row.contains(",\(copy["category"] as! String),perceptual,"), "\(path): \(row)")
                }
            default:
                #expect(row.contains(",pending,"), "\(path) should stay pending: \(row)")
            }
        }
    }

    @Test func htmlReportCarriesTheJSONReportsNumbers() throws {
        try prepare()
        let json = try reportJSON()
        let out = temp.url("summary.html")
        let result = try Triage.run(["report", "--case", caseDir, "--format", "html", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let html = String(decoding: TestPaths.bytes(out), as: UTF8.self)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(!html.contains("<script") && !html.contains("<img"))
        // Every exhibit's and the case's table, row by row, as in the JSON report.
        let summaries = (json["exhibits"] as! [[String: Any]]) + [json["totals"] as! [String: Any]]
        for summary in summaries {
            let counts = summary["counts"] as! [String: [String: [String: Int]]]
            for category in ["A", "B", "C", "N"] {
                let c = counts[category]!
                let label = category == "N" ? "N (not indecent)" : category
                let row = "<tr><td>\(label)</td><td>\(c["still"]!["instances"]!)</td><td>\(c["still"]!["unique"]!)</td><td>\(c["still"]!["visually_unique"]!)</td>"
                    + "<td>\(c["moving"]!["instances"]!)</td><td>\(c["moving"]!["unique"]!)</td><td>\(c["moving"]!["visually_unique"]!)</td></tr>"
                #expect(html.contains(row), "\(summary["exhibit"]!) \(category)")
            }
        }
        #expect(html.contains("Exhibit EX/1") && html.contains("Exhibit EX/2") && html.contains("All exhibits"))
        // The category-code table the hash sets went through is in the report.
        #expect(html.contains("profile uk: 0→N, 1→A, 2→B, 3→C"))
    }

    @Test func aReportFileCanBeVerifiedLater() throws {
        try prepare()
        let out = temp.url("summary.html")
        #expect(try Triage.run(["report", "--case", caseDir, "--format", "html", "--out", out]).status == 0)
        let manifest = try JSONSerialization.jsonObject(with: Data(TestPaths.bytes(out + ".manifest.json"))) as! [String: Any]
        #expect((manifest["report"] as! [String: Any])["sha256"] as? String == shell("sha256sum '\(out)'").output.prefix(64).description)
        #expect((manifest["case_store_sha256"] as? String)?.count == 64)
        var mode = stat()
        stat(out + ".manifest.json", &mode)
        #expect(mode.st_mode & 0o777 == 0o600)

        // Intact, and the report is in the audit chain.
        let verified = try Triage.run(["verify", "--case", caseDir, "--report", out])
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.hasPrefix("intact:"))
        let audit = try Triage.run(["verify", "--case", caseDir, "--json"]).json() as! [String: Any]
        #expect(audit["intact"] as? Bool == true)

        // A decision after the report: still the recorded report, and the case has moved on.
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let item = (queue[0]["items"] as! [Int])[0]
        #expect(try Triage.run(["categorise", "--case", caseDir, "--item", String(item), "C", "--examiner", "J Smith"]).status == 0)
        let later = try Triage.run(["verify", "--case", caseDir, "--report", out])
        #expect(later.status == 0 && later.stdout.contains("1 audit entries after it"))

        // A changed report is caught.
        let bytes = TestPaths.bytes(out)
        FileManager.default.createFile(atPath: out, contents: Data(bytes.map { $0 == UInt8(ascii: "7") ? UInt8(ascii: "8") : $0 }))
        let changed = try Triage.run(["verify", "--case", caseDir, "--report", out])
        #expect(changed.status == 1 && changed.stdout.contains("the report was changed"))
    }

    @Test func learnedDecisionsAreRecognisedInTheNextCase() throws {
        try prepare()
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let group = queue[0]
        let sha256 = group["sha256"] as! String
        #expect(try Triage.run(["categorise", "--case", caseDir, "--sha256", sha256, "B", "--examiner", "J Smith"]).status == 0)
        let learned = try Triage.run(["hashdb", "learn", "--case", caseDir, "--db", db, "--json"])
        #expect(learned.status == 0, "\(learned.stderr)")
        let result = try learned.json() as! [String: Any]
        #expect(result["added"] as? Int == 1 && result["source"] as? String == "examiner, case case")
        // Learning again adds nothing.
        #expect((try Triage.run(["hashdb", "learn", "--case", caseDir, "--db", db, "--json"]).json() as! [String: Any])["added"] as? Int == 0)

        // A new case over the same evidence: that content is now known, exactly, from the examiner's decision.
        let next = temp.url("next-case")
        for (exhibit, folder) in [("EX/1", "exhibit-1"), ("EX/2", "exhibit-2")] {
            #expect(try Triage.run(["scan", TestPaths.evidence + "/" + folder, "--case", next, "--exhibit", exhibit, "--db", db, "--examiner", "K Jones"]).status == 0)
        }
        let rows = try Triage.run(["report", "--case", next, "--format", "csv"]).stdout.split(separator: "\r\n").filter { $0.contains(sha256) }
        #expect(rows.count == group["instances"] as? Int)
        #expect(rows.allSatisfy { $0.contains(",B,exact,") && $0.contains("examiner, case case:B") })
    }

    @Test func vicsExportReimportsAndMatches() throws {
        try prepare()
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let sha256 = queue[0]["sha256"] as! String
        #expect(try Triage.run(["categorise", "--case", caseDir, "--sha256", sha256, "C", "--examiner", "J Smith", "--note", "reviewed"]).status == 0)
        let out = temp.url("share.json")
        let export = try Triage.run(["export", "--case", caseDir, "--format", "vics", "--db", db, "--out", out])
        #expect(export.status == 0, "\(export.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(TestPaths.bytes(out))) as! [String: Any]
        #expect((json["@odata.context"] as? String)?.contains("2.0.xml/UK/") == true)
        let media = ((json["value"] as! [[String: Any]])[0]["Media"] as! [[String: Any]])
        #expect(media.count == 1 && media[0]["Category"] as? Int == 3 && media[0]["RelativeFilePath"] != nil)

        // Into a fresh database, then a fresh case: the content is known as C, exactly.
        let fresh = temp.url("fresh.sqlite")
        #expect(try Triage.run(["hashdb", "import", out, "--db", fresh]).status == 0)
        let next = temp.url("next-case")
        #expect(try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", next, "--exhibit", "EX/1", "--db", fresh, "--examiner", "K"]).status == 0)
        #expect(try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", next, "--exhibit", "EX/2", "--db", fresh, "--examiner", "K"]).status == 0)
        let rows = try Triage.run(["report", "--case", next, "--format", "csv"]).stdout.split(separator: "\r\n").filter { $0.contains(sha256) }
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(",C,exact,") })
    }

    @Test func textReportMatchesTheCheckedInExpectation() throws {
        try prepare()
        let result = try Triage.run(["report", "--case", caseDir, "--format", "text"])
        let normalised = result.stdout
            .replacingOccurrences(of: TestPaths.evidence, with: "<FIXTURES>/evidence")
            .replacingOccurrences(of: caseDir, with: "<CASE>")
        let expectedPath = TestPaths.fixtures + "/expected/report.txt"
        if ProcessInfo.processInfo.environment["TRIAGE_UPDATE_EXPECTED"] == "1" {
            try normalised.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = String(decoding: TestPaths.bytes(expectedPath), as: UTF8.self)
        #expect(normalised == expected, "text report differs from Fixtures/expected/report.txt (TRIAGE_UPDATE_EXPECTED=1 rewrites it)")
    }

    @Test func decideFromTheCommandLineThenVerify() throws {
        try prepare()
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"])
        let groups = try queue.json() as! [[String: Any]]
        let pendingFiles = FixtureFacts.files.filter { $0["is_image"] as? Bool == true && $0["expected_category"] is NSNull }
        #expect(groups.count == Set(pendingFiles.map { $0["sha256"] as! String }).count)
        #expect(groups.allSatisfy { ($0["sha256"] as? String)?.count == 64 && ($0["paths"] as? [String])?.count == $0["instances"] as? Int })

        let first = groups[0]
        let item = (first["items"] as! [Int])[0]
        let byItem = try Triage.run(["categorise", "--case", caseDir, "--item", String(item), "B", "--examiner", "J Smith", "--note", "checked"])
        #expect(byItem.status == 0, "\(byItem.stderr)")
        #expect(byItem.stdout.contains("pending → B"))
        let second = groups[1]["sha256"] as! String
        let bySHA = try Triage.run(["categorise", "--case", caseDir, "--sha256", second, "N"], environment: ["TRIAGE_EXAMINER": "A Jones"])
        #expect(bySHA.status == 0, "\(bySHA.stderr)")

        let totals = try reportJSON()["totals"] as! [String: Any]
        let decided = (groups[0]["instances"] as! Int) + (groups[1]["instances"] as! Int)
        #expect((totals["pending"] as! [String: Int])["instances"] == pendingFiles.count - decided)
        #expect((totals["basis"] as! [String: Int])["examiner"] == 2)

        let noExaminer = try Triage.run(["categorise", "--case", caseDir, "--sha256", second, "A"])
        #expect(noExaminer.status == 2)
        #expect(noExaminer.stderr.contains("--examiner"))

        let verify = try Triage.run(["verify", "--case", caseDir])
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("intact"))

        // Edit a decision behind triage's back: verify must catch it and exit 1.
        let edit = shell("python3 -c \"import sqlite3; c = sqlite3.connect('\(caseDir)/case.sqlite'); c.execute(\\\"UPDATE audit SET actor = 'Someone Else' WHERE action = 'decision'\\\"); c.commit()\"")
        #expect(edit.status == 0, "\(edit.output)")
        let broken = try Triage.run(["verify", "--case", caseDir])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("NOT INTACT"))
        #expect(broken.stdout.contains("audit entry 7 (decision"))
    }

    @Test func statusAndCSV() throws {
        try prepare()
        let status = try Triage.run(["status", "--case", caseDir, "--json"])
        let object = try status.json() as! [String: Any]
        #expect((object["scans"] as! [Any]).count == 2)
        #expect(object["unfinished_scans"] as? Int == 0)
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"])
        let rows = csv.stdout.split(separator: "\r\n")
        #expect(rows[0].hasPrefix("exhibit,source,item,path,kind,mime"))
        #expect(rows.count == 1 + FixtureFacts.files.count)
        #expect(rows.contains { $0.contains("Downloads/system32.dll,still,image/jpeg") && $0.contains(",A,exact,") && $0.contains(",yes,known-vics2.json:A,libjpeg-turbo,") })
    }

    @Test func progressForScriptsIsJSONLines() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", caseDir, "--exhibit", "EX/1", "--db", db,
                                   "--progress", "json", "--json"])
        #expect(scan.status == 0)
        let lines = scan.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["items"] != nil && object?["bytes"] != nil && object?["errors"] != nil)
        }
        let last = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        let files = FixtureFacts.files(in: "exhibit-1")
        #expect(last["items"] as? Int == files.count)
        let summary = try scan.json() as! [String: Any]
        #expect(summary["stills"] as? Int == files.filter { $0["kind"] as? String == "still" }.count)
        // Known with known-vics2.json alone: by digest, or perceptually from a VICS2 picture.
        let perceptualVICS2 = Set(FixtureFacts.perceptual.filter {
            $0["exhibit"] as? String == "exhibit-1" && $0["expected_basis"] as? String == "perceptual" && $0["known_in"] as? String == "known-vics2.json"
        }.map { $0["path"] as! String })
        let known = files.filter { ($0["in_hashsets"] as? [String] ?? []).contains("known-vics2.json") || perceptualVICS2.contains($0["path"] as! String) }
        #expect(summary["known"] as? Int == known.count)
    }

    @Test func inspectShowsWhatThePipelineSees() throws {
        try prepare()
        let path = TestPaths.evidence + "/exhibit-1/Downloads/system32.dll"
        let result = try Triage.run(["inspect", path, TestPaths.evidence + "/exhibit-2/Downloads/empty.jpg", "--json", "--db", db])
        #expect(result.status == 0)
        let entries = try result.json() as! [[String: Any]]
        #expect(entries[0]["mime"] as? String == "image/jpeg")
        #expect(entries[0]["kind"] as? String == "still")
        #expect(entries[0]["extension_mismatch"] as? Bool == true)
        #expect((entries[0]["md5"] as? String)?.count == 32 && (entries[0]["sha1"] as? String)?.count == 40)
        #expect(entries[0]["disposition"] as? String == "processed")
        #expect((entries[0]["matches"] as? [String])?.first?.hasPrefix("A") == true)
        #expect(entries[1]["disposition"] as? String == "empty")
    }

    @Test func hashdbInfoAndExport() throws {
        try prepare()
        let info = try Triage.run(["hashdb", "info", "--db", db, "--json"])
        let object = try info.json() as! [String: Any]
        #expect(object["entries"] as? Int == Self.expectedEntries)
        #expect((object["category_maps"] as? [String: [String: String]])?["uk"]?["1"] == "A")
        let export = try Triage.run(["hashdb", "export", "--db", db, "--format", "md5sum", "--category", "C"])
        let lines = export.stdout.split(separator: "\n")
        let categoryC = Set((FixtureFacts.records("known-vics2.json") + FixtureFacts.records("known.md5"))
            .filter { ($0["category"] as? String ?? "C") == "C" }.compactMap { $0["md5"] as? String })
        #expect(lines.count == categoryC.count)
        #expect(lines.allSatisfy { $0.count > 34 && $0.dropFirst(32).hasPrefix("  C ") })
    }
}
