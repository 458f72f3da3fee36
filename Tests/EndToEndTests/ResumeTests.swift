import Foundation
import Glibc
import Testing
import TriageTestSupport

/// DESIGN.md rule 3: a killed scan loses at most the batch in flight, a re-run finishes the job,
/// and the final report equals that of an uninterrupted run.
@Suite struct ResumeTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }

    func importFixtures() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.md5", "--category", "C", "--db", db]).status == 0)
    }

    func scan(_ root: String, _ caseDir: String, extra: [String] = []) throws -> CommandResult {
        try Triage.run(["scan", root, "--case", caseDir, "--exhibit", "EX/1", "--db", db, "--examiner", "T", "--json"] + extra)
    }

    /// The parts of a report that must not depend on how the scan was run.
    func counts(_ caseDir: String) throws -> String {
        let report = try Triage.run(["report", "--case", caseDir, "--format", "json"]).json() as! [String: Any]
        let stable: [String: Any] = ["exhibits": report["exhibits"]!, "totals": report["totals"]!, "errors": report["errors"]!,
                                     "not_examined": report["not_examined"]!, "pending_items": report["pending_items"]!]
        return String(decoding: try JSONSerialization.data(withJSONObject: stable, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A larger tree: the fixtures copied many times with a distinguishing byte, so that
    /// duplicates, knowns and pendings all recur.
    func buildTree(copies: Int) -> String {
        let root = temp.url("evidence")
        let tree = EvidenceTreeBuilder(root: root)
        let sources = ["exhibit-1/DCIM/100CAM/IMG_0001.jpg", "exhibit-1/Pictures/holiday/beach.png", "exhibit-1/Documents/readme.txt",
                       "exhibit-2/Pictures/IMG_2001.jpg"]
        for copy in 0..<copies {
            for (index, source) in sources.enumerated() {
                var bytes = TestPaths.bytes(TestPaths.evidence + "/" + source)
                if copy % 3 == 1 { bytes.append(UInt8(truncatingIfNeeded: copy)) }  // some unique variants
                tree.file("set\(copy / 50)/copy\(copy)/\(index)-" + (source as NSString).lastPathComponent, bytes)
            }
        }
        return root
    }

    @Test func simulatedKillBetweenBatchesThenResume() throws {
        try importFixtures()
        let root = TestPaths.evidence + "/exhibit-1"
        let reference = temp.url("reference")
        #expect(try scan(root, reference).status == 0)

        let killed = temp.url("killed")
        let first = try scan(root, killed, extra: ["--batch-size", "4", "--simulate-kill-after-batches", "2"])
        #expect(first.status == 137)
        let partial = try Triage.run(["status", "--case", killed, "--json"]).json() as! [String: Any]
        #expect(partial["unfinished_scans"] as? Int == 1)
        #expect((partial["totals"] as! [String: Any])["files"] as? Int == 8)
        let partialReport = try Triage.run(["report", "--case", killed, "--format", "text"])
        #expect(partialReport.stdout.hasPrefix("NOT FINAL: 1 scan run(s) stopped before the end"))
        // While a scan holds the case's scan lock (as a running scan does), the same report is interim.
        let interim = shell("flock -s \(killed)/scan.lock \(Triage.binary) report --case \(killed) --format text")
        #expect(interim.output.hasPrefix("INTERIM: a scan is still running"), "\(interim.output.prefix(200))")

        let second = try scan(root, killed, extra: ["--batch-size", "4"])
        #expect(second.status == 0)
        let summary = try second.json() as! [String: Any]
        #expect(summary["already_recorded"] as? Int == 8)
        #expect(summary["items"] as? Int == FixtureFacts.files(in: "exhibit-1").count - 8)
        #expect(try counts(killed) == counts(reference))
    }

    @Test func resumingAgainstAnotherHashDatabaseIsWarned() throws {
        try importFixtures()
        let root = TestPaths.evidence + "/exhibit-1"
        let killed = temp.url("killed")
        #expect(try scan(root, killed, extra: ["--batch-size", "4", "--simulate-kill-after-batches", "1"]).status == 137)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.sha256", "--category", "B", "--db", db]).status == 0)
        let resumed = try scan(root, killed, extra: ["--batch-size", "4"])
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("warning: run 1 of this exhibit stopped before the end and was matched against another hash database"))
    }

    @Test func reRunningAFinishedScanChangesNothing() throws {
        try importFixtures()
        let caseDir = temp.url("case")
        let root = TestPaths.evidence + "/exhibit-1"
        #expect(try scan(root, caseDir).status == 0)
        let before = try counts(caseDir)
        let auditBefore = try Triage.run(["verify", "--case", caseDir, "--json"]).json() as! [String: Any]
        let again = try scan(root, caseDir)
        #expect(again.status == 0)
        #expect((try again.json() as! [String: Any])["items"] as? Int == 0)
        // (Read before the next report: every report is itself recorded in the audit chain.)
        let auditAfter = try Triage.run(["verify", "--case", caseDir, "--json"]).json() as! [String: Any]
        #expect(auditAfter["audit_entries"] as? Int == auditBefore["audit_entries"] as? Int)
        #expect(auditAfter["head"] as? String == auditBefore["head"] as? String)
        #expect(try counts(caseDir) == before)
    }

    @Test func realKillAtARandomMomentThenResume() throws {
        try importFixtures()
        let root = buildTree(copies: 600)  // 2,400 files
        let reference = temp.url("reference")
        #expect(try scan(root, reference, extra: ["--batch-size", "50"]).status == 0)
        let expected = try counts(reference)

        for (attempt, delay) in [0.05, 0.15, 0.3].enumerated() {
            let caseDir = temp.url("killed-\(attempt)")
            let process = try Triage.start(["scan", root, "--case", caseDir, "--exhibit", "EX/1", "--db", db, "--examiner", "T",
                                            "--batch-size", "50", "--progress", "none"])
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let resumed = try scan(root, caseDir, extra: ["--batch-size", "50"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try counts(caseDir) == expected, "kill after \(delay) s")
            #expect(try Triage.run(["verify", "--case", caseDir]).status == 0)
        }
    }

    @Test func twoScansOfTheSameEvidenceGiveTheSameCounts() throws {
        try importFixtures()
        let root = buildTree(copies: 60)
        let one = temp.url("one")
        let two = temp.url("two")
        #expect(try scan(root, one, extra: ["--jobs", "1"]).status == 0)
        #expect(try scan(root, two, extra: ["--jobs", "4"]).status == 0)
        #expect(try counts(one) == counts(two))
    }

    /// A decoder call that never returns (simulated) costs the stall limit, not the scan: the
    /// item is recorded `stalled`, an error (status 1), with its digests, so its exact match
    /// still counts and the exhibit's category counts equal an ordinary scan's; a re-run does
    /// not try it again.
    @Test(.timeLimit(.minutes(2))) func aStalledDecoderIsGivenUpAndTheScanEnds() throws {
        try importFixtures()
        let root = TestPaths.evidence + "/exhibit-1"
        let reference = temp.url("reference")
        #expect(try scan(root, reference).status == 0)
        let stalled = temp.url("stalled")
        let first = try scan(root, stalled, extra: ["--jobs", "1", "--stall-limit", "3", "--simulate-stall-on", "IMG_0002.jpg"])
        #expect(first.status == 1, "\(first.stderr)")

        let report = try Triage.run(["report", "--case", stalled, "--format", "json"]).json() as! [String: Any]
        let errors = report["errors"] as! [[String: Any]]
        #expect(errors.count == 1)
        #expect(errors.first?["path"] as? String == "DCIM/100CAM/IMG_0002.jpg")
        #expect(errors.first?["disposition"] as? String == "stalled")
        let ordinary = try Triage.run(["report", "--case", reference, "--format", "json"]).json() as! [String: Any]
        // Everything but the error count.
        let exhibits = { (report: [String: Any]) in
            let rows = (report["exhibits"] as! [[String: Any]]).map { $0.filter { $0.key != "errors" } }
            return String(decoding: try! JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(exhibits(report) == exhibits(ordinary), "the stalled image's exact match (known.md5, category C) still counts")
        #expect((report["exhibits"] as! [[String: Any]]).first?["errors"] as? Int == 1)

        let again = try scan(root, stalled)
        #expect(again.status == 1)
        let summary = try again.json() as! [String: Any], firstSummary = try first.json() as! [String: Any]
        #expect(summary["items"] as? Int == 0)
        #expect(summary["already_recorded"] as? Int == firstSummary["items"] as? Int)
    }
}
