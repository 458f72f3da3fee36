import Foundation
import Glibc
import TriageCore

/// One review screen per case at a time: a second one waits until the first closes (Docs/review.md).
/// An advisory `flock` on `review.lock` in the case directory, released by the kernel if the
/// screen dies, so a killed screen never leaves the case locked.
public final class ReviewLock {
    private let descriptor: Int32

    /// Takes the lock, calling `waiting` once with the holder's note if another screen has it.
    public init(caseDirectory: String, examiner: String, waiting: (String) -> Void) throws {
        let path = (caseDirectory as NSString).appendingPathComponent("review.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ReviewError("cannot open \(path): \(String(cString: strerror(errno))); the case directory must be writable")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            var holder = [UInt8](repeating: 0, count: 512)
            let count = pread(descriptor, &holder, holder.count, 0)
            waiting(String(decoding: holder.prefix(max(0, count)), as: UTF8.self))
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw ReviewError("cannot lock \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
        let note = Array("\(examiner) (process \(getpid()), since \(UTCClock.now()))".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, note, note.count, 0)
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A review failure that ends the screen (not a per-key message).
public struct ReviewError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
