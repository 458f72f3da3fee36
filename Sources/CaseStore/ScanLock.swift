import Foundation
import Glibc

/// Held by every running scan of a case (a shared `flock` on `scan.lock` in the case
/// directory, released by the kernel however the scan ends), so that a report can tell a
/// scan that is still running from one that stopped (DESIGN.md: a report during a scan is an
/// interim snapshot).
public final class ScanLock {
    private let descriptor: Int32

    init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("scan.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CaseStoreError("cannot open \(path): \(String(cString: strerror(errno))); the case directory must be writable")
        }
        while flock(descriptor, LOCK_SH) != 0 {
            guard errno == EINTR else { throw CaseStoreError("cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension CaseStore {
    /// Marks a scan as running until the returned lock is released.
    public func holdScanLock() throws -> ScanLock { try ScanLock(directory: directory) }

    /// Whether some process is scanning into this case now.
    public func isScanRunning() -> Bool {
        let path = (directory as NSString).appendingPathComponent("scan.lock")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
