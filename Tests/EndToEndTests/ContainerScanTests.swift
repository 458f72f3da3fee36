import Foundation
import Glibc
import Testing
import TriageTestSupport

/// The Expand stage through the real binary: every image inside the fixtures' containers is
/// found, matched or queued, and counted with its forensic path; bombs, traversal names,
/// encryption and damage end as recorded dispositions, quickly, and nothing is written outside
/// the case. Expected values come from `Fixtures/expected/container-facts.json`, computed by
/// `make-containers.py` independently of triage.
@Suite struct ContainerScanTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    nonisolated(unsafe) static let facts: [String: Any] = {  // read-only after load
        let data = Data(TestPaths.bytes(TestPaths.fixtures + "/expected/container-facts.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    func importHashSets() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.md5", "--category", "C", "--db", db]).status == 0)
    }

    func scan(_ root: String, extra: [String] = []) throws -> CommandResult {
        try Triage.run(["scan", root, "--case", caseDir, "--exhibit", "EX/3", "--db", db, "--examiner", "T"] + extra, timeout: 120)
    }

    /// The CSV report as one dictionary per item, keyed by path.
    func reportRows() throws -> [String: [String: String]] {
        let csv = try Triage.run(["report", "--case", caseDir, "--format", "csv"])
        #expect(csv.status == 0)
        let records = CSV.parse(csv.stdout)
        let header = records[0]
        var rows: [String: [String: String]] = [:]
        for record in records.dropFirst() where record.count == header.count {
            let row = Dictionary(uniqueKeysWithValues: zip(header, record))
            rows[row["path"]!] = row
        }
        return rows
    }

    @Test func everyImageInsideTheExhibitsContainersIsFoundAndCounted() throws {
        try importHashSets()
        let result = try scan(TestPaths.evidence + "/exhibit-3")
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try reportRows()
        let exhibit = Self.facts["exhibit-3"] as! [String: Any]
        let stills = exhibit["still_items"] as! [[String: Any]]
        #expect(stills.count >= 25)
        var expectedCounts: [String: Int] = [:]
        for still in stills {
            let path = still["forensic_path"] as! String
            let category = still["expected_category"] as! String
            expectedCounts[category, default: 0] += 1
            let row = try #require(rows[path], "\(path) is not in the report")
            #expect(row["category"] == category, "\(path)")
            #expect(row["sha256"] == still["sha256"] as? String, "\(path)")
            #expect(row["kind"] == "still", "\(path)")
        }
        // Members carry the times their container recorded (the fixtures pin them to 2020-01-01).
        #expect(rows["Backups/photos.zip!/2019/IMG_0001.jpg"]?["modified"] == "2020-01-01T00:00:00.000000000Z")
        // Every container is itself an item, opened to its end.
        for file in exhibit["files"] as! [[String: Any]] where file["kind"] as? String == "other" {
            #expect(rows[file["path"] as! String]?["disposition"] == "processed", "\(file["path"]!)")
        }

        let report = try Triage.run(["report", "--case", caseDir, "--format", "json"]).json() as! [String: Any]
        let totals = report["totals"] as! [String: Any]
        let counts = totals["counts"] as! [String: [String: [String: Int]]]
        for category in ["A", "B", "C", "N"] {
            #expect(counts[category]!["still"]!["instances"] == expectedCounts[category, default: 0], "\(category)")
        }
        #expect((totals["pending"] as! [String: Int])["instances"] == expectedCounts["pending", default: 0])
        #expect(totals["errors"] as? Int == 0)

        // The reconciliation explains every instance beyond the unique items, copies in containers included.
        for row in totals["reconciliation"] as! [[String: Any]] {
            let parts = ["unique", "other_folders", "inside_containers", "embedded_thumbnails", "cache_folders"].map { row[$0] as! Int }
            #expect(parts.reduce(0, +) == row["instances"] as? Int, "\(row)")
            let category = row["category"] as! String
            let instances = category == "pending" ? (totals["pending"] as! [String: Int])["instances"]!
                : counts[category]!["still"]!["instances"]! + counts[category]!["moving"]!["instances"]!
            #expect(row["instances"] as? Int == instances, "\(category)")
        }
        #expect((totals["reconciliation"] as! [[String: Any]]).contains { ($0["inside_containers"] as! Int) > 0 })

        // An edited photo that kept the original in its EXIF thumbnail is flagged; an unedited one is not.
        let mismatches = report["thumbnail_mismatches"] as! [[String: Any]]
        #expect(mismatches.map { $0["path"] as? String } == ["Pictures/edited-with-thumb.jpg!exif-thumbnail"])
        #expect(Int(rows["Pictures/with-thumb.jpg!exif-thumbnail"]?["parent_pdq_distance"] ?? "") ?? 99 <= 31)
        let text = try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout
        #expect(text.contains("EXIF thumbnails unlike their photo (1)"))
    }

    @Test func aNestedZipBombEndsQuicklyWithRatioLimit() throws {
        try importHashSets()
        let started = Date()
        let result = try scan(TestPaths.fixtures + "/containers/bad", extra: ["--jobs", "1"])
        #expect(Date().timeIntervalSince(started) < 60, "the bomb must not expand")
        #expect(result.status == 1, "encrypted and damaged containers are listed as errors")
        let rows = try reportRows()
        #expect(rows["bomb.zip"]?["disposition"] == "ratio-limit")
        #expect(rows["bomb.zip"]?["reason"]?.contains("compression bomb") == true)
        #expect(rows.keys.filter { $0.hasPrefix("bomb.zip!/") }.count < 2_000)
    }

    /// Every path under `root` with its size and modification time.
    func snapshot(_ root: String) -> [String: String] {
        var out: [String: String] = [:]
        for path in FileManager.default.enumerator(atPath: root)!.compactMap({ $0 as? String }) {
            var info = stat()
            lstat(root + "/" + path, &info)
            out[path] = "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        return out
    }

    @Test func hostileAndDamagedContainersEndAsRecordedDispositions() throws {
        try importHashSets()
        // Scanned from a copy, so that anything written beside the evidence would show.
        let evidence = temp.url("evidence")
        try FileManager.default.copyItem(atPath: TestPaths.fixtures + "/containers/bad", toPath: evidence)
        let tmpBefore = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
        let before = snapshot(temp.path)
        let result = try scan(evidence)
        #expect(result.status == 1)
        // Nothing was written anywhere but the case directory.
        let after = snapshot(temp.path).filter { !$0.key.hasPrefix("case") && !$0.key.hasPrefix("hashdb.sqlite") }
        #expect(after == before.filter { !$0.key.hasPrefix("case") && !$0.key.hasPrefix("hashdb.sqlite") })
        let tmpAfter = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
        #expect(!tmpAfter.subtracting(tmpBefore).contains { $0.contains("abs") || $0.contains("escaped") })
        let rows = try reportRows()
        func disposition(_ path: String) -> String? { rows[path]?["disposition"] }

        // Names are data: shown as stored, never used to write anything.
        #expect(rows["traversal.zip!/../../escaped.jpg"]?["category"] == "A")
        #expect(rows["traversal.zip!//tmp/abs.jpg"]?["category"] == "A")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/abs.jpg"))
        #expect(!FileManager.default.fileExists(atPath: TestPaths.fixtures + "/containers/escaped.jpg"))
        #expect(!FileManager.default.fileExists(atPath: TestPaths.fixtures + "/escaped.jpg"))

        // A broken central directory: both members still found, the zip recorded as damaged.
        #expect(disposition("broken-cd.zip") == "container-damaged")
        #expect(disposition("broken-cd.zip!/IMG_0003.jpg") == "processed")
        #expect(rows["broken-cd.zip!/IMG_0003.jpg"]?["category"] == "C")

        // Encrypted: recorded, never guessed at.
        #expect(disposition("password.zip!/IMG_0001.jpg") == "encrypted")
        #expect(disposition("password-aes.zip!/IMG_0001.jpg") == "encrypted")
        #expect(disposition("password-headers.7z") == "encrypted")
        #expect(rows.keys.contains { $0.hasPrefix("password.7z!/") && disposition($0) == "encrypted" })

        // Damaged, and empty.
        #expect(disposition("truncated.tar.gz") == "container-damaged")
        #expect(rows["truncated.tar.gz"]?["reason"]?.contains("8 member(s) found before it") == true
            || rows["truncated.tar.gz"]?["reason"]?.contains("9 member(s) found before it") == true)
        #expect(rows["truncated.tar.gz!/a/IMG_0101.jpg"]?["category"] == "A", "members before the cut are found and matched")
        #expect(disposition("truncated.tar.gz!/a/harbour.png") == "container-damaged")
        #expect(rows["truncated.tar.gz!/a/harbour.png"]?["reason"]?.contains("truncated gzip input") == true)
        #expect(disposition("empty.zip") == "empty")
        #expect(disposition("empty-archive.zip") == "processed")
        #expect(rows["not-really.zip"]?["mime"] != "application/zip")

        // Special entries are recorded, never created.
        #expect(disposition("special.tar!/pipe.jpg") == "not-regular-file")
        #expect(disposition("special.tar!/dev/sda9") == "not-regular-file")
        #expect(disposition("special.tar!/link.jpg") == "symlink")
        #expect(disposition("special.tar!/real.jpg") == "processed")

        // 20 levels deep: opened down to the depth limit (8), every image above it counted.
        let deep = rows.keys.filter { $0.hasPrefix("deep-20.zip") }
        let limited = try #require(deep.first { disposition($0) == "max-depth" })
        #expect(limited.components(separatedBy: "!/").count - 1 == 8)
        #expect(deep.filter { rows[$0]?["kind"] == "still" }.count == 8)
        #expect(!deep.contains { $0.components(separatedBy: "!/").count - 1 > 8 })

        // Every limit and failure is listed in the text report.
        let text = try Triage.run(["report", "--case", caseDir, "--format", "text"]).stdout
        for name in ["bomb.zip — ratio-limit", "password-headers.7z — encrypted", "truncated.tar.gz — container-damaged"] {
            #expect(text.contains(name), "\(name)")
        }
    }

    @Test func rarArchivesAreRead() throws {
        try importHashSets()
        #expect(try scan(TestPaths.fixtures + "/containers/rar", extra: ["--hash-all"]).status == 0)
        let rows = try reportRows()
        for archive in Self.facts["rar"] as! [[String: Any]] {
            for member in archive["members"] as! [[String: Any]] {
                let path = member["forensic_path"] as! String
                if member["size"] as? Int == 0 {
                    #expect(rows[path]?["disposition"] == "empty", "\(path)")
                } else {
                    #expect(rows[path]?["sha256"] == member["sha256"] as? String, "\(path)")
                }
            }
        }
    }

    @Test func theDepthLimitAndNoExpandAreSettable() throws {
        try importHashSets()
        #expect(try scan(TestPaths.evidence + "/exhibit-3/Backups", extra: ["--max-depth", "1"]).status == 0)
        var rows = try reportRows()
        #expect(rows["photos.zip!/2019/old.tar.gz"]?["disposition"] == "max-depth")
        #expect(rows["photos.zip!/2019/IMG_0001.jpg"]?["category"] == "A")
        #expect(rows["photos.zip!/2019/old.tar.gz!/x/IMG_0003.jpg"] == nil)

        try FileManager.default.removeItem(atPath: caseDir)
        #expect(try scan(TestPaths.evidence + "/exhibit-3/Backups", extra: ["--no-expand"]).status == 0)
        rows = try reportRows()
        #expect(rows.keys.allSatisfy { !$0.contains("!/") })

        // Three entries per container (directories count): the rest are not listed, and the limit is named.
        try FileManager.default.removeItem(atPath: caseDir)
        #expect(try scan(TestPaths.evidence + "/exhibit-3/Backups", extra: ["--max-entries", "3"]).status == 0)
        rows = try reportRows()
        #expect(rows["photos.zip"]?["disposition"] == "entry-limit")
        let listed = rows.keys.filter { $0.hasPrefix("photos.zip!/") && !$0.contains("old.tar.gz!/") }
        #expect(!listed.isEmpty && listed.count < 4)

        // 10 kB of expansion per evidence file: photos.zip stops part-way, with the limit named.
        try FileManager.default.removeItem(atPath: caseDir)
        #expect(try scan(TestPaths.evidence + "/exhibit-3/Backups", extra: ["--max-expanded-bytes", "10000"]).status == 0)
        rows = try reportRows()
        #expect(rows["camera.7z"]?["disposition"] == "expansion-limit")
        #expect(rows["camera.7z"]?["reason"]?.contains("more than 10000 bytes expanded") == true)
    }

    @Test func aScanKilledInsideAContainerResumesToTheSameReport() throws {
        try importHashSets()
        let root = TestPaths.evidence + "/exhibit-3"
        let reference = temp.url("reference")
        #expect(try Triage.run(["scan", root, "--case", reference, "--exhibit", "EX/3", "--db", db, "--examiner", "T", "--jobs", "1"]).status == 0)
        let first = try scan(root, extra: ["--jobs", "1", "--batch-size", "3", "--simulate-kill-after-batches", "2"])
        #expect(first.status == 137)
        #expect(try scan(root, extra: ["--jobs", "1"]).status == 0)
        func stable(_ dir: String) throws -> String {
            let report = try Triage.run(["report", "--case", dir, "--format", "json"]).json() as! [String: Any]
            let parts: [String: Any] = ["exhibits": report["exhibits"]!, "totals": report["totals"]!, "errors": report["errors"]!,
                                        "pending_items": report["pending_items"]!]
            return String(decoding: try JSONSerialization.data(withJSONObject: parts, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try stable(caseDir) == stable(reference))
    }
}

/// RFC 4180 records: quoted fields may hold commas, quotes and line breaks.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let char = chars.popFirst() {
            if quoted {
                if char == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                record.append(field)
                field = ""
            } else if char == "\r\n" || char == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(char)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
