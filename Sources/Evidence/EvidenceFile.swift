import Glibc

/// An open evidence file, read sequentially. Closes its descriptor when released.
public final class EvidenceFile {
    let descriptor: Int32
    /// The size `fstat` reported when the file was opened.
    public let size: Int64

    init(descriptor: Int32, size: Int64) {
        self.descriptor = descriptor
        self.size = size
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes (fewer only at the end of the file); 0 at the end.
    ///
    /// Calls `read(2)` until the buffer is full, retrying on EINTR.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(call: "read", errno: errno, path: "")
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Reads up to `buffer.count` bytes at `offset` without moving the file position (`pread`):
    /// the count, 0 at the end, -1 on an error. For readers that seek (FFmpeg).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count < 0, errno == EINTR { continue }
            return count
        }
    }
}

extension EvidenceFile: ByteStream {}
