import Glibc
import TriageCore

/// An error from the operating system, with the call and the path it was about.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var path: String

    public init(call: String, errno: Int32, path: String) {
        self.call = call
        self.errno = errno
        self.path = path
    }

    /// The OS message, e.g. "Permission denied (EACCES)".
    public var message: String { String(cString: strerror(errno)) }

    public var description: String { "\(call) \(path): \(message)" }
}

/// A directory (or single file) given as evidence. Opens files beneath it read-only and never
/// through a symbolic link (DESIGN.md rule 1).
public struct EvidenceRoot: Sendable {
    /// The root as given, e.g. `/mnt/ex1`.
    public let path: String
    /// The directory that relative paths start from (the root itself, or a single file's folder).
    let base: [UInt8]
    /// For a root that is a single regular file: its name inside `base` (the path the scan records for it).
    public let singleFile: [UInt8]?

    /// True when the root is one file rather than a directory.
    public var isSingleFile: Bool { singleFile != nil }

    /// Paths longer than this are opened one component at a time with `openat`, so that trees
    /// deeper than PATH_MAX still work.
    static let directPathLimit = 3_800

    public init(path: String) throws(SystemError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError(call: "stat", errno: errno, path: path) }
        self.path = path
        if info.st_mode & S_IFMT == S_IFDIR {
            base = Array(path.utf8)
            singleFile = nil
        } else {
            let bytes = Array(path.utf8)
            if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) {
                base = slash == 0 ? [UInt8(ascii: "/")] : Array(bytes[..<slash])
                singleFile = Array(bytes[(slash + 1)...])
            } else {
                base = Array(".".utf8)
                singleFile = bytes
            }
        }
    }

    /// Opens a regular file beneath the root for reading.
    ///
    /// Read-only, `O_NOFOLLOW`, `O_NONBLOCK` (a FIFO swapped in after the walk cannot block us),
    /// `O_NOATIME` where the kernel permits it (it refuses with EPERM on files we do not own, and
    /// then we open without it rather than give up on the file). After opening, `fstat` must
    /// still say "regular file".
    public func openFile(_ relative: [UInt8]) throws(SystemError) -> EvidenceFile {
        let fd = try open(relative, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | Self.noAtime)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError(call: "fstat", errno: errno, path: SafeText.display(relative))
            close(fd)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemError(call: "open", errno: EINVAL, path: SafeText.display(relative))
        }
        return EvidenceFile(descriptor: fd, size: Int64(info.st_size))
    }

    /// Opens `relative` (a path of `/`-separated byte names under `base`) with `flags`.
    func open(_ relative: [UInt8], flags: Int32) throws(SystemError) -> Int32 {
        var fd: Int32
        if base.count + relative.count < Self.directPathLimit {
            let full = relative.isEmpty ? base : base + [UInt8(ascii: "/")] + relative
            fd = Self.openRetryingWithoutNoAtime(flags) { flags in
                full.withCString { Glibc.open($0, flags) }
            }
        } else {
            fd = try openByComponents(relative, flags: flags)
        }
        guard fd >= 0 else { throw SystemError(call: "open", errno: errno, path: SafeText.display(relative)) }
        return fd
    }

    /// Walks down one `openat` at a time: no path is ever longer than one name.
    private func openByComponents(_ relative: [UInt8], flags: Int32) throws(SystemError) -> Int32 {
        var current = base.withCString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard current >= 0 else { throw SystemError(call: "open", errno: errno, path: SafeText.display(base)) }
        let names = relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        for (index, name) in names.enumerated() {
            let isLast = index == names.count - 1
            let next = Self.openRetryingWithoutNoAtime(isLast ? flags : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) {
                flags in Array(name).withCString { openat(current, $0, flags) }
            }
            let savedErrno = errno
            close(current)
            guard next >= 0 else { throw SystemError(call: "openat", errno: savedErrno, path: SafeText.display(relative)) }
            current = next
        }
        return current
    }

    private static func openRetryingWithoutNoAtime(_ flags: Int32, _ call: (Int32) -> Int32) -> Int32 {
        let fd = call(flags)
        if fd < 0, errno == EPERM, flags & noAtime != 0 {
            return call(flags & ~noAtime)
        }
        return fd
    }

    /// Linux's O_NOATIME (not exported by Glibc's Swift overlay).
    #if os(Linux)
    static let noAtime: Int32 = 0o1_000_000
    #else
    static let noAtime: Int32 = 0
    #endif
}

extension Array where Element == UInt8 {
    /// Calls `body` with a NUL-terminated copy of the bytes.
    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        var copy = self.map { CChar(bitPattern: $0) }
        copy.append(0)
        return copy.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
