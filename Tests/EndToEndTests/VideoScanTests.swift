import Foundation
import Testing
import TriageTestSupport

/// Moving images through the real binary: the video exhibit `Fixtures/video/evidence` (made by
/// `Fixtures/video/make-videos.py`) against the fixture hash set, whose pictures meadow (A) and
/// harbour (B) appear in some of its videos.
@Suite struct VideoScanTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }
    static let evidence = TestPaths.fixtures + "/video/evidence"

    func scan(_ extra: [String] = []) throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        let scan = try Triage.run(["scan", Self.evidence, "--case", caseDir, "--exhibit", "EX/V", "--db", db, "--examiner", "J Smith"] + extra)
        #expect(scan.status == 0, "\(scan.stderr)")
    }

    func report(_ format: String) throws -> String {
        let result = try Triage.run(["report", "--case", caseDir, "--format", format])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// Videos count as moving images only, in the category their frames matched; the frames
    /// never count as stills; audio-only files are not moving images at all.
    @Test func videosAreCountedAsMovingImagesInTheirFramesCategory() throws {
        try scan()
        let json = try JSONSerialization.jsonObject(with: Data(try report("json").utf8)) as! [String: Any]
        let exhibit = (json["exhibits"] as! [[String: Any]])[0]
        #expect(exhibit["files"] as? Int == 14 && exhibit["videos"] as? Int == 11 && exhibit["images"] as? Int == 0)
        let counts = exhibit["counts"] as! [String: [String: [String: Int]]]
        #expect(counts["A"]!["moving"]! == ["instances": 2, "unique": 2, "visually_unique": 2])
        #expect(counts["B"]!["moving"]!["instances"] == 2 && counts["B"]!["moving"]!["unique"] == 2)
        for category in ["A", "B", "C", "N"] { #expect(counts[category]!["still"]!["instances"] == 0) }
        #expect((exhibit["pending"] as! [String: Int])["instances"] == 7)
        let pendingByKind = exhibit["pending_by_kind"] as! [String: [String: Int]]
        #expect(pendingByKind["moving"]!["instances"] == 7 && pendingByKind["still"]!["instances"] == 0)
        #expect((exhibit["basis"] as! [String: Int])["perceptual"] == 4)

        let matches = Dictionary(uniqueKeysWithValues: (json["perceptual_matches"] as! [[String: Any]]).map { ($0["path"] as! String, $0) })
        #expect(Set(matches.keys) == ["Movies/beach-trip.mp4", "Movies/harbour-walk.webm", "Archive/clips.zip!/holiday/clip.mp4",
                                      "Camera/VID_PORTRAIT.mp4"])
        // The portrait video is turned upright by its display matrix before hashing: meadow from 1 s.
        #expect(matches["Camera/VID_PORTRAIT.mp4"]!["frame_times"] as? [String] == ["0:00:01.000", "0:00:02.000"])
        // meadow is on screen from 3 s to 6 s, harbour from 2 s to 5 s (and from 1 s to 3 s in the zipped clip).
        #expect(matches["Movies/beach-trip.mp4"]!["frame_times"] as? [String] == ["0:00:03.000", "0:00:04.000", "0:00:05.000"])
        #expect(matches["Movies/beach-trip.mp4"]!["category"] as? String == "A")
        func seconds(_ path: String) -> [Double] {
            (matches[path]!["frame_times"] as! [String]).map { Double($0.split(separator: ":").last!)! }
        }
        #expect(seconds("Movies/harbour-walk.webm").allSatisfy { (2..<5).contains($0) } && seconds("Movies/harbour-walk.webm").count == 3)
        #expect(seconds("Archive/clips.zip!/holiday/clip.mp4").allSatisfy { (1..<3).contains($0) })

        let limits = Dictionary(uniqueKeysWithValues: (json["limits"] as! [[String: Any]]).map { ($0["path"] as! String, $0["disposition"] as! String) })
        #expect(limits["Movies/bad-audio-only.mp4"] == "no-video-stream" && limits["Movies/bad-zero-length.mp4"] == "no-video-stream")
        #expect(limits["Movies/bad-truncated.mp4"] == "damaged" && limits["Movies/bad-joined.ts"] == "damaged")
        #expect(limits["Movies/bad-slideshow.mp4"] == nil)
        #expect(limits["Movies/bad-garbage-after-header.mp4"] == "undecodable" && limits["Movies/bad-no-index.mp4"] == "undecodable")
        #expect((json["errors"] as! [Any]).isEmpty)
    }

    /// The text, HTML and CSV reports show the same numbers and the matching frames' times.
    @Test func everyReportFormatShowsTheFrameTimes() throws {
        try scan()
        let text = try report("text")
        #expect(text.contains("    A                 0 / 0 / 0            2 / 2 / 2"))
        #expect(text.contains("    pending           0 / 0 / 0            7 / 7 / 7"))
        #expect(text.contains("Movies/beach-trip.mp4 — A, distance"))
        #expect(text.contains("video frames that matched (3): 0:00:03.000, 0:00:04.000, 0:00:05.000"))
        #expect(text.contains("Videos were read with FFmpeg (libavformat"))
        let html = try report("html")
        #expect(html.contains("video frames that matched (3): 0:00:03.000, 0:00:04.000, 0:00:05.000"))
        let rows = try report("csv").components(separatedBy: "\r\n").map { $0.components(separatedBy: ",") }
        let header = rows[0]
        let beach = rows.first { $0.count == header.count && $0[header.firstIndex(of: "path")!] == "Movies/beach-trip.mp4" }!
        func cell(_ name: String) -> String { beach[header.firstIndex(of: name)!] }
        #expect(cell("kind") == "moving" && cell("category") == "A" && cell("basis") == "perceptual")
        #expect(cell("video_duration") == "9.000" && cell("video_frames_sampled") == "9")
        #expect(cell("video_matching_frames") == "0:00:03.000 0:00:04.000 0:00:05.000")
        #expect(cell("decoder") == "FFmpeg h264")
    }

    /// Frames are sealed with their items: `verify` passes, and an edited frame is caught.
    @Test func videoFramesAreSealedInTheAuditChain() throws {
        try scan()
        #expect(try Triage.run(["verify", "--case", caseDir]).status == 0)
        // One byte of one frame's hash changed behind the tool's back.
        let edit = shell("python3 -c \"import sqlite3; c = sqlite3.connect('\(caseDir)/case.sqlite'); i, f = c.execute('SELECT id, frames FROM items WHERE frames IS NOT NULL ORDER BY id LIMIT 1').fetchone(); f = bytearray(f); f[20] ^= 1; c.execute('UPDATE items SET frames = ? WHERE id = ?', (bytes(f), i)); c.commit()\"")
        #expect(edit.status == 0, "\(edit.output)")
        let verify = try Triage.run(["verify", "--case", caseDir])
        #expect(verify.status != 0)
    }

    /// The settings reach the scan: two frames per second give twice the samples, and the
    /// unknown video waits in the queue as one moving item.
    @Test func samplingSettingsAndTheQueue() throws {
        try scan(["--frames-per-second", "2", "--max-video-frames", "12"])
        let inspect = try Triage.run(["inspect", Self.evidence + "/Movies/beach-trip.mp4", "--json", "--frames-per-second", "2", "--db", db])
        let entry = (try inspect.json() as! [[String: Any]])[0]
        #expect((entry["frames"] as! [[String: Any]]).count == 18)
        #expect((entry["video"] as! [String: Any])["codec"] as? String == "h264")
        let capped = try Triage.run(["inspect", Self.evidence + "/Movies/beach-trip.mp4", "--json", "--max-video-frames", "3", "--db", db])
        let cappedFrames = ((try capped.json() as! [[String: Any]])[0]["frames"] as! [[String: Any]]).map { $0["timestamp"] as! String }
        #expect(cappedFrames == ["0.000", "3.000", "6.000"])
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"])
        let groups = try queue.json() as! [[String: Any]]
        let avi = groups.first { ($0["paths"] as? [String])?.contains { $0.hasSuffix("Camera/MOV_0001.avi") } == true }
        #expect(avi != nil)
        #expect(try Triage.run(["status", "--case", caseDir]).stdout.contains("pending"))
    }

    /// A vPDQ list of the unknown clip, made from what `inspect` sampled, imported as a known
    /// video of category C: the clip is then counted as C on that basis. The database's vPDQ
    /// export re-imports into a fresh database and gives the same match.
    @Test func aKnownVideoFromAVPDQListIsMatchedAndItsExportReimports() throws {
        let clip = Self.evidence + "/Camera/MOV_0001.avi"
        let inspect = try Triage.run(["inspect", clip, "--json", "--no-expand"])
        let frames = (try inspect.json() as! [[String: Any]])[0]["frames"] as! [[String: Any]]
        let lines = frames.map { "\($0["frame"]!),\($0["quality"]!),\($0["pdq"]!),\($0["timestamp"]!)\n" }.joined()
        try lines.write(toFile: temp.url("clip.vpdq"), atomically: true, encoding: .utf8)
        let imported = try Triage.run(["hashdb", "import", temp.url("clip.vpdq"), "--category", "C", "--db", db])
        #expect(imported.status == 0 && imported.stdout.contains("(vpdq): 1 records read, 1 added"), "\(imported.stdout)\(imported.stderr)")
        try scan()
        func clipMatch(_ caseDir: String) throws -> [String: Any]? {
            let report = try Triage.run(["report", "--case", caseDir, "--format", "json"])
            let json = try report.json() as! [String: Any]
            return (json["perceptual_matches"] as! [[String: Any]]).first { $0["path"] as? String == "Camera/MOV_0001.avi" }
        }
        let match = try clipMatch(caseDir)
        #expect(match?["category"] as? String == "C")
        #expect(match?["known_video"] as? String == "clip: 100 % of its frames found here, 100 % of this video's frames in it")
        #expect((match?["frame_times"] as? [String])?.count == 7)
        #expect(try report("text").contains("known video clip: 100 % of its frames found here"))
        let info = try Triage.run(["hashdb", "info", "--db", db])
        #expect(info.stdout.contains("known videos"), "\(info.stdout)")

        let exported = temp.url("export.vpdq")
        #expect(try Triage.run(["hashdb", "export", "--format", "vpdq", "--out", exported, "--db", db]).status == 0)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == "# video clip\n" + lines)
        let fresh = temp.url("fresh.sqlite")
        #expect(try Triage.run(["hashdb", "import", exported, "--format", "vpdq", "--category", "C", "--source", "clip.vpdq", "--db", fresh]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", fresh]).status == 0)
        let freshCase = temp.url("fresh-case")
        #expect(try Triage.run(["scan", Self.evidence, "--case", freshCase, "--exhibit", "EX/V", "--db", fresh]).status == 0)
        let again = try clipMatch(freshCase)
        #expect(again?["category"] as? String == "C" && again?["known_video"] as? String == match?["known_video"] as? String)
    }

    /// An unknown video decided by segments from the command line: the report counts it in its
    /// most severe segment's category, the VICS export lists the segments, verify passes.
    @Test func segmentsDecidedFromTheCommandLine() throws {
        try scan()
        let groups = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let clip = groups.first { ($0["paths"] as! [String]).contains { $0.hasSuffix("Camera/MOV_0001.avi") } }!
        let sha = clip["sha256"] as! String
        func categorise(_ arguments: [String]) throws -> CommandResult {
            try Triage.run(["categorise", "--case", caseDir, "--sha256", sha, "--examiner", "J Smith"] + arguments)
        }
        #expect(try categorise(["C", "--segment", "0:00-0:02"]).stdout.contains("segment 0:00:00.000–0:00:02.000 is C; the video pending → C"))
        #expect(try categorise(["B", "--segment", "2-5"]).stdout.contains("the video C → B"))
        #expect(try categorise(["A", "--segment", "5-2"]).status != 0)
        let still = try Triage.run(["categorise", "--case", caseDir, "--sha256", String(repeating: "0", count: 64), "B", "--segment", "1-2",
                                    "--examiner", "J Smith"])
        #expect(still.status != 0)
        let json = try JSONSerialization.jsonObject(with: Data(try report("json").utf8)) as! [String: Any]
        let counts = (json["exhibits"] as! [[String: Any]])[0]["counts"] as! [String: [String: [String: Int]]]
        #expect(counts["B"]!["moving"]!["instances"] == 3 && counts["C"]!["moving"]!["instances"] == 0)
        #expect(counts["A"]!["moving"]!["instances"] == 2)
        #expect(try Triage.run(["verify", "--case", caseDir]).status == 0)
        let export = try Triage.run(["export", "--case", caseDir, "--format", "vics"])
        let media = (((try export.json() as! [String: Any])["value"] as! [[String: Any]])[0]["Media"] as! [[String: Any]])[0]
        #expect(media["IsVideo"] as? Bool == true && media["Category"] as? Int == 2 && media["Duration"] as? String == "0:00:07.000")
        let segments = media["Segments"] as! [[String: Any]]
        #expect(segments.map { $0["StartTime"] as! String } == ["0:00:00.000", "0:00:02.000"])
        #expect(segments.map { $0["Category"] as! Int } == [3, 2])
    }

    /// Every container and codec issue 7 names is found by content and sampled (mp4, webm and
    /// avi are in the exhibit; an FFmpeg-made MPEG-TS, whose first packet is not the PAT, needs
    /// the curated magic database's own rule).
    @Test func everyContainerIsAMovingImageWithFrames() throws {
        let folder = TestPaths.fixtures + "/video/formats"
        let names = ["clip.3gp", "clip.flv", "clip.mkv", "clip.mov", "clip.mpg", "clip.ogv", "clip.ts", "clip.wmv"]
        let inspect = try Triage.run(["inspect", "--json"] + names.map { folder + "/" + $0 })
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let entries = try inspect.json() as! [[String: Any]]
        #expect(entries.count == names.count)
        let expected = ["clip.3gp": "video/3gpp", "clip.flv": "video/x-flv", "clip.mkv": "video/x-matroska", "clip.mov": "video/quicktime",
                        "clip.mpg": "video/mpeg", "clip.ogv": "video/ogg", "clip.ts": "video/MP2T", "clip.wmv": "video/x-ms-asf"]
        for entry in entries {
            let name = (entry["path"] as! String).split(separator: "/").last.map(String.init)!
            #expect(entry["mime"] as? String == expected[name], "\(name)")
            #expect(entry["kind"] as? String == "moving" && entry["disposition"] as? String == "processed", "\(name): \(entry["reason"] ?? "")")
            #expect((entry["frames"] as? [Any])?.count == 2, "\(name)")
        }
    }

    /// Sharing back: a decided video is exported as vPDQ and learned as a known video, which
    /// the next case then recognises by its frames (a re-encoded copy has other digests).
    @Test func decidedVideosAreExportedAndLearned() throws {
        try scan()
        let groups = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        let clip = groups.first { ($0["paths"] as! [String]).contains { $0.hasSuffix("Camera/MOV_0001.avi") } }!
        #expect(try Triage.run(["categorise", "--case", caseDir, "--sha256", clip["sha256"] as! String, "B", "--examiner", "J Smith"]).status == 0)
        let exported = try Triage.run(["export", "--case", caseDir, "--format", "vpdq", "--category", "B"])
        #expect(exported.stdout.hasPrefix("# video Camera/MOV_0001.avi\n0,100,") && exported.stdout.split(separator: "\n").count == 8)
        #expect(try Triage.run(["export", "--case", caseDir, "--format", "vpdq", "--category", "A"]).stdout.isEmpty)
        let learned = try Triage.run(["hashdb", "learn", "--case", caseDir, "--db", db])
        #expect(learned.stdout.contains("1 decided videos read, 1 added as known videos"), "\(learned.stdout)")
        // --json reports the videos too (learned again: already present).
        let again = try Triage.run(["hashdb", "learn", "--case", caseDir, "--db", db, "--json"]).json() as! [String: Any]
        #expect((again["videos"] as? [String: Any])?["already_present"] as? Int == 1, "\(again)")

        // A re-encoded copy of the clip in another exhibit: new digests, same pictures.
        let other = TestPaths.fixtures + "/video/reencoded"
        let next = temp.url("next-case")
        #expect(try Triage.run(["scan", other, "--case", next, "--exhibit", "EX/2", "--db", db]).status == 0)
        let report = try Triage.run(["report", "--case", next, "--format", "json"]).json() as! [String: Any]
        let match = (report["perceptual_matches"] as! [[String: Any]]).first
        #expect(match?["category"] as? String == "B")
        #expect((match?["known_video"] as? String)?.hasPrefix("Camera/MOV_0001.avi: 100 % of its frames found here") == true, "\(match ?? [:])")
    }
}
