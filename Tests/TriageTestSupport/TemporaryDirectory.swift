import Foundation
import Glibc

/// A fresh directory under the system temporary folder, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "triage-test") {
        var template = Array((NSTemporaryDirectory() + "/\(label).XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: template)
    }

    deinit {
        // Restore permissions a test may have removed, then delete.
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+rwx", path]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/relative`.
    public func url(_ relative: String) -> String { path + "/" + relative }
}

/// Builds evidence trees for tests: files, folders, links, FIFOs, names that are raw bytes.
public struct EvidenceTreeBuilder {
    public let root: String

    public init(root: String) {
        self.root = root
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Writes a file (creating folders on the way).
    @discardableResult
    public func file(_ relative: String, _ contents: [UInt8]) -> String {
        let path = root + "/" + relative
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(contents))
        return path
    }

    @discardableResult
    public func file(_ relative: String, text: String) -> String { file(relative, Array(text.utf8)) }

    /// Copies a file from elsewhere into the tree.
    @discardableResult
    public func copy(_ source: String, to relative: String) -> String {
        file(relative, Array(FileManager.default.contents(atPath: source)!))
    }

    /// A file whose name is the given raw bytes, inside `folder`.
    public func file(named name: [UInt8], in folder: String = "", _ contents: [UInt8]) {
        let directory = folder.isEmpty ? root : root + "/" + folder
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var path = Array(directory.utf8) + [UInt8(ascii: "/")] + name
        path.append(0)
        let fd = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        precondition(fd >= 0, "cannot create file with raw name")
        _ = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    public func symlink(_ relative: String, to target: String) {
        let path = root + "/" + relative
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        precondition(Glibc.symlink(target, path) == 0, "symlink failed")
    }

    public func fifo(_ relative: String) {
        precondition(mkfifo(root + "/" + relative, 0o644) == 0, "mkfifo failed")
    }

    public func folder(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }
}

/// Where things are when tests run.
public enum TestPaths {
    /// The package root (found from this source file's location).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var fixtures: String { packageRoot + "/Fixtures" }
    public static var evidence: String { fixtures + "/evidence" }
    public static var hashsets: String { fixtures + "/hashsets" }

    /// The shared reference data, when present (`../shared/testdata`).
    public static var sharedTestdata: String? {
        let path = (packageRoot as NSString).deletingLastPathComponent + "/shared/testdata"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Bytes of a file.
    public static func bytes(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }
}
