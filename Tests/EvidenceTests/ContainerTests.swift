@testable import Evidence
import Foundation
import Testing
import TriageCore
import TriageTestSupport

/// The container readers on their own: what libarchive lists, how names, links, special
/// entries, encryption and damage come out. The whole Expand stage is tested end to end in
/// `EndToEndTests/ContainerScanTests`.
@Suite struct ContainerTests {
    static let exhibit3 = TestPaths.evidence + "/exhibit-3"
    static let bad = TestPaths.fixtures + "/containers/bad"

    /// Lists a fixture container: every member with its data read to the end.
    func list(_ path: String, mime: String, inMemory: Bool = false) throws -> (members: [(member: ContainerMember, data: [UInt8])], damage: String?) {
        let root = try EvidenceRoot(path: path)
        let name = Array((path as NSString).lastPathComponent.utf8)
        let file = try root.openFile(name)
        let format = try #require(ContainerFormats.format(forMIME: mime))
        var source = ContainerSource.file(file)
        if inMemory {
            let bytes = TestPaths.bytes(path)
            let block = MemoryBlock(capacity: bytes.count)
            bytes.withUnsafeBytes { block.append($0) }
            source = .memory(block)
        }
        let reader = try format.open(source, name: name)
        var members: [(ContainerMember, [UInt8])] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while let member = try reader.nextMember() {
            var data: [UInt8] = []
            if member.kind == .regularFile, !member.encrypted {
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if count == 0 { break }
                    data += buffer[0..<count]
                }
            }
            members.append((member, data))
        }
        return (members, reader.damage)
    }

    func names(_ members: [(member: ContainerMember, data: [UInt8])]) -> [String] {
        members.filter { $0.member.kind != .directory }.map { String(decoding: $0.member.name, as: UTF8.self) }
    }

    @Test func zipMembersAreListedWithTheirBytes() throws {
        let (members, damage) = try list(Self.exhibit3 + "/Backups/photos.zip", mime: "application/zip")
        #expect(damage == nil)
        #expect(Set(names(members)) == ["2019/IMG_0001.jpg", "2019/beach.png", "2019/old.tar.gz", "notes/readme.txt"])
        let jpeg = try #require(members.first { $0.member.name == Array("2019/IMG_0001.jpg".utf8) })
        #expect(jpeg.data == TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg"))
        #expect(jpeg.member.declaredSize == Int64(jpeg.data.count))
        #expect(jpeg.member.times.modified != nil)
    }

    @Test(arguments: [
        ("Backups/camera.7z", "application/x-7z-compressed"), ("Backups/plain.tar", "application/x-tar"),
        ("Backups/site.tar.bz2", "application/x-bzip2"), ("Backups/site.tar.xz", "application/x-xz"),
        ("Disk/cd.iso", "application/x-iso9660-image"), ("Disk/initrd.cpio", "application/x-cpio"),
    ])
    func everyArchiveFamilyListsImages(path: String, mime: String) throws {
        let (members, _) = try list(Self.exhibit3 + "/" + path, mime: mime)
        let files = members.filter { $0.member.kind == .regularFile }
        #expect(!files.isEmpty, "\(path)")
        // Every regular member's data is read whole: as many bytes as its header declares.
        #expect(files.allSatisfy { !$0.data.isEmpty && $0.member.declaredSize == Int64($0.data.count) }, "\(path)")
    }

    @Test func aSingleCompressedFileIsOneMemberNamedWithoutItsSuffix() throws {
        let (members, _) = try list(Self.exhibit3 + "/Downloads/diagram.png.gz", mime: "application/gzip")
        #expect(names(members) == ["diagram.png"])
        #expect(members[0].data == TestPaths.bytes(TestPaths.evidence + "/exhibit-2/Pictures/diagram.png"))
    }

    @Test func namesAreDataEvenWhenTheyEscape() throws {
        let (members, _) = try list(Self.bad + "/traversal.zip", mime: "application/zip")
        #expect(Set(names(members)) == ["../../escaped.jpg", "/tmp/abs.jpg", "ok/fine.png"])
    }

    @Test func linksAndSpecialEntriesAreReportedNotCreated() throws {
        let (members, _) = try list(Self.bad + "/special.tar", mime: "application/x-tar")
        func kind(_ name: String) -> ContainerMember.Kind? { members.first { $0.member.name == Array(name.utf8) }?.member.kind }
        #expect(kind("pipe.jpg") == .special("FIFO"))
        #expect(kind("dev/sda9") == .special("block device"))
        #expect(kind("link.jpg") == .symlink(target: Array("/etc/passwd".utf8)))
        #expect(kind("hard.jpg") == .hardLink(target: Array("real.jpg".utf8)))
        #expect(kind("real.jpg") == .regularFile)
        #expect(!FileManager.default.fileExists(atPath: Self.bad + "/pipe.jpg"))
    }

    @Test func encryptedMembersAreFlaggedNotRead() throws {
        for name in ["password.zip", "password-aes.zip"] {
            let (members, _) = try list(Self.bad + "/" + name, mime: "application/zip")
            #expect(!members.isEmpty && members.allSatisfy(\.member.encrypted), "\(name)")
        }
    }

    @Test func aBrokenCentralDirectoryIsReadFromTheLocalHeaders() throws {
        let (members, damage) = try list(Self.bad + "/broken-cd.zip", mime: "application/zip")
        #expect(members.count == 2)
        #expect(members.allSatisfy { !$0.data.isEmpty })
        #expect(damage?.contains("central directory declares 2") == true)
    }

    @Test func aTruncatedArchiveGivesWhatComesBeforeTheCut() throws {
        let root = try EvidenceRoot(path: Self.bad + "/truncated.tar.gz")
        let reader = try #require(ContainerFormats.format(forMIME: "application/gzip"))
            .open(.file(try root.openFile(Array("truncated.tar.gz".utf8))), name: Array("truncated.tar.gz".utf8))
        var names: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        do {
            while let member = try reader.nextMember() {
                names.append(String(decoding: member.name, as: UTF8.self))
                while try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }) > 0 {}
            }
            Issue.record("a truncated tar.gz listed to the end: \(names)")
        } catch let error as ContainerError {
            #expect(error.kind == .damaged)
            #expect(error.message.lowercased().contains("truncated"))
        }
        #expect(names.starts(with: ["a/IMG_0001.jpg", "a/IMG_0002.jpg", "a/IMG_0003.jpg"]))
        #expect(names.last == "a/harbour.png", "the member the cut falls in")
    }

    @Test func headerEncrypted7zIsEncrypted() throws {
        #expect {
            _ = try list(Self.bad + "/password-headers.7z", mime: "application/x-7z-compressed")
        } throws: { ($0 as? ContainerError)?.kind == .encrypted }
    }

    @Test func containerMIMETypesAreRegisteredOnce() {
        var seen = Set<String>()
        for format in ContainerFormats.all {
            #expect(seen.isDisjoint(with: format.mimeTypes), "\(format.name)")
            seen.formUnion(format.mimeTypes)
        }
        #expect(ContainerFormats.format(forMIME: "image/jpeg") == nil)
        #expect(ContainerFormats.format(forMIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document")?.name == "zip")
    }
}

/// PDF images through qpdf and EXIF thumbnails through libexif.
@Suite struct DocumentTests {
    @Test func pdfJPEGStreamsAreTheEmbeddedFilesExactly() throws {
        let (members, _) = try ContainerTests().list(ContainerTests.exhibit3 + "/Documents/scan.pdf", mime: "application/pdf", inMemory: true)
        #expect(members.map { String(decoding: $0.member.name, as: UTF8.self) } == ["object-5.jpg", "object-8.jpg", "object-11.jp2"])
        #expect(members[2].data.starts(with: [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]), "a JPEG 2000 file, as embedded")
        #expect(members[0].data == TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0102.jpg"))
        #expect(members[1].data == TestPaths.bytes(TestPaths.evidence + "/exhibit-2/Pictures/IMG_2001.jpg"))
    }

    @Test func aDamagedPDFIsAContainerErrorNotACrash() throws {
        let whole = TestPaths.bytes(ContainerTests.exhibit3 + "/Documents/scan.pdf")
        for bytes in [Array(whole.prefix(whole.count / 2)), Array("%PDF-1.4\n".utf8), Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0xA5, count: 4096)] {
            let block = MemoryBlock(capacity: bytes.count)
            bytes.withUnsafeBytes { block.append($0) }
            #expect(throws: ContainerError.self) {
                let reader = try PDFContainer.shared.open(.memory(block), name: Array("x.pdf".utf8))
                while try reader.nextMember() != nil {}
            }
        }
    }

    @Test func exifThumbnailsAreExtractedAndAbsentOnesAreNil() throws {
        let jpeg = TestPaths.bytes(ContainerTests.exhibit3 + "/Pictures/with-thumb.jpg")
        let thumbnail = try #require(jpeg.withUnsafeBytes { ExifThumbnail.extract(from: $0) })
        #expect(thumbnail.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(thumbnail.count < jpeg.count)
        let plain = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        #expect(plain.withUnsafeBytes { ExifThumbnail.extract(from: $0) } == nil)
        // Truncated EXIF data never crashes libexif.
        for length in stride(from: 2, to: 600, by: 7) {
            _ = Array(jpeg.prefix(length)).withUnsafeBytes { ExifThumbnail.extract(from: $0) }
        }
    }
}

/// Deflate64 (zip method 9), decoded by triage because libarchive 3.6 cannot.
@Suite struct Deflate64Tests {
    @Test func deflate64MembersDecodeToTheirOriginalBytes() throws {
        let (members, _) = try ContainerTests().list(ContainerTests.exhibit3 + "/Backups/deflate64.zip", mime: "application/zip")
        let byName = Dictionary(uniqueKeysWithValues: members.map { (String(decoding: $0.member.name, as: UTF8.self), $0.data) })
        #expect(byName["old/IMG_2001.jpg"] == TestPaths.bytes(TestPaths.evidence + "/exhibit-2/Pictures/IMG_2001.jpg"))
        #expect(byName["old/diagram.png"] == TestPaths.bytes(TestPaths.evidence + "/exhibit-2/Pictures/diagram.png"))
        // The log uses matches 40,000 bytes back and runs of 100,000 bytes: what deflate cannot express.
        let log = try #require(byName["old/log.txt"])
        #expect(log.count == 301_000)
        #expect(log[0..<40_000] == log[160_000..<200_000])
        #expect(log[200_000..<300_000].allSatisfy { $0 == UInt8(ascii: "a") })
    }

    @Test(arguments: [0, 1, 7, 100, 5000])
    func damagedDeflate64IsAnErrorNeverACrash(seed: Int) {
        var generator = SplitMix(state: UInt64(seed))
        let garbage = (0..<(seed + 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var offset = 0
        let decoder = Deflate64Decoder { buffer in
            let count = min(buffer.count, garbage.count - offset)
            garbage.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            offset += count
            return count
        }
        var output = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        do {
            while true {
                let count = try output.withUnsafeMutableBytes { try decoder.read(into: $0) }
                if count == 0 { break }
                total += count
                if total > 1 << 26 { break }  // a garbage stream of repeats could run long; enough
            }
        } catch {
            #expect(error is Deflate64Decoder.Failure)
        }
    }
}
