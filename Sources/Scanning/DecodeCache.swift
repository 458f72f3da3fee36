import Foundation
import TriageCore

/// What decoding a still image gave, kept by the image's SHA-256 for the rest of a scan, so a
/// copy of an image already seen is not decoded and PDQ-hashed again: seized devices hold the
/// same picture in many folders, caches, backups and archives.
///
/// Sound because equal SHA-256 means equal bytes, and the decoders and PDQ are deterministic
/// for one scan's settings (decode mode, pixel limit, dihedral), which every worker shares:
/// the copy gets exactly the facts, hashes, disposition and reason its own decode would have.
/// Shared by a scan's workers; bounded, so memory stays small whatever the evidence.
final class DecodeCache: @unchecked Sendable {  // every access holds the lock
    struct Outcome {
        var image: DecodedFacts?
        var pdq: PDQSignature?
        var dihedral: [PDQHash]?
        var disposition: Disposition
        var reason: String?
    }

    /// At most this many images are kept (about 200 bytes each, 450 with dihedral hashes: 20 MB
    /// and 45 MB when full); copies of later ones are decoded as usual.
    let capacity: Int
    private var outcomes: [[UInt8]: Outcome] = [:]
    private let lock = NSLock()
    /// Copies served from the cache, for tests and figures.
    private(set) var hits = 0

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func outcome(forSHA256 digest: [UInt8]) -> Outcome? {
        lock.withLock {
            guard let found = outcomes[digest] else { return nil }
            hits += 1
            return found
        }
    }

    func keep(_ outcome: Outcome, forSHA256 digest: [UInt8]) {
        lock.withLock {
            if outcomes.count < capacity { outcomes[digest] = outcome }
        }
    }

    /// The decoder did not return on these bytes (the scan's watchdog gave it up): a copy
    /// would stall the same way, so it is recorded `stalled` at once instead.
    func keepStalled(forSHA256 digest: [UInt8]) {
        keep(Outcome(image: nil, pdq: nil, dihedral: nil, disposition: .stalled,
                     reason: "not decoded: the decoder did not return on an identical copy (same SHA-256) earlier in this scan"),
             forSHA256: digest)
    }
}
