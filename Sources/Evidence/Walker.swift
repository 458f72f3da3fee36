import Glibc
import TriageCore

/// One entry found by the walk, before anything is read from it.
public struct WalkEntry: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A regular file: the pipeline reads it.
        case regularFile
        /// A symbolic link, with its target bytes. Never followed.
        case symlink(target: [UInt8])
        /// A FIFO, socket, character or block device. Never opened.
        case special(String)
        /// A file or directory that could not be examined.
        case unreadable(SystemError)
        /// A directory whose device and inode were already walked (bind mount or loop).
        case directoryLoop
    }

    /// Path from the evidence root, `/`-separated bytes.
    public var relativePath: [UInt8]
    public var kind: Kind
    public var size: Int64
    public var times: FileTimes

    /// The item as the walk alone can finish it; regular files go on to be read.
    public func unreadResult() -> ItemResult {
        var result = ItemResult(path: ForensicPath(relativePath: relativePath), size: size, times: times,
                                disposition: .processed)
        switch kind {
        case .regularFile:
            break
        case .symlink(let target):
            result.disposition = .symlink
            result.linkTarget = target
            result.reason = "symbolic link to \(SafeText.display(target)) (not followed)"
        case .special(let what):
            result.disposition = .notRegularFile
            result.reason = "\(what): never opened"
        case .unreadable(let error):
            result.disposition = .unreadable
            result.reason = "\(error.call): \(error.message)"
        case .directoryLoop:
            result.disposition = .directoryLoop
            result.reason = "directory already walked (same device and inode): not walked again"
        }
        return result
    }
}

/// Walks every entry under an evidence root, depth first, names in byte order (so two walks of
/// the same tree give the same order).
///
/// Directories are read one at a time through their own descriptor, so memory grows with one
/// directory's names, and depth is limited by nothing but the pending list. Symbolic links are
/// reported, never followed; the same directory is never walked twice.
public struct Walker {
    public let root: EvidenceRoot

    public init(root: EvidenceRoot) {
        self.root = root
    }

    /// Calls `visit` for every non-directory entry (and every directory that could not be read),
    /// until `stop` says so (checked before each directory).
    public func walk(until stop: () -> Bool = { false }, _ visit: (WalkEntry) -> Void) {
        if let single = root.singleFile {
            visit(singleFileEntry(single))
            return
        }
        var visited = Set<DirectoryID>()
        var pending: [[UInt8]] = [[]]  // directories still to read, as paths from the root
        while !stop(), let directory = pending.popLast() {
            let fd: Int32
            do {
                fd = try root.open(directory, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | EvidenceRoot.noAtime)
            } catch {
                visit(WalkEntry(relativePath: directory, kind: .unreadable(error), size: 0, times: FileTimes()))
                continue
            }
            var info = stat()
            fstat(fd, &info)
            let id = DirectoryID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if visited.contains(id) {
                close(fd)
                visit(WalkEntry(relativePath: directory, kind: .directoryLoop, size: 0, times: FileTimes(info)))
                continue
            }
            visited.insert(id)
            let (names, listingError) = Self.readNames(fd, path: directory)
            if let listingError {
                // A damaged directory: record the failure, and still walk every name read before it.
                visit(WalkEntry(relativePath: directory, kind: .unreadable(listingError), size: 0, times: FileTimes()))
            }
            var subdirectories: [[UInt8]] = []
            for name in names {
                let path = directory.isEmpty ? name : directory + [UInt8(ascii: "/")] + name
                var childInfo = stat()
                let status = name.withCString { fstatat(fd, $0, &childInfo, AT_SYMLINK_NOFOLLOW) }
                if status != 0 {
                    let error = SystemError(call: "stat", errno: errno, path: SafeText.display(path))
                    visit(WalkEntry(relativePath: path, kind: .unreadable(error), size: 0, times: FileTimes()))
                } else if childInfo.st_mode & S_IFMT == S_IFDIR {
                    subdirectories.append(path)
                } else {
                    visit(entry(name: name, relativePath: path, info: childInfo, in: fd))
                }
            }
            close(fd)
            pending.append(contentsOf: subdirectories.reversed())
        }
    }

    /// The one entry of a root that is a single file.
    private func singleFileEntry(_ name: [UInt8]) -> WalkEntry {
        let fd = root.base.withCString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { if fd >= 0 { close(fd) } }
        var info = stat()
        guard fd >= 0, name.withCString({ fstatat(fd, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            let error = SystemError(call: "stat", errno: errno, path: SafeText.display(name))
            return WalkEntry(relativePath: name, kind: .unreadable(error), size: 0, times: FileTimes())
        }
        return entry(name: name, relativePath: name, info: info, in: fd)
    }

    private func entry(name: [UInt8], relativePath: [UInt8], info: stat, in directory: Int32) -> WalkEntry {
        let times = FileTimes(info)
        let kind: WalkEntry.Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            kind = .regularFile
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = name.withCString { readlinkat(directory, $0, &target, target.count) }
            if length < 0 {
                kind = .unreadable(SystemError(call: "readlink", errno: errno, path: SafeText.display(relativePath)))
            } else {
                kind = .symlink(target: target[0..<length].map { UInt8(bitPattern: $0) })
            }
        case S_IFIFO: kind = .special("FIFO (named pipe)")
        case S_IFSOCK: kind = .special("socket")
        case S_IFCHR: kind = .special("character device")
        case S_IFBLK: kind = .special("block device")
        default: kind = .special("unknown file type")
        }
        return WalkEntry(relativePath: relativePath, kind: kind, size: Int64(info.st_size), times: times)
    }

    /// All names in a directory except `.` and `..`, sorted bytewise, and the error that ended
    /// the listing early, if any (the names read before it are kept).
    static func readNames(_ fd: Int32, path: [UInt8]) -> (names: [[UInt8]], error: SystemError?) {
        let duplicate = dup(fd)
        guard duplicate >= 0 else { return ([], SystemError(call: "opendir", errno: errno, path: SafeText.display(path))) }
        guard let stream = fdopendir(duplicate) else {
            let error = SystemError(call: "opendir", errno: errno, path: SafeText.display(path))
            close(duplicate)
            return ([], error)
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        var failure: SystemError?
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { failure = SystemError(call: "readdir", errno: errno, path: SafeText.display(path)) }
                break
            }
            // Read the name in place: a dirent is only as long as its name, so copying the
            // 256-byte `d_name` array would read past the end of the last one in the buffer.
            let namePointer = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
                .assumingMemoryBound(to: CChar.self)
            let name = Array(UnsafeRawBufferPointer(start: namePointer, count: strlen(namePointer)))
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        return (names, failure)
    }
}

private struct DirectoryID: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension FileTimes {
    init(_ info: stat) {
        // Nil rather than a trap for times outside ±292 years of 1970 (an NTFS zero time is
        // 1601): one strange timestamp must not stop the scan.
        func nanoseconds(_ time: timespec) -> Int64? {
            let (seconds, overflow) = Int64(time.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else { return nil }
            let (total, overflowSum) = seconds.addingReportingOverflow(Int64(time.tv_nsec))
            return overflowSum ? nil : total
        }
        self.init(modified: nanoseconds(info.st_mtim), accessed: nanoseconds(info.st_atim), changed: nanoseconds(info.st_ctim))
    }
}
