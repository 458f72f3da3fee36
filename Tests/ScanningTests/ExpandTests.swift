import Evidence
import Foundation
import Testing
import TriageCore
import TriageTestSupport
@testable import Scanning

/// The Expand stage inside one worker, with limits small enough to reach on the fixtures: the
/// paths a scan takes for members too large for memory.
@Suite struct ExpandTests {
    /// Every result the examiner emits for one evidence file.
    func examine(_ path: String, perceptual: PerceptualOptions = PerceptualOptions(),
                 expansion: ExpansionOptions = ExpansionOptions()) throws -> [String: ItemResult] {
        let root = try EvidenceRoot(path: path)
        var entries: [WalkEntry] = []
        Walker(root: root).walk { entries.append($0) }
        let examiner = try FileExaminer(hashAll: false, perceptual: perceptual, expansion: expansion)
        var results: [String: ItemResult] = [:]
        examiner.examine(entries[0], in: root) { results[$0.path.display] = $0 }
        return results
    }

    static let photos = TestPaths.evidence + "/exhibit-3/Backups/photos.zip"

    @Test func aMemberContainerTooLargeForMemoryIsReadAsAStream() throws {
        // site.tar.bz2 (20 kB) inside a zip, over a 1 kB memory limit: libarchive reads it front to back.
        let temp = TemporaryDirectory()
        let tarball = TestPaths.bytes(TestPaths.evidence + "/exhibit-3/Backups/site.tar.bz2")
        let path = EvidenceTreeBuilder(root: temp.path).file("outer.zip", try ZipWriter.stored([("site.tar.bz2", tarball)]))
        let streamed = try examine(path, expansion: ExpansionOptions(maxContainerBytesInMemory: 1_000))
        let inMemory = try examine(path)
        let jpeg = "outer.zip!/site.tar.bz2!/site/img/header.jpg"
        #expect(streamed[jpeg]?.digests != nil)
        #expect(streamed[jpeg]?.digests == inMemory[jpeg]?.digests)
        #expect(streamed[jpeg]?.pdq == inMemory[jpeg]?.pdq)
        #expect(streamed["outer.zip!/site.tar.bz2"]?.disposition == .processed)
        // Streamed, the container's own digests are not computed (its bytes go to libarchive once).
        #expect(streamed["outer.zip!/site.tar.bz2"]?.digests == nil)
        #expect(inMemory["outer.zip!/site.tar.bz2"]?.digests != nil)
        #expect(streamed.keys.sorted() == inMemory.keys.sorted())
    }

    @Test func anImageMemberOverTheDecodeLimitIsHashedNotDecoded() throws {
        let results = try examine(Self.photos, perceptual: PerceptualOptions(maxDecodeBytes: 1_000))
        let member = try #require(results["photos.zip!/2019/IMG_0001.jpg"])
        #expect(member.disposition == .sizeLimit)
        #expect(member.image == nil && member.pdq == nil)
        let original = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        #expect(member.size == Int64(original.count))
        #expect(member.digests?.sha256 == HashTestDigests.of(original).sha256)
    }

    @Test func aStreamed7zCannotSeekAndIsRecordedAsDamaged() throws {
        // A zip holding a 7z, with the memory limit below the 7z's size: 7z needs to seek.
        let temp = TemporaryDirectory()
        let sevenZip = TestPaths.bytes(TestPaths.evidence + "/exhibit-3/Backups/camera.7z")
        let zip = try ZipWriter.stored([("camera.7z", sevenZip)])
        let path = EvidenceTreeBuilder(root: temp.path).file("outer.zip", zip)
        let results = try examine(path, expansion: ExpansionOptions(maxContainerBytesInMemory: 1_000))
        #expect(results["outer.zip!/camera.7z"]?.disposition == .containerDamaged)
        #expect(results["outer.zip"]?.disposition == .processed)
        // In memory it opens.
        let whole = try examine(path)
        #expect(whole["outer.zip!/camera.7z!/DCIM/IMG_0101.jpg"]?.pdq != nil)
    }

    @Test func randomBytesThatHappenToStartLikeCpioAreAPlainFileNotAnError() throws {
        // Binary cpio's signature is 2 bytes: the benchmark's random files hit it.
        let temp = TemporaryDirectory()
        var bytes = (0..<4096).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        bytes[0] = 0x71
        bytes[1] = 0xC7
        let path = EvidenceTreeBuilder(root: temp.path).file("data.bin", bytes)
        let result = try #require(try examine(path)["data.bin"])
        #expect(result.mime == "application/x-cpio")
        #expect(result.disposition == .processed)
        #expect(result.reason?.contains("examined as a plain file") == true)
        // A damaged zip, whose signature is long, is still an error.
        let zip = EvidenceTreeBuilder(root: temp.path).file("bad.zip", Array(TestPaths.bytes(Self.photos).prefix(600)))
        #expect(try examine(zip)["bad.zip"]?.disposition.isError == true)
    }

    @Test func twoMembersOfTheSameNameAreBothRecorded() throws {
        let temp = TemporaryDirectory()
        let first = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        let second = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0002.jpg")
        let path = EvidenceTreeBuilder(root: temp.path).file("twice.zip", try ZipWriter.stored([("a.jpg", first), ("a.jpg", second)]))
        let results = try examine(path)
        #expect(results["twice.zip!/a.jpg"]?.size == Int64(first.count))
        #expect(results["twice.zip!/a.jpg (entry 2)"]?.size == Int64(second.count))
    }

    @Test func bytesThatOnlyStartLikeGzipAreAPlainFile() throws {
        // libmagic calls `1f 8b` gzip; libarchive's raw reader would pass the bytes through as a
        // "member" that is gzip again, nesting to the depth limit.
        let temp = TemporaryDirectory()
        let bytes: [UInt8] = [0x1F, 0x8B, 0x09] + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let path = EvidenceTreeBuilder(root: temp.path).file("x.gz", bytes)
        let results = try examine(path)
        #expect(results.count == 1)
        #expect(results["x.gz"]?.disposition == .processed)
        #expect(results["x.gz"]?.reason?.contains("examined as a plain file") == true)
    }

    @Test func aPDFThatClaimsTwoBillionObjectsEndsQuickly() throws {
        let temp = TemporaryDirectory()
        var pdf = String(decoding: TestPaths.bytes(TestPaths.evidence + "/exhibit-3/Documents/scan.pdf"), as: UTF8.self)
        let size = try #require(pdf.range(of: #"/Size \d+"#, options: .regularExpression))
        pdf.replaceSubrange(size, with: "/Size 2147483647")
        let path = EvidenceTreeBuilder(root: temp.path).file("huge.pdf", Array(pdf.utf8))
        let started = Date()
        let results = try examine(path)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(results.keys.filter { $0.hasPrefix("huge.pdf!/") }.count == 3)
    }

    @Test func anImpossibleDeflate64SizeIsDamageNotACrash() throws {
        // The central directory's compressed size of the first member set to almost 4 GiB.
        let temp = TemporaryDirectory()
        var zip = TestPaths.bytes(TestPaths.evidence + "/exhibit-3/Backups/deflate64.zip")
        let central = try #require((0..<(zip.count - 4)).first { zip[$0..<$0 + 4].elementsEqual([0x50, 0x4B, 1, 2]) })
        zip.replaceSubrange(central + 20..<central + 24, with: [0xF0, 0xFF, 0xFF, 0xFF])
        let path = EvidenceTreeBuilder(root: temp.path).file("d64.zip", zip)
        let results = try examine(path)
        #expect(results.values.contains { $0.disposition == .containerDamaged })
        #expect(results.values.contains { $0.disposition == .processed && $0.path.depth == 1 }, "the other members are still read")
    }

    @Test func aDeflate64MemberWhoseCRCDisagreesIsDamaged() throws {
        // Every member's CRC-32 in the central directory changed: the data decodes, the check fails.
        let temp = TemporaryDirectory()
        var zip = TestPaths.bytes(TestPaths.evidence + "/exhibit-3/Backups/deflate64.zip")
        for start in (0..<(zip.count - 4)) where zip[start..<start + 4].elementsEqual([0x50, 0x4B, 1, 2]) {
            zip[start + 16] ^= 0xFF
        }
        let path = EvidenceTreeBuilder(root: temp.path).file("d64.zip", zip)
        let results = try examine(path)
        let jpeg = try #require(results["d64.zip!/old/IMG_2001.jpg"])
        #expect(jpeg.disposition == .containerDamaged)
        #expect(jpeg.reason?.contains("CRC-32") == true)
    }

    /// Damaged copies of every kind of container (bytes flipped, runs overwritten, cut short):
    /// each must end as results with dispositions, never a crash or a hang.
    @Test(arguments: ["Backups/photos.zip", "Backups/camera.7z", "Backups/site.tar.bz2", "Backups/site.tar.xz",
                      "Backups/site.tar.zst", "Backups/plain.tar", "Backups/deflate64.zip", "Backups/zip64.zip",
                      "Disk/cd.iso", "Disk/initrd.cpio", "Documents/report.docx", "Documents/notes.odt",
                      "Documents/scan.pdf", "Downloads/diagram.png.gz", "Pictures/with-thumb.jpg"])
    func damagedContainersNeverCrash(fixture: String) throws {
        let temp = TemporaryDirectory()
        let original = TestPaths.bytes(TestPaths.evidence + "/exhibit-3/" + fixture)
        // Seeded from the name (FNV-1a), so that a failure replays; raise the copies to search harder
        // (6,000 damaged containers ran clean before this test was committed).
        var random = SplitMix(state: fixture.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        let tree = EvidenceTreeBuilder(root: temp.path)
        let started = Date()
        for copy in 0..<24 {
            var bytes = original
            switch copy % 3 {
            case 0:  // a few bytes flipped anywhere
                for _ in 0..<(1 + copy % 7) { bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1) }
            case 1:  // a run of bytes overwritten (a damaged sector)
                let start = Int(random.next() % UInt64(bytes.count))
                for index in start..<min(bytes.count, start + 512) { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
            default:  // cut short
                bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            }
            let name = "copy\(copy)-" + (fixture as NSString).lastPathComponent
            let results = try examine(tree.file(name, bytes))
            #expect(results[name] != nil, "\(name): the file itself is recorded")
            #expect(results.values.allSatisfy { $0.disposition == .processed || $0.reason != nil }, "\(name): every other ending has a reason")
        }
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func aThumbnailIsEmittedBeforeItsPhotoWithItsDistance() throws {
        let root = try EvidenceRoot(path: TestPaths.evidence + "/exhibit-3/Pictures/edited-with-thumb.jpg")
        var entries: [WalkEntry] = []
        Walker(root: root).walk { entries.append($0) }
        var order: [String] = []
        var thumbnail: ItemResult?
        try FileExaminer(hashAll: false).examine(entries[0], in: root) { result in
            order.append(result.path.display)
            if result.path.depth == 1 { thumbnail = result }
        }
        #expect(order == ["edited-with-thumb.jpg!exif-thumbnail", "edited-with-thumb.jpg"])
        #expect((thumbnail?.parentDistance ?? 0) > 100)
        // Without perceptual hashing the thumbnail is still an item (exact digests only).
        order = []
        try FileExaminer(hashAll: false, perceptual: PerceptualOptions(enabled: false)).examine(entries[0], in: root) { result in
            order.append(result.path.display)
            #expect(result.digests != nil && result.pdq == nil)
        }
        #expect(order == ["edited-with-thumb.jpg!exif-thumbnail", "edited-with-thumb.jpg"])
        // With expansion off there is no thumbnail.
        order = []
        try FileExaminer(hashAll: false, expansion: ExpansionOptions(enabled: false)).examine(entries[0], in: root) { order.append($0.path.display) }
        #expect(order == ["edited-with-thumb.jpg"])
    }
}

/// A zip with stored members, written here so that the test does not depend on a zip tool.
enum ZipWriter {
    static func stored(_ members: [(String, [UInt8])]) throws -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for (name, data) in members {
            let crc = CRC32.checksum(data)
            let offset = out.count
            let fields = le(20, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0x21, 2) + le(Int(crc), 4) + le(data.count, 4)
                + le(data.count, 4) + le(name.utf8.count, 2) + le(0, 2)
            out += [0x50, 0x4B, 3, 4] + fields + Array(name.utf8) + data
            central += [0x50, 0x4B, 1, 2] + le(20, 2) + fields + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(offset, 4)
                + Array(name.utf8)
        }
        let start = out.count
        out += central
        out += [0x50, 0x4B, 5, 6] + le(0, 2) + le(0, 2) + le(members.count, 2) + le(members.count, 2) + le(central.count, 4)
            + le(start, 4) + le(0, 2)
        return out
    }
}

enum CRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
