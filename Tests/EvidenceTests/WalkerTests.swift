import Evidence
import Foundation
import Glibc
import Testing
import TriageCore
import TriageTestSupport

@Suite struct WalkerTests {
    func walk(_ root: String) throws -> [WalkEntry] {
        var entries: [WalkEntry] = []
        Walker(root: try EvidenceRoot(path: root)).walk { entries.append($0) }
        return entries
    }

    func paths(_ entries: [WalkEntry]) -> [String] { entries.map { SafeText.display($0.relativePath) } }

    @Test func findsEveryRegularFileInByteOrder() throws {
        let temp = TemporaryDirectory()
        let tree = EvidenceTreeBuilder(root: temp.path)
        tree.file("b.jpg", text: "b")
        tree.file("a/z.png", text: "z")
        tree.file("a/b/c/deep.txt", text: "deep")
        tree.file("A.txt", text: "upper")
        tree.folder("empty")
        let entries = try walk(temp.path)
        #expect(paths(entries) == ["A.txt", "b.jpg", "a/z.png", "a/b/c/deep.txt"])
        #expect(entries.allSatisfy { $0.kind == .regularFile })
        #expect(entries[1].size == 1)
        #expect(entries[1].times.modified != nil)
    }

    @Test func symbolicLinksAreRecordedNeverFollowed() throws {
        let temp = TemporaryDirectory()
        let tree = EvidenceTreeBuilder(root: temp.path + "/root")
        tree.file("photos/a.jpg", text: "jpeg")
        tree.symlink("photos/link-to-a.jpg", to: "a.jpg")            // inside the root
        tree.symlink("escape", to: "/etc")                          // out of the root
        tree.symlink("photos/loop", to: "..")                       // a loop
        tree.symlink("self", to: "self")                            // a link to itself
        let entries = try walk(temp.path + "/root")
        #expect(paths(entries) == ["escape", "self", "photos/a.jpg", "photos/link-to-a.jpg", "photos/loop"])
        let kinds = Dictionary(uniqueKeysWithValues: entries.map { (SafeText.display($0.relativePath), $0.kind) })
        #expect(kinds["photos/a.jpg"] == .regularFile)
        #expect(kinds["photos/link-to-a.jpg"] == .symlink(target: Array("a.jpg".utf8)))
        #expect(kinds["escape"] == .symlink(target: Array("/etc".utf8)))
        #expect(kinds["photos/loop"] == .symlink(target: Array("..".utf8)))
        let result = entries.first { $0.relativePath == Array("escape".utf8) }!.unreadResult()
        #expect(result.disposition == .symlink)
        #expect(result.linkTarget == Array("/etc".utf8))
    }

    @Test func fifosAndSocketsAreNeverOpened() throws {
        let temp = TemporaryDirectory()
        let tree = EvidenceTreeBuilder(root: temp.path)
        tree.fifo("pipe.jpg")
        tree.file("ok.txt", text: "ok")
        // Opening this FIFO for reading would block forever; the walk must finish.
        let entries = try walk(temp.path)
        #expect(entries.count == 2)
        let fifo = entries.first { $0.relativePath == Array("pipe.jpg".utf8) }!
        #expect(fifo.kind == .special("FIFO (named pipe)"))
        #expect(fifo.unreadResult().disposition == .notRegularFile)
        // Even asked directly, the root refuses to open it as a file (and does not block).
        #expect(throws: SystemError.self) { try EvidenceRoot(path: temp.path).openFile(Array("pipe.jpg".utf8)) }
    }

    @Test func namesAreBytesAndSurviveOpening() throws {
        let temp = TemporaryDirectory()
        let tree = EvidenceTreeBuilder(root: temp.path)
        let name: [UInt8] = [0x66, 0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67]  // "f\xff\xfe.jpg"
        tree.file(named: name, [1, 2, 3])
        let entries = try walk(temp.path)
        #expect(entries.map(\.relativePath) == [name])
        let file = try EvidenceRoot(path: temp.path).openFile(name)
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
        #expect(Array(buffer[0..<count]) == [1, 2, 3])
    }

    @Test func treesDeeperThanPathMaxWork() throws {
        let temp = TemporaryDirectory()
        // 120 levels of 50-character names: about 6,100 bytes, beyond PATH_MAX (4,096).
        let component = String(repeating: "d", count: 50)
        var fd = open(temp.path, O_RDONLY | O_DIRECTORY)
        for _ in 0..<120 {
            #expect(mkdirat(fd, component, 0o755) == 0)
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
        }
        let fileFD = openat(fd, "deep.jpg", O_WRONLY | O_CREAT, 0o644)
        _ = write(fileFD, "deep", 4)
        close(fileFD)
        close(fd)
        let entries = try walk(temp.path)
        #expect(entries.count == 1)
        #expect(entries[0].kind == .regularFile)
        #expect(entries[0].relativePath.count > 6000)
        let file = try EvidenceRoot(path: temp.path).openFile(entries[0].relativePath)
        #expect(file.size == 4)
    }

    @Test func directoryWithOneHundredThousandEntries() throws {
        let temp = TemporaryDirectory()
        let folder = temp.path + "/big"
        mkdir(folder, 0o755)
        let fd = open(folder, O_RDONLY | O_DIRECTORY)
        for index in 0..<100_000 {
            let file = openat(fd, "f\(index)", O_WRONLY | O_CREAT, 0o644)
            close(file)
        }
        close(fd)
        var count = 0
        var previous: [UInt8] = []
        var ordered = true
        Walker(root: try EvidenceRoot(path: temp.path)).walk { entry in
            count += 1
            if !previous.lexicographicallyPrecedes(entry.relativePath) { ordered = false }
            previous = entry.relativePath
        }
        #expect(count == 100_000)
        #expect(ordered)
    }

    // Root reads through permission bits, so this runs only as another user; as root the
    // error path is covered by `vanishedFileIsAnError`.
    @Test(.enabled(if: geteuid() != 0, "running as root: permission bits cannot make a directory unreadable"))
    func unreadableDirectoryIsRecordedWithTheOSError() throws {
        let temp = TemporaryDirectory()
        let tree = EvidenceTreeBuilder(root: temp.path)
        tree.file("locked/secret.jpg", text: "x")
        chmod(temp.path + "/locked", 0)
        let entries = try walk(temp.path)
        #expect(entries.count == 1)
        guard case .unreadable(let error) = entries[0].kind else { Issue.record("expected unreadable"); return }
        #expect(error.errno == EACCES)
    }

    @Test func vanishedFileIsAnError() throws {
        let temp = TemporaryDirectory()
        let root = try EvidenceRoot(path: temp.path)
        do {
            _ = try root.openFile(Array("gone.jpg".utf8))
            Issue.record("opening a missing file must fail")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.message.contains("No such file"))
        }
    }

    @Test func timesBeyondTheNanosecondRangeAreNilNotACrash() throws {
        let temp = TemporaryDirectory()
        let path = EvidenceTreeBuilder(root: temp.path).file("future.jpg", text: "x")
        // 2300-01-01: past 2262, where nanoseconds since 1970 overflow Int64.
        var times = [timespec(tv_sec: 10_413_792_000, tv_nsec: 0), timespec(tv_sec: 10_413_792_000, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else {
            print("skipped: this file system cannot store a time in 2300")
            return
        }
        let entries = try walk(temp.path)
        #expect(entries.count == 1)
        #expect(entries[0].times.modified == nil)
        #expect(entries[0].times.changed != nil)
    }

    @Test func aSingleFileCanBeARoot() throws {
        let temp = TemporaryDirectory()
        let path = EvidenceTreeBuilder(root: temp.path).file("one.jpg", text: "1")
        let entries = try walk(path)
        #expect(paths(entries) == ["one.jpg"])
        #expect(entries[0].kind == .regularFile)
    }

    @Test func missingRootThrows() {
        #expect(throws: SystemError.self) { try EvidenceRoot(path: "/nonexistent/evidence") }
    }
}
