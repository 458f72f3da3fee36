import Foundation
import Identification
import Testing
import TriageCore
import TriageTestSupport

@Suite struct IdentificationTests {
    func identify(_ bytes: [UInt8], name: String) throws -> Identification {
        let identifier = try ContentIdentifier()
        return try bytes.withUnsafeBytes { try identifier.identify(head: $0, path: ForensicPath(relativePath: Array(name.utf8))) }
    }

    func fixture(_ path: String) -> [UInt8] { TestPaths.bytes(TestPaths.evidence + "/" + path) }

    @Test(arguments: [
        ("exhibit-1/DCIM/100CAM/IMG_0001.jpg", "image/jpeg"),
        ("exhibit-1/Pictures/holiday/beach.png", "image/png"),
        ("exhibit-1/Downloads/pattern.gif", "image/gif"),
        ("exhibit-1/Documents/scan.bmp", "image/bmp"),
        ("exhibit-1/Downloads/tile.webp", "image/webp"),
        ("exhibit-1/Documents/plate.tiff", "image/tiff"),
    ])
    func everyFixtureImageTypeIsFound(path: String, mime: String) throws {
        let result = try identify(fixture(path), name: path)
        #expect(result.mime == mime)
        #expect(result.kind == .still)
        #expect(!result.extensionMismatch)
    }

    @Test func contentDecidesNotTheName() throws {
        let renamed = try identify(fixture("exhibit-1/Downloads/system32.dll"), name: "system32.dll")
        #expect(renamed.kind == .still)
        #expect(renamed.extensionMismatch)

        let text = try identify(fixture("exhibit-1/Downloads/not-a-photo.jpg"), name: "not-a-photo.jpg")
        #expect(text.kind == .other)
        #expect(text.extensionMismatch)

        let upper = try identify(fixture("exhibit-1/DCIM/100CAM/IMG_0001.jpg"), name: "IMG.JPEG")
        #expect(!upper.extensionMismatch)
    }

    @Test func truncatedJPEGIsStillAJPEG() throws {
        let result = try identify(fixture("exhibit-2/Downloads/truncated.jpg"), name: "truncated.jpg")
        #expect(result.mime == "image/jpeg")
    }

    @Test func nonMediaIsOther() throws {
        #expect(try identify(Array("hello, world\n".utf8), name: "readme.txt").kind == .other)
        #expect(try identify((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }, name: "blob.bin").kind == .other)
    }

    @Test func videoSignaturesAreMovingImages() throws {
        // An ISO BMFF header ('ftyp' box, brand isom) as written by phones and cameras.
        var mp4: [UInt8] = [0, 0, 0, 0x20] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2avc1mp41".utf8)
        mp4 += [0, 0, 0, 8] + Array("free".utf8)
        let result = try identify(mp4, name: "clip.mp4")
        #expect(result.kind == .moving)
        #expect(MediaTypes.kind(forMIME: "video/x-msvideo") == .moving)
        #expect(MediaTypes.kind(forMIME: "image/x-unlisted") == .still)
        #expect(MediaTypes.kind(forMIME: "application/zip") == .other)
    }

    @Test func oneHandlePerThreadIsSafe() async throws {
        let jpeg = fixture("exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        let png = fixture("exhibit-1/Pictures/holiday/beach.png")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let identifier = try ContentIdentifier()
                    var found = 0
                    for index in 0..<300 {
                        let bytes = (index + worker) % 2 == 0 ? jpeg : png
                        let mime = try bytes.withUnsafeBytes { try identifier.mimeType(of: $0) }
                        if mime == ((index + worker) % 2 == 0 ? "image/jpeg" : "image/png") { found += 1 }
                    }
                    return found
                }
            }
            var total = 0
            for try await found in group { total += found }
            #expect(total == 1200)
        }
    }

    /// The curated database must decide still / moving / other exactly as the system's full
    /// database does, on every fixture and (when present) every shared PDQ test image.
    @Test func curatedDatabaseAgreesWithTheFullOneOnMedia() throws {
        let curated = try ContentIdentifier(database: .curated)
        let system = try ContentIdentifier(database: .system)
        var roots = [TestPaths.evidence]
        if let shared = TestPaths.sharedTestdata { roots.append(shared + "/pdq") } else {
            print("note: ../shared/testdata is absent; comparing on the fixtures only")
        }
        var compared = 0
        for root in roots {
            let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
            for file in files.sorted() {
                let path = root + "/" + file
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                let head = Array(TestPaths.bytes(path).prefix(16 * 1024))
                guard !head.isEmpty else { continue }
                let a = try head.withUnsafeBytes { try curated.mimeType(of: $0) }
                let b = try head.withUnsafeBytes { try system.mimeType(of: $0) }
                #expect(MediaTypes.kind(forMIME: a) == MediaTypes.kind(forMIME: b), "\(file): curated \(a), system \(b)")
                if MediaTypes.kind(forMIME: b).isMedia { #expect(a == b, "\(file)") }
                compared += 1
            }
        }
        #expect(compared >= 22)  // the 22 non-empty fixture files, more with ../shared
    }

    @Test func aMissingMagicDatabaseIsAClearError() {
        #expect(throws: IdentificationError.self) { try ContentIdentifier(database: .path("/nonexistent/magic")) }
    }

    @Test func libraryVersionIsReported() {
        #expect(ContentIdentifier.libraryVersion.contains("."))
    }
}
