import Evidence
import Hashing
import Identification
import TriageCore

/// Reads one evidence file once: identifies its first bytes with libmagic, then (for images
/// and videos, or every file with `hashAll`) streams the rest through MD5, SHA-1 and SHA-256.
///
/// One per worker thread: it owns a libmagic handle and a read buffer, so memory per worker is
/// constant whatever the file size.
final class FileExaminer: @unchecked Sendable {  // used by one worker thread at a time
    /// Bytes given to libmagic: enough for every image and video signature, and at least 4 KiB
    /// so that a docx is seen as a docx (512 bytes misreads it as a zip, PLATFORM.md).
    static let headLength = 16 * 1024
    /// Read size while hashing.
    static let chunkLength = 1 << 20

    private let identifier: ContentIdentifier
    private let hashAll: Bool
    private let buffer: UnsafeMutableRawBufferPointer

    init(hashAll: Bool) throws(IdentificationError) {
        identifier = try ContentIdentifier()
        self.hashAll = hashAll
        buffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// The finished result for one walked entry. Never throws: every failure is the item's
    /// disposition and reason (DESIGN.md rule 2).
    func examine(_ entry: WalkEntry, in root: EvidenceRoot) -> ItemResult {
        var result = entry.unreadResult()
        guard entry.kind == .regularFile else { return result }
        let file: EvidenceFile
        do {
            file = try root.openFile(entry.relativePath)
        } catch {
            result.disposition = .unreadable
            result.reason = "\(error.call): \(error.message)"
            return result
        }
        result.size = file.size

        let head = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.headLength])
        let headCount: Int
        do {
            headCount = try file.read(into: head)
        } catch {
            result.disposition = .unreadable
            result.reason = "read: \(error.message)"
            return result
        }
        if headCount == 0 {
            result.disposition = .empty
            result.reason = "no bytes"
            return result
        }
        let headBytes = UnsafeRawBufferPointer(rebasing: head[0..<headCount])
        do {
            let identification = try identifier.identify(head: headBytes, path: result.path)
            result.mime = identification.mime
            result.kind = identification.kind
            result.extensionMismatch = identification.extensionMismatch
        } catch {
            result.disposition = .identificationFailed
            result.reason = error.description
            return result
        }
        guard result.kind.isMedia || hashAll else { return result }

        var hasher = MultiHasher()
        hasher.update(headBytes)
        var total = Int64(headCount)
        if headCount == Self.headLength {
            while true {
                let count: Int
                do {
                    count = try file.read(into: buffer)
                } catch {
                    // A damaged medium: keep what identification found, record where reading failed.
                    result.disposition = .unreadable
                    result.reason = "read error at byte \(total): \(error.message); digests not computed"
                    return result
                }
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                total += Int64(count)
            }
        }
        result.size = total
        result.digests = hasher.finalize()
        return result
    }
}
