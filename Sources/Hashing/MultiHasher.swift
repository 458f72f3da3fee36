import Crypto
import TriageCore

/// MD5, SHA-1 and SHA-256 of one stream of bytes, computed in a single pass.
///
/// swift-crypto's BoringSSL uses SHA-NI on this hardware; MD5 is the slowest of the three
/// (≈ 0.67 GB/s per core, PLATFORM.md), so throughput comes from hashing files in parallel.
public struct MultiHasher {
    private var md5 = Insecure.MD5()
    private var sha1 = Insecure.SHA1()
    private var sha256 = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha1.update(bufferPointer: bytes)
        sha256.update(bufferPointer: bytes)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> Digests {
        Digests(md5: Array(md5.finalize()), sha1: Array(sha1.finalize()), sha256: Array(sha256.finalize()))
    }

    /// The digests of a byte array (for small in-memory items and tests).
    public static func digests(of bytes: [UInt8]) -> Digests {
        var hasher = MultiHasher()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
