import Foundation
import Glibc
import Testing
import TriageTestSupport

/// Runs the real binary as an unprivileged user (`nobody`, through util-linux's setpriv), as an
/// examiner's account would on evidence mounted from elsewhere: permission errors are real, and
/// O_NOATIME is refused with EPERM on files the user does not own (PLATFORM.md).
@Suite(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                "needs root to switch to an unprivileged user with setpriv"))
struct UnprivilegedTests {
    let temp = TemporaryDirectory()

    func asNobody(_ arguments: [String]) -> (status: Int32, output: String) {
        let quoted = ([Triage.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return shell("cd / && TRIAGE_FIXED_TIME=2026-01-01T00:00:00.000Z setpriv --reuid=65534 --regid=65534 --clear-groups " + quoted.joined(separator: " ") + " 2>&1")
    }

    @Test func unreadableFilesAndFoldersAreRecordedAndOthersReadWithoutNoAtime() throws {
        guard asNobody(["--version"]).status == 0 else {
            print("skipped: the built binary is not reachable by an unprivileged user here")
            return
        }
        chmod(temp.path, 0o755)
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        let jpeg = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0101.jpg")  // PDQ quality 100
        tree.file("readable.jpg", jpeg)
        tree.file("locked.jpg", jpeg + [1])
        tree.file("sealed/inside.jpg", jpeg + [2])
        chmod(temp.url("evidence/locked.jpg"), 0)
        chmod(temp.url("evidence/sealed"), 0)
        let work = temp.url("work")
        mkdir(work, 0o777)
        chmod(work, 0o777)
        let list = work + "/known.md5"
        FileManager.default.createFile(atPath: list, contents: Data("# none\n".utf8))
        chmod(list, 0o644)
        let db = work + "/hashdb.sqlite"
        #expect(asNobody(["hashdb", "import", list, "--format", "md5sum", "--category", "C", "--db", db]).status == 0)

        let scan = asNobody(["scan", temp.url("evidence"), "--case", work + "/case", "--exhibit", "U/1", "--db", db, "--examiner", "T"])
        #expect(scan.status == 1, "\(scan.output)")  // finished, with items that could not be read
        #expect(scan.output.contains("2 items of this exhibit could not be examined"))

        // A re-run that finds nothing new still says the exhibit has errors.
        let again = asNobody(["scan", temp.url("evidence"), "--case", work + "/case", "--exhibit", "U/1", "--db", db, "--examiner", "T"])
        #expect(again.status == 1, "\(again.output)")

        let csv = asNobody(["report", "--case", work + "/case", "--format", "csv"])
        let rows = csv.output.split(separator: "\r\n").map(String.init)
        #expect(rows.contains { $0.contains(",locked.jpg,") && $0.contains("unreadable") && $0.contains("Permission denied") })
        #expect(rows.contains { $0.contains(",sealed,") && $0.contains("unreadable") && $0.contains("Permission denied") })
        // The file nobody does not own was still read (O_NOATIME refused, retried without it).
        #expect(rows.contains { $0.contains(",readable.jpg,still,image/jpeg,") && $0.contains(",processed,") })
    }
}
