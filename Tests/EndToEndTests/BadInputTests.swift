import Foundation
import Glibc
import Testing
import TriageTestSupport

/// Seized devices are full of damaged, hostile and strange files: each case here must end as a
/// result or a recorded reason, never a hang or a crash, and every error message must say what,
/// where, and what to do.
@Suite struct BadInputTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    func emptyDatabase() throws {
        let list = temp.url("empty.md5")
        FileManager.default.createFile(atPath: list, contents: Data("# nothing known\n".utf8))
        let result = try Triage.run(["hashdb", "import", list, "--format", "md5sum", "--category", "C", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Names holding `!` can read like a forensic path into a container or an EXIF thumbnail:
    /// a file `photo.jpg!exif-thumbnail` beside the photo whose thumbnail has that path, a
    /// folder `photos.zip!` beside the zip `photos.zip`. Every item must still be recorded.
    @Test func namesThatReadLikeContainerPathsLoseNoItem() throws {
        try emptyDatabase()
        let evidence = temp.url("evidence")
        try FileManager.default.createDirectory(atPath: evidence + "/photos.zip!", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.evidence + "/exhibit-3/Pictures/with-thumb.jpg", toPath: evidence + "/with-thumb.jpg")
        try FileManager.default.copyItem(atPath: TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0002.jpg",
                                         toPath: evidence + "/with-thumb.jpg!exif-thumbnail")
        try FileManager.default.copyItem(atPath: TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg", toPath: evidence + "/photos.zip!/x.jpg")
        let zip = "import zipfile; z = zipfile.ZipFile('\(evidence)/photos.zip', 'w'); z.write('\(TestPaths.evidence)/exhibit-1/DCIM/100CAM/IMG_0003.jpg', 'x.jpg'); z.close()"
        #expect(shell("python3 -c \"\(zip)\"").status == 0)
        let scan = try Triage.run(["scan", evidence, "--case", caseDir, "--exhibit", "EX/1", "--db", db])
        #expect(scan.status == 0, "\(scan.stderr)")
        let report = try Triage.run(["report", "--case", caseDir, "--format", "json"]).json() as! [String: Any]
        let exhibit = (report["exhibits"] as! [[String: Any]])[0]
        // with-thumb.jpg, its thumbnail, the file named like the thumbnail, the zip, its member,
        // and the file in the folder named like the zip: six items, five of them images.
        #expect(exhibit["files"] as? Int == 6)
        #expect(exhibit["images"] as? Int == 5)
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"]).stdout
        // The second of each pair is kept with its path made unique, and says why.
        #expect(csv.components(separatedBy: "\r\n").filter { $0.contains("(same path as another item, 2)") }.count == 2)
        #expect(try Triage.run(["verify", "--case", caseDir]).status == 0)
    }

    @Test func hostileTreeScansToTheEndWithEveryEntryRecorded() throws {
        try emptyDatabase()
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        let jpeg = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        tree.file("photos/a.jpg", jpeg)
        tree.symlink("photos/loop", to: "..")
        tree.symlink("photos/self", to: "self")
        tree.symlink("outside", to: "/etc/passwd")
        tree.symlink("photos/alias.jpg", to: "a.jpg")
        tree.fifo("pipe.jpg")
        tree.file("photo.jpg", [])
        tree.file("truncated.jpg", Array(jpeg.prefix(jpeg.count * 6 / 10)))
        tree.file(named: [0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67], in: "names", jpeg)
        tree.file("names/evil\u{1b}[31mred\nline.jpg", jpeg + [1])

        let scan = try Triage.run(["scan", temp.url("evidence"), "--case", caseDir, "--exhibit", "BAD/1", "--db", db, "--examiner", "T"],
                                  timeout: 60)
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect(scan.stdout.contains("10 items recorded"))

        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"])
        let rows = csv.stdout.split(separator: "\r\n").dropFirst().map(String.init)
        func row(_ path: String) -> String? { rows.first { $0.contains("," + path + ",") || $0.contains(",\"" + path) } }
        #expect(row("pipe.jpg")?.contains("not-regular-file") == true)
        #expect(row("outside")?.contains("symlink") == true)
        #expect(row("outside")?.contains("/etc/passwd") == true)
        #expect(row("photos/loop")?.contains("symlink") == true)
        #expect(row("photos/alias.jpg")?.contains(",symlink,") == true)
        #expect(row("photo.jpg")?.contains(",empty,") == true)
        // A damaged image is still evidence: identified, hashed, pending.
        let truncated = row("truncated.jpg")
        #expect(truncated?.contains("image/jpeg") == true && truncated?.contains(",pending,") == true)
        // Names are data: raw bytes escaped, no escape character or raw newline reaches any output.
        #expect(row("names/bad\\xff\\xfe.jpg") != nil)
        #expect(rows.contains { $0.contains("names/evil\\x1b[31mred\\x0aline.jpg") })
        for format in ["text", "json", "csv"] {
            let report = try Triage.run(["report", "--case", caseDir, "--format", format])
            #expect(!report.stdoutBytes.contains(0x1b), "\(format) report contains a raw ESC")
            #expect(!report.stdout.contains("red\nline"), "\(format) report contains a raw newline from a name")
        }
        // The link to a.jpg is recorded as a link, and a.jpg is counted once.
        let json = try Triage.run(["report", "--case", caseDir, "--format", "json"]).json() as! [String: Any]
        let totals = json["totals"] as! [String: Any]
        #expect(totals["images"] as? Int == 4)
        #expect(totals["files"] as? Int == 5)
        #expect((json["not_examined"] as! [[String: Any]]).count == 6)
    }

    @Test func malformedHashSetLineIsReportedAndTheRestImported() throws {
        let result = try Triage.run(["hashdb", "import", TestPaths.hashsets + "/bad/malformed-line.md5", "--category", "C", "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("malformed-line.md5: line 3:"))
        #expect(result.stdout.contains("1 rejected"))
        let info = try Triage.run(["hashdb", "info", "--db", db, "--json"]).json() as! [String: Any]
        #expect((info["entries"] as? Int ?? 0) >= 2)
    }

    @Test func hashSetThatIsNotJSONIsAClearError() throws {
        let result = try Triage.run(["hashdb", "import", TestPaths.hashsets + "/bad/not-json.json", "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot tell the hash-set format"))
        let forced = try Triage.run(["hashdb", "import", TestPaths.hashsets + "/bad/not-json.json", "--format", "vics", "--db", db])
        #expect(forced.status == 1)
        #expect(forced.stderr.contains("not valid VICS JSON"))
        #expect(forced.stderr.contains("nothing from this file was imported"))
    }

    @Test func caseThatIsAFileIsAUsageError() throws {
        try emptyDatabase()
        FileManager.default.createFile(atPath: temp.url("a-file"), contents: Data("x".utf8))
        let result = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", temp.url("a-file"), "--exhibit", "X", "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a file, not a case directory"))
    }

    @Test func readOnlyCaseDirectoryIsASetupError() throws {
        try emptyDatabase()
        let directory = temp.url("locked-case")
        mkdir(directory, 0o700)
        // Root ignores permission bits, so make the folder immutable where possible.
        let locked: Bool
        if geteuid() == 0 {
            locked = shell("chattr +i '\(directory)'").status == 0
        } else {
            locked = chmod(directory, 0o500) == 0
        }
        guard locked else {
            print("skipped: cannot make a directory read-only here (chattr unavailable)")
            return
        }
        defer { if geteuid() == 0 { shell("chattr -i '\(directory)'") } }
        let result = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", directory, "--exhibit", "X", "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.contains(directory))
        #expect(result.stderr.contains("writable") || result.stderr.contains("read-only"))
    }

    @Test func caseInsideTheEvidenceIsRefused() throws {
        try emptyDatabase()
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        tree.file("a.txt", text: "a")
        let result = try Triage.run(["scan", temp.url("evidence"), "--case", temp.url("evidence/case"), "--exhibit", "X", "--db", db])
        #expect(result.status == 2)
        #expect(result.stderr.contains("inside the evidence root"))
        #expect(!FileManager.default.fileExists(atPath: temp.url("evidence/case")))
    }

    @Test func reportFilesArePrivate() throws {
        try emptyDatabase()
        #expect(try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "X", "--db", db]).status == 0)
        let out = temp.url("report.csv")
        #expect(try Triage.run(["report", "--case", caseDir, "--format", "csv", "--out", out]).status == 0)
        var info = stat()
        #expect(stat(out, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func hashDatabaseThatIsNotSQLiteIsASetupError() throws {
        let bogus = temp.url("bogus.sqlite")
        FileManager.default.createFile(atPath: bogus, contents: Data(String(repeating: "not sqlite ", count: 100).utf8))
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "X", "--db", bogus])
        #expect(scan.status == 2)
        #expect(scan.stderr.contains("is not a SQLite database"))
        #expect(scan.stderr.contains("--db"))
        let info = try Triage.run(["hashdb", "info", "--db", bogus])
        #expect(info.status == 2)
    }

    @Test func missingHashDatabaseSaysWhatToDo() throws {
        let scan = try Triage.run(["scan", TestPaths.evidence + "/exhibit-2", "--case", caseDir, "--exhibit", "X", "--db", temp.url("absent.sqlite")])
        #expect(scan.status == 2)
        #expect(scan.stderr.contains("triage hashdb import"))
    }

    @Test func missingEvidenceRootIsASetupError() throws {
        try emptyDatabase()
        let scan = try Triage.run(["scan", temp.url("no-such-root"), "--case", caseDir, "--exhibit", "X", "--db", db])
        #expect(scan.status == 2)
        #expect(scan.stderr.contains("no-such-root"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let missing = try Triage.run(["scan", "/tmp"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--case") || missing.stderr.contains("--exhibit"))
        let badCategory = try Triage.run(["categorise", "--case", caseDir, "--item", "1", "Z", "--examiner", "x"])
        #expect(badCategory.status == 2)
        let help = try Triage.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("hashdb"))
    }

    @Test func reportOnAMissingCaseSaysHowToMakeOne() throws {
        let result = try Triage.run(["report", "--case", temp.url("nothing-here")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("triage scan"))
    }
}
