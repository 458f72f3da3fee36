import Hashing
import Testing
import TriageCore

@Suite struct MultiHasherTests {
    @Test func knownVectors() {
        let digests = MultiHasher.digests(of: Array("abc".utf8))
        #expect(Hex.encode(digests.md5) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Hex.encode(digests.sha1) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(digests.sha256) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func emptyInput() {
        let digests = MultiHasher.digests(of: [])
        #expect(Hex.encode(digests.md5) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Hex.encode(digests.sha256) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func chunkedEqualsWhole() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = MultiHasher()
        var index = 0
        for size in [1, 7, 4096, 33, 65536, 100_000] where index < bytes.count {
            let end = min(bytes.count, index + size)
            hasher.update(Array(bytes[index..<end]))
            index = end
        }
        #expect(hasher.finalize() == MultiHasher.digests(of: bytes))
    }
}
