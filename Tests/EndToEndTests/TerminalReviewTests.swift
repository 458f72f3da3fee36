import Foundation
import Testing
import TriageTestSupport

/// A tmux server of its own, with one pane running a command, read back with `capture-pane`.
final class TmuxPane {
    let socket: String
    static let width = 120, height = 40

    init(_ command: String) throws {
        socket = "triage-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = Self.run("tmux -L \(socket) -f /dev/null new-session -d -x \(Self.width) -y \(Self.height) -s review \(Self.quote(command)) 2>&1")
        guard result.status == 0 else {
            throw TmuxError(description: "tmux could not start (is it installed? scripts/install-deps adds it): \(result.output)")
        }
    }

    deinit { Self.run("tmux -L \(socket) kill-server") }

    /// The screen as text.
    func screen() -> String { Self.run("tmux -L \(socket) capture-pane -p -t review").output }

    func send(_ keys: String...) { Self.run("tmux -L \(socket) send-keys -t review \(keys.map(Self.quote).joined(separator: " "))") }

    func value(_ format: String) -> String {
        Self.run("tmux -L \(socket) display-message -p -t review \(Self.quote(format))").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a shell command with popen, which waits for exactly its own child. (Foundation's
    /// Process, used by `shell`, hung waiting for the shell that started the tmux server.)
    @discardableResult
    static func run(_ command: String) -> (status: Int32, output: String) {
        guard let pipe = popen(command, "r") else { return (-1, "popen failed") }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count == 0 { break }
            output += buffer.prefix(count)
        }
        let status = pclose(pipe)
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// Waits (at most 20 s) until the screen shows `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if last.contains(text) { return last }
            usleep(50_000)
        }
        Issue.record("the screen never showed \"\(text)\"; it shows:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    struct TmuxError: Error, CustomStringConvertible { var description: String }
}

/// The review screen through the real binary inside tmux: keys in, screen out, case checked after.
@Suite(.serialized) struct TerminalReviewTests {
    let temp = TemporaryDirectory()
    var db: String { temp.url("hashdb.sqlite") }
    var caseDir: String { temp.url("case") }

    /// Exhibit 1 scanned against the fixture hash sets, plus an exhibit whose one file has an
    /// escape sequence in its name.
    func prepare() throws -> Int {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known.md5", "--category", "C", "--db", db]).status == 0)
        #expect(try Triage.run(["scan", TestPaths.evidence + "/exhibit-1", "--case", caseDir, "--exhibit", "EX/1", "--db", db,
                                "--examiner", "J Smith"]).status == 0)
        let hostile = temp.url("hostile")
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
        // A fresh picture (not a copy of one already pending: a flat 40x30 PNG, written with
        // Python's standard library), named to retitle the window and clear the screen.
        let script = """
            import struct, zlib
            def chunk(kind, data): return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
            rows = b''.join(b'\\x00' + bytes([200, 30, 90]) * 40 for _ in range(30))
            png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 40, 30, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')
            open('\(hostile)/plain.png', 'wb').write(png)
            """
        try script.write(toFile: temp.url("png.py"), atomically: true, encoding: .utf8)
        #expect(shell("python3 \(temp.url("png.py"))").status == 0)
        try FileManager.default.moveItem(atPath: hostile + "/plain.png", toPath: hostile + "/evil\u{1B}]2;pwned\u{07}\u{1B}[2J.png")
        #expect(try Triage.run(["scan", hostile, "--case", caseDir, "--exhibit", "EX/9", "--db", db, "--examiner", "J Smith"]).status == 0)
        return try pendingGroups()
    }

    func pendingInstances() throws -> Int {
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"])
        return (try queue.json() as! [[String: Any]]).reduce(0) { $0 + ($1["instances"] as! Int) }
    }

    func pendingGroups() throws -> Int {
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"])
        return (try queue.json() as! [Any]).count
    }

    var review: String {
        "env LC_ALL=C.UTF-8 TERM=xterm-256color \(Triage.binary) review --case \(caseDir) --examiner 'E2E Examiner'; echo EXIT=$?; sleep 120"
    }

    @Test func aQueueIsGradedEndToEndWithUndoQuitAndResume() throws {
        let pending = try prepare()
        let instances = try pendingInstances()
        #expect(pending > 3)
        var pane = try TmuxPane(review)
        let first = pane.waitFor("PENDING")
        #expect(first.contains("item 1 of"))
        #expect(first.contains("▀"), "the picture is drawn in half-blocks under tmux")
        pane.send("d")
        pane.waitFor("Details (d closes)")
        pane.send("d", "?")
        pane.waitFor("Keys (? closes)")
        pane.send("?", "Space")
        pane.waitFor("REVEALED")
        pane.send("a")
        pane.waitFor("Saved A")
        #expect(try pendingGroups() == pending - 1, "saved before the next item is drawn")
        pane.send("u")
        pane.waitFor("Undone")
        #expect(try pendingGroups() == pending)
        pane.send("b", "q")
        pane.waitFor("EXIT=0")
        #expect(pane.value("#{alternate_on}") == "0", "the terminal is back on its normal screen")
        #expect(try pendingGroups() == pending - 1)

        // Reopen: it resumes at the first pending item; grade the rest as N.
        pane = try TmuxPane(review)
        pane.waitFor("\(pending - 1) pending")
        for _ in 1..<pending {
            pane.send("n")
            usleep(100_000)
        }
        pane.waitFor("Every item in the queue is decided")
        pane.send("q")
        pane.waitFor("EXIT=0")
        #expect(try pendingGroups() == 0)
        let report = try Triage.run(["report", "--case", caseDir, "--format", "json"])
        let exhibits = (try report.json() as! [String: Any])["exhibits"] as! [[String: Any]]
        let byExaminer = exhibits.reduce(0) { $0 + (($1["basis"] as! [String: Int])["examiner"] ?? 0) }
        #expect(byExaminer == instances, "every decision counts, as an examiner's")
        #expect(exhibits.allSatisfy { ($0["pending"] as? [String: Int])?["instances"] == 0 })
        #expect(try Triage.run(["verify", "--case", caseDir]).status == 0)
        // The reveal is in the exposure ledger.
        #expect(try Triage.run(["status", "--case", caseDir]).stdout.contains("exposure: E2E Examiner revealed 1 item(s)"))
    }

    @Test func aKilledScreenLosesNothingAndSIGTERMRestoresTheTerminal() throws {
        let pending = try prepare()
        var pane = try TmuxPane(review)
        pane.waitFor("PENDING")
        pane.send("c")
        pane.waitFor("Saved C")
        let pattern = TmuxPane.quote("^\(Triage.binary) review --case \(caseDir)")
        TmuxPane.run("pkill -KILL -f \(pattern)")
        // Killed outright, it cannot restore the terminal (raw mode, no wrap), so the shell's
        // EXIT line may be garbled: wait for the process to be gone instead.
        for _ in 0..<200 where TmuxPane.run("pgrep -f \(pattern)").status == 0 { usleep(50_000) }
        #expect(TmuxPane.run("pgrep -f \(pattern)").status != 0, "the review screen did not die")
        #expect(try pendingGroups() == pending - 1)

        pane = try TmuxPane(review)
        pane.waitFor("\(pending - 1) pending")
        #expect(pane.value("#{alternate_on}") == "1")
        TmuxPane.run("pkill -TERM -f \(pattern)")
        pane.waitFor("EXIT=0")
        #expect(pane.value("#{alternate_on}") == "0")
        #expect(pane.value("#{cursor_flag}") == "1", "the cursor is shown again")
    }

    @Test func aCrashRestoresTheTerminal() throws {
        _ = try prepare()
        let pane = try TmuxPane(review)
        pane.waitFor("PENDING")
        #expect(pane.value("#{alternate_on}") == "1")
        let pattern = TmuxPane.quote("^\(Triage.binary) review --case \(caseDir)")
        TmuxPane.run("pkill -SEGV -f \(pattern)")
        pane.waitFor("EXIT=139")
        #expect(pane.value("#{alternate_on}") == "0")
        #expect(pane.value("#{cursor_flag}") == "1")
    }

    @Test func thePictureFollowsResizesAndTheViewerGetsAPrivateCopy() throws {
        _ = try prepare()
        let viewer = temp.url("viewer.sh")
        try "#!/bin/sh\nprintf '%s' \"$1\" > \(temp.url("seen-path"))\ncp \"$1\" \(temp.url("seen"))\n"
            .write(toFile: viewer, atomically: true, encoding: .utf8)
        chmod(viewer, 0o755)
        let pane = try TmuxPane("env TRIAGE_VIEWER=\(viewer) " + review.dropFirst(4))
        pane.waitFor("PENDING")
        func pictureWidth() -> Int { pane.screen().split(separator: "\n").map { $0.filter { $0 == "▀" }.count }.max() ?? 0 }
        let wide = pictureWidth()
        TmuxPane.run("tmux -L \(pane.socket) resize-window -t review -x 60 -y 24")
        var narrow = wide
        for _ in 0..<100 where narrow >= wide { usleep(50_000); narrow = pictureWidth() }
        #expect(narrow > 0 && narrow <= 60 && narrow < wide, "\(wide) → \(narrow)")

        pane.send("o")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: temp.url("seen")) { usleep(50_000) }
        let copy = try String(contentsOfFile: temp.url("seen-path"), encoding: .utf8)
        #expect(!copy.hasPrefix(TestPaths.evidence) && !copy.contains("exhibit-1"), "the viewer got a copy, not the evidence: \(copy)")
        usleep(300_000)
        #expect(!FileManager.default.fileExists(atPath: copy), "the private copy is removed after the viewer")
        let digest = String(shell("sha256sum \(temp.url("seen"))").output.prefix(64))
        let queue = try Triage.run(["queue", "--case", caseDir, "--json"]).json() as! [[String: Any]]
        #expect(queue.contains { $0["sha256"] as? String == digest })
        pane.send("q")
        pane.waitFor("EXIT=0")
    }

    @Test func anEscapeSequenceInAFileNameIsShownNotObeyed() throws {
        _ = try prepare()
        let pane = try TmuxPane(review)
        pane.waitFor("PENDING")
        var screen = ""
        for _ in 0..<20 where !screen.contains("evil") {
            pane.send("s")
            usleep(150_000)
            screen = pane.screen()
        }
        #expect(screen.contains("evil\\x1b]2;pwned\\x07\\x1b[2J.png"))
        #expect(!pane.value("#{pane_title}").contains("pwned"))
        #expect(screen.contains("triage review"), "the screen was not cleared by the name")
        pane.send("q")
        pane.waitFor("EXIT=0")
    }

    @Test func aSecondScreenWaitsForTheFirst() throws {
        _ = try prepare()
        let first = try TmuxPane(review)
        first.waitFor("PENDING")
        let second = try TmuxPane(review)
        second.waitFor("another review screen has this case open")
        first.send("q")
        first.waitFor("EXIT=0")
        second.waitFor("PENDING")
        second.send("q")
        second.waitFor("EXIT=0")
    }

    /// A pending video is shown as a storyboard; a segment is marked on its tiles and decided,
    /// and the decision is stored for that segment.
    @Test func aVideoIsDecidedBySegmentFromItsStoryboard() throws {
        #expect(try Triage.run(["hashdb", "import", TestPaths.hashsets + "/known-vics2.json", "--db", db]).status == 0)
        #expect(try Triage.run(["scan", TestPaths.fixtures + "/video/evidence/Camera", "--case", caseDir, "--exhibit", "EX/V", "--db", db]).status == 0)
        let pane = try TmuxPane(review)
        var screen = pane.waitFor("tile 1 of 20 at 0:00:00.000")
        #expect(screen.contains("EX/V: MOV_0001.avi") && screen.contains("▀"), "\(screen)")
        pane.send(".", ".", "[")
        screen = pane.waitFor("segment from 0:00:0")
        // The third tile's time, as the footer shows it.
        let start = String(screen[screen.range(of: "segment from ")!.upperBound...].prefix(11))
        pane.send(".", ".", "]")
        _ = pane.waitFor("a category key decides it")
        pane.send("c")
        screen = pane.waitFor("Saved C for \(start)–")
        #expect(screen.contains("DECIDED C") && screen.contains("the video is C"))
        pane.send("q")
        _ = pane.waitFor("EXIT=0")
        let export = try Triage.run(["export", "--case", caseDir, "--format", "vics"])
        let media = (((try export.json() as! [String: Any])["value"] as! [[String: Any]])[0]["Media"] as! [[String: Any]])[0]
        #expect((media["Segments"] as? [[String: Any]])?.first?["StartTime"] as? String == start)
    }
}
