import ArgumentParser
import Foundation

struct Triage: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Find, hash, match and count the images and videos on seized devices.",
        discussion: "Exit status: 0 success, 1 finished but some items failed (listed), 2 usage or setup error.",
        version: version,
        subcommands: [HashDB.self, Scan.self, Status.self, Queue.self, ReviewCommand.self, Categorise.self, Undo.self, Report.self, Export.self, Verify.self, Inspect.self,
                      BenchPDQ.self, BenchDecode.self, BenchIndex.self, BenchReview.self, BenchVideo.self])
}

/// `--case DIR`, shared by the case commands.
struct CaseOption: ParsableArguments {
    @Option(name: .customLong("case"), help: "The case directory (created by the first scan).")
    var directory: String
}

/// `--db PATH`, shared by the hash-database commands.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The hash database (default $TRIAGE_HASHDB, else ~/.local/share/triage/hashdb.sqlite).")
    var path: String?
}

/// A failure that ends the command with status 2 and a message on stderr.
struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Runs `body`; any error it throws ends the command with status 2 and its message.
    static func setup<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            err("triage: \(error)\n")
            throw ExitCode(2)
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try! encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// Writes command output to a file (`--out`, created mode 0600: reports list paths and digests
/// of indecent images) or stdout, buffered. A write error (a full disk) is kept and reported
/// by `close`, never a crash.
final class OutputSink {
    private let handle: FileHandle
    private let path: String?
    private var buffer = Data()
    private var failure: (any Error)?

    init(path: String?) throws {
        self.path = path
        if let path {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw SetupError("cannot write \(path): \(String(cString: strerror(errno))); check the folder exists and is writable")
            }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        } else {
            handle = FileHandle.standardOutput
        }
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 20 { flush() }
    }

    func flush() {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            failure = error
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and throws the first write error, naming the file.
    func close() throws {
        flush()
        if let failure { throw SetupError("writing \(path ?? "standard output") failed: \(failure.localizedDescription); the output is incomplete") }
    }
}

func examinerName(_ option: String?) -> String? {
    if let option, !option.isEmpty { return option }
    if let env = ProcessInfo.processInfo.environment["TRIAGE_EXAMINER"], !env.isEmpty { return env }
    return nil
}
