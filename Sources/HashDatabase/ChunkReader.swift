import Crypto
import Foundation
import Glibc
import TriageCore

/// Reads a file in fixed-size chunks, so a multi-gigabyte hash set costs one chunk of memory.
/// Also computes the SHA-256 of everything read, recorded in the import history.
public final class ChunkReader {
    public let path: String
    /// The file's size when it is a regular file (not a pipe or a device).
    public let regularFileSize: Int64?
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var hasher = SHA256()
    /// Bytes handed out so far.
    public private(set) var offset: Int64 = 0
    /// A chunk read by `peek`, handed out again by the next `next()`.
    private var peeked: [UInt8]?

    public init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HashDatabaseError("cannot read hash set \(path): \(String(cString: strerror(errno))); check the path and its permissions",
                                    isUsage: true)
        }
        var info = stat()
        let known = fstat(descriptor, &info) == 0
        regularFileSize = known && info.st_mode & S_IFMT == S_IFREG ? Int64(info.st_size) : nil
        if known, info.st_mode & S_IFMT == S_IFDIR {
            close(descriptor)
            throw HashDatabaseError("\(path) is a directory, not a hash-set file", isUsage: true)
        }
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    deinit { close(descriptor) }

    /// The first chunk of the file, without consuming it: the next `next()` returns it again.
    /// Lets the format be detected from the same single pass (a pipe cannot be read twice).
    public func peek() throws -> [UInt8] {
        if let peeked { return peeked }
        precondition(offset == 0, "peek only before reading")
        let first = try next().map(Array.init) ?? []
        peeked = first
        return first
    }

    /// The next chunk, or nil at the end of the file.
    public func next() throws -> ArraySlice<UInt8>? {
        if let first = peeked {
            peeked = nil
            if !first.isEmpty { return first[...] }
        }
        // Fill the whole chunk unless the file ends: a pipe delivers data in small pieces, and
        // format detection must see a full first chunk.
        let count = buffer.withUnsafeMutableBytes { raw -> Int in
            var filled = 0
            while filled < raw.count {
                let n = Glibc.read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return filled > 0 ? filled : -1 }
                if n == 0 { break }
                filled += n
            }
            return filled
        }
        if count < 0 {
            throw HashDatabaseError("error reading hash set \(path) at byte \(offset): \(String(cString: strerror(errno)))")
        }
        if count == 0 { return nil }
        offset += Int64(count)
        let chunk = buffer[0..<count]
        chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return chunk
    }

    /// Reads to the end and returns the SHA-256 of every byte of the file.
    public func finishDigest() throws -> String {
        while try next() != nil {}
        return Hex.encode(hasher.finalize())
    }

    /// Calls `body` for every line (without its `\n` or `\r\n`), numbered from 1.
    public func forEachLine(_ body: (_ number: Int, _ line: ArraySlice<UInt8>) throws -> Void) throws {
        var carry: [UInt8] = []
        var number = 0
        func emit(_ line: ArraySlice<UInt8>) throws {
            number += 1
            var line = line
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if number == 1, line.starts(with: [0xef, 0xbb, 0xbf]) { line = line.dropFirst(3) }  // UTF-8 BOM
            try body(number, line)
        }
        while let chunk = try next() {
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if carry.isEmpty {
                    try emit(chunk[start..<newline])
                } else {
                    carry.append(contentsOf: chunk[start..<newline])
                    try emit(carry[...])
                    carry.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            carry.append(contentsOf: chunk[start...])
        }
        if !carry.isEmpty { try emit(carry[...]) }
    }
}
