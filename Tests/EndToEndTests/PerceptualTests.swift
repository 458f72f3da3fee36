import Foundation
import Testing
import TriageTestSupport

/// Perceptual matching through the real binary: PDQ lists, `--dihedral`, exports, and the bad
/// image inputs of issue 3 inside a scanned tree.
@Suite struct PerceptualTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    func importSet(_ name: String, _ extra: [String] = []) throws {
        let result = try Triage.run(["hashdb", "import", TestPaths.hashsets + "/" + name, "--db", db] + extra)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func csvRows(_ caseDir: String) throws -> [String] {
        try Triage.run(["report", "--case", caseDir, "--format", "csv"]).stdout.split(separator: "\r\n").dropFirst().map(String.init)
    }

    /// A PDQ list (no exact digests) finds its altered copy; the mirror matches only with
    /// `--dihedral`, and then says which variant matched.
    @Test func pdqListAndDihedralMatches() throws {
        try importSet("known-vics2.json")
        try importSet("known.pdq", ["--category", "B"])
        let orchard = FixtureFacts.perceptual.first { ($0["path"] as! String).hasSuffix("orchard.jpg") }!
        let mirror = FixtureFacts.perceptual.first { $0["expected_basis"] as? String == "dihedral" }!

        let plain = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", TestPaths.evidence + "/exhibit-1", "--case", caseDir,
                                    "--exhibit", "P/1", "--db", db, "--examiner", "T"])
        #expect(plain.status == 0, "\(plain.stderr)")
        var rows = try csvRows(caseDir)
        let orchardRow = rows.first { $0.contains(orchard["path"] as! String) }
        #expect(orchardRow?.contains(",B,perceptual,") == true, "\(orchardRow ?? "missing")")
        #expect(orchardRow?.contains(",\(orchard["distance"] as! Int),original") == true, "\(orchardRow ?? "")")
        #expect(rows.first { $0.contains(mirror["path"] as! String) }?.contains(",pending,") == true)

        let dihedralCase = temp.url("dihedral")
        let withVariants = try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", dihedralCase, "--exhibit", "P/2", "--db", db,
                                           "--examiner", "T", "--dihedral"])
        #expect(withVariants.status == 0, "\(withVariants.stderr)")
        rows = try csvRows(dihedralCase)
        let mirrorRow = rows.first { $0.contains(mirror["path"] as! String) }
        #expect(mirrorRow?.contains(",\(mirror["category"] as! String),perceptual,") == true, "\(mirrorRow ?? "missing")")
        #expect(mirrorRow?.contains(",flipy") == true, "\(mirrorRow ?? "")")
        let text = try Triage.run(["report", "--case", dihedralCase, "--format", "text"]).stdout
        #expect(text.contains("as flipy"))
        #expect(text.contains("The 8 rotations and mirrors of each image were matched too."))
    }

    /// `hashdb export --format pdq` writes what `import --format pdq` reads back.
    @Test func pdqExportRoundTrips() throws {
        try importSet("known-vics2.json")
        let export = try Triage.run(["hashdb", "export", "--db", db, "--format", "pdq", "--category", "A"])
        #expect(export.status == 0)
        let lines = export.stdout.split(separator: "\n")
        let expected = Set(FixtureFacts.records("known-vics2.json").filter { $0["category"] as? String == "A" }.compactMap { $0["pdq"] as? String })
        #expect(Set(lines.map { String($0.prefix(64)) }) == expected)
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[2] == "A" })
        let file = EvidenceTreeBuilder(root: temp.url("lists")).file("a.pdq", text: export.stdout)
        let again = try Triage.run(["hashdb", "import", file, "--category", "A", "--db", temp.url("second.sqlite"), "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let info = try Triage.run(["hashdb", "info", "--db", temp.url("second.sqlite"), "--json"]).json() as! [String: Any]
        #expect(info["pdq"] as? Int == expected.count)
    }

    /// Issue 3's bad image inputs inside a scanned tree: each ends with its disposition and
    /// reason, the scan finishes with status 0, and the report lists them.
    @Test func badImagesEndWithTheirDispositions() throws {
        try importSet("known-vics2.json")
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        let corpus = TestPaths.fixtures + "/imaging/decode/"
        let expected = [
            "truncated.jpg": "damaged", "garbage-after-header.jpg": "undecodable", "bad-crc.png": "undecodable",
            "huge.png": "dimension-limit", "one.png": "low-quality", "four.png": "low-quality", "animated.gif": "processed",
            "cmyk.jpg": "processed", "grey16.png": "processed", "psd.psd": "no-decoder", "jp2.jp2": "no-decoder",
        ]
        for name in expected.keys { tree.file("in/" + name, TestPaths.bytes(corpus + name)) }
        let scan = try Triage.run(["scan", temp.url("evidence"), "--case", caseDir, "--exhibit", "IMG/1", "--db", db, "--examiner", "T"],
                                  timeout: 120)
        #expect(scan.status == 0, "\(scan.stderr)")
        let rows = try csvRows(caseDir)
        for (name, disposition) in expected {
            let row = rows.first { $0.contains(",in/\(name),") }
            #expect(row?.contains(",\(disposition),") == true, "\(name): \(row ?? "missing")")
            // Every one is still hashed exactly, so a known digest would still be found.
            #expect(row?.contains(",still,") == true && row.map { $0.split(separator: ",").contains { $0.count == 64 } } == true, "\(name)")
        }
        let text = try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout
        #expect(text.contains("Limited decoding, matching or expansion"))
        #expect(text.contains("in/huge.png — dimension-limit: declared size 100000x100000 is over the limit"))

        // A lower pixel limit is a setting, recorded with the scan.
        let limited = try Triage.run(["scan", temp.url("evidence"), "--case", temp.url("limited"), "--exhibit", "IMG/2", "--db", db,
                                      "--examiner", "T", "--max-pixels", "1000"])
        #expect(limited.status == 0)
        #expect(try csvRows(temp.url("limited")).first { $0.contains(",in/cmyk.jpg,") }?.contains(",dimension-limit,") == true)
        let status = try Triage.run(["report", "--case", temp.url("limited"), "--format", "json"]).json() as! [String: Any]
        #expect((status["settings"] as? [String: String])?["decode_max_pixels"] == "1000")
    }

    /// `--no-perceptual` turns decoding off: exact digests only, and the report says so.
    @Test func perceptualMatchingCanBeTurnedOff() throws {
        try importSet("known-vics2.json")
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "X/1", "--db", db,
                                   "--examiner", "T", "--no-perceptual"])
        #expect(scan.status == 0)
        #expect(try csvRows(caseDir).allSatisfy { !$0.contains(",perceptual,") })
        #expect(try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout.contains("Perceptual hashing was off"))
    }
}

extension PerceptualTests {
    /// A hash database last written before PDQ columns existed (opened read-only, so never
    /// migrated) holds no PDQ hashes: scans, inspect and exports still work.
    @Test func aDatabaseWithoutPDQColumnsStillWorks() throws {
        try importSet("known.md5", ["--category", "C"])
        let downgrade = shell("python3 -c \"import sqlite3; c = sqlite3.connect('\(db)'); c.executescript('DROP INDEX entries_pdq; DROP INDEX entries_identity; ALTER TABLE entries DROP COLUMN pdq_quality; ALTER TABLE entries DROP COLUMN pdq;'); c.commit()\"")
        #expect(downgrade.status == 0, "\(downgrade.output)")
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "OLD/1", "--db", db, "--examiner", "T"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let inspect = try Triage.run(["inspect", TestPaths.evidence + "/exhibit-2/Pictures/diagram.png", "--db", db])
        #expect(inspect.status == 0 && inspect.stdout.contains("known: C"), "\(inspect.stderr)")
        let export = try Triage.run(["hashdb", "export", "--db", db, "--format", "pdq"])
        #expect(export.status == 0 && export.stdout.isEmpty)
    }
}
