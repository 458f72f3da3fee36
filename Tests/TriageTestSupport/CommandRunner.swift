import Foundation

/// The result of running the real `triage` binary.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: [UInt8]

    /// stdout parsed as JSON.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdoutBytes))
    }
}

/// Runs the built `triage` binary, as argument-parser's `AssertExecuteCommand` does: the real
/// executable, with a pinned clock and locale so output is deterministic.
public enum Triage {
    /// The binary next to the test bundle (SwiftPM puts products and tests in one folder).
    public static let binary: String = {
        var candidates: [String] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent().path) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().path) }
        candidates.append(TestPaths.packageRoot + "/.build/debug")
        for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/triage") {
            return directory + "/triage"
        }
        fatalError("triage binary not found near the tests (looked in \(candidates)); run `swift build` first")
    }()

    /// Runs `triage ARGS` and waits (at most `timeout` seconds, then kills it and fails).
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil,
                           timeout: TimeInterval = 120) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C.UTF-8"
        env["TZ"] = "UTC"
        env["TRIAGE_FIXED_TIME"] = "2026-01-01T00:00:00.000Z"
        env["TRIAGE_EXAMINER"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs, so a large output cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw TimeoutError(arguments: arguments)
        }
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: Array(outData))
    }

    /// Starts `triage ARGS` without waiting (for kill tests).
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    public struct TimeoutError: Error, CustomStringConvertible {
        public var arguments: [String]
        public var description: String { "triage \(arguments.joined(separator: " ")) did not finish in time (hung?)" }
    }
}

/// Runs a shell command (for test set-up such as python3 edits of a database).
@discardableResult
public func shell(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try! process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
