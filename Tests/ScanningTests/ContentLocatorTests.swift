import CaseStore
import Evidence
import Foundation
import Testing
import TriageCore
import TriageTestSupport
@testable import Scanning

/// Reading an item back from the evidence by its forensic path, as the review screen does.
@Suite struct ContentLocatorTests {
    let temp = TemporaryDirectory()
    static let exhibit3 = TestPaths.evidence + "/exhibit-3"
    static let photo1 = TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg"
    static let photo2 = TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0002.jpg"
    static let photo3 = TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0003.jpg"

    /// The bytes at a stored path (split as the case store splits it).
    func read(_ path: String, in source: String, sha256: [UInt8]? = nil, limit: Int = 64 << 20,
              locator: ContentLocator = ContentLocator()) throws(ContentLocatorError) -> [UInt8] {
        try locator.contents(of: ForensicPath(storedBytes: Array(path.utf8)), source: source, sha256: sha256, limit: limit)
    }

    /// The error reading `path` throws (nil when it does not throw).
    func failure(_ path: String, in source: String, sha256: [UInt8]? = nil, limit: Int = 64 << 20,
                 locator: ContentLocator = ContentLocator()) -> ContentLocatorError? {
        do {
            _ = try read(path, in: source, sha256: sha256, limit: limit, locator: locator)
            return nil
        } catch {
            return error
        }
    }

    @Test func aPlainFileIsReadUnderADirectoryRootAndAsASingleFileRoot() throws {
        let original = TestPaths.bytes(Self.photo1)
        #expect(try read("DCIM/100CAM/IMG_0001.jpg", in: TestPaths.evidence + "/exhibit-1") == original)
        #expect(try read("IMG_0001.jpg", in: Self.photo1) == original)
        // A single-file root holds that file only: not a sibling beside it.
        #expect(failure("IMG_0002.jpg", in: Self.photo1) == .invalidPath(path: "IMG_0002.jpg", source: Self.photo1))
    }

    @Test func aZipMemberIsReadBack() throws {
        let bytes = try read("Backups/photos.zip!/2019/IMG_0001.jpg", in: Self.exhibit3)
        #expect(bytes == TestPaths.bytes(Self.photo1))
    }

    @Test func aMemberTwoLevelsDeepIsReadBack() throws {
        // A tar.gz inside a zip, held in memory; then with a memory limit that streams it.
        let path = "Backups/photos.zip!/2019/old.tar.gz!/x/IMG_0003.jpg"
        #expect(try read(path, in: Self.exhibit3) == TestPaths.bytes(Self.photo3))
        let streaming = ContentLocator(expansion: ExpansionOptions(maxContainerBytesInMemory: 1_000))
        #expect(try read(path, in: Self.exhibit3, locator: streaming) == TestPaths.bytes(Self.photo3))
    }

    @Test func anEXIFThumbnailIsTakenFromItsPhoto() throws {
        let photo = TestPaths.bytes(Self.exhibit3 + "/Pictures/with-thumb.jpg")
        let expected = try #require(photo.withUnsafeBytes { ExifThumbnail.extract(from: $0) })
        let bytes = try read("Pictures/with-thumb.jpg!exif-thumbnail", in: Self.exhibit3)
        #expect(bytes == expected)
        #expect(bytes.starts(with: [0xFF, 0xD8]))
        // A photo without one.
        #expect(failure("DCIM/100CAM/IMG_0001.jpg!exif-thumbnail", in: TestPaths.evidence + "/exhibit-1")?.isNotFound == true)
    }

    @Test func aRepeatedNameIsFoundByItsEntrySuffix() throws {
        let first = TestPaths.bytes(Self.photo1), second = TestPaths.bytes(Self.photo2)
        EvidenceTreeBuilder(root: temp.path).file("twice.zip", try ZipWriter.stored([("a.jpg", first), ("a.jpg", second)]))
        #expect(try read("twice.zip!/a.jpg", in: temp.path) == first)
        #expect(try read("twice.zip!/a.jpg (entry 2)", in: temp.path) == second)
        #expect(failure("twice.zip!/a.jpg (entry 1)", in: temp.path)?.isNotFound == true)
    }

    @Test func namesHoldingTheSeparatorsAreFoundByTheirStoredBytes() throws {
        // `a` is a zip holding `b.jpg`, and a sibling is named `a!/b.jpg`: both are stored as
        // `x.zip!/a!/b.jpg`, so the scan suffixes the second; the case store splits both at `!/`.
        let inner = try ZipWriter.stored([("b.jpg", TestPaths.bytes(Self.photo1))])
        let zip = try ZipWriter.stored([("a", inner), ("a!/b.jpg", TestPaths.bytes(Self.photo2)), ("c!/d.jpg", TestPaths.bytes(Self.photo3))])
        EvidenceTreeBuilder(root: temp.path).file("x.zip", zip)
        #expect(try read("x.zip!/a!/b.jpg", in: temp.path) == TestPaths.bytes(Self.photo1))
        #expect(try read("x.zip!/a!/b.jpg (entry 2)", in: temp.path) == TestPaths.bytes(Self.photo2))
        #expect(try read("x.zip!/c!/d.jpg", in: temp.path) == TestPaths.bytes(Self.photo3))
        #expect(try read("x.zip!/a", in: temp.path) == inner)
        // Every item the examiner finds reads back with its digest.
        try expectEveryItemReadsBack(examining: temp.path + "/x.zip", count: 5)
    }

    @Test func aMemberNamedLikeAThumbnailIsToldApartByItsDigest() throws {
        // The photo's thumbnail and a member named `p.jpg!exif-thumbnail` have one stored path.
        let photo = TestPaths.bytes(Self.exhibit3 + "/Pictures/with-thumb.jpg")
        let thumbnail = try #require(photo.withUnsafeBytes { ExifThumbnail.extract(from: $0) })
        let other = TestPaths.bytes(Self.photo2)
        EvidenceTreeBuilder(root: temp.path).file("x.zip", try ZipWriter.stored([("p.jpg", photo), ("p.jpg!exif-thumbnail", other)]))
        let path = "x.zip!/p.jpg!exif-thumbnail"
        #expect(try read(path, in: temp.path, sha256: HashTestDigests.of(thumbnail).sha256) == thumbnail)
        #expect(try read(path, in: temp.path, sha256: HashTestDigests.of(other).sha256) == other)
        #expect(try read(path, in: temp.path) == thumbnail, "without a digest, the first reading in the zip's order")
    }

    @Test func aDigestMismatchIsRefused() throws {
        let wrong = [UInt8](repeating: 0xAB, count: 32)
        let error = failure("Backups/photos.zip!/2019/IMG_0001.jpg", in: Self.exhibit3, sha256: wrong)
        guard case .digestMismatch(let path, let expected, let found) = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(path == "Backups/photos.zip!/2019/IMG_0001.jpg")
        #expect(expected == String(repeating: "ab", count: 32))
        #expect(found == Hex.encode(HashTestDigests.of(TestPaths.bytes(Self.photo1)).sha256))
        #expect(error!.description.contains("changed since the scan"))
        // The right digest passes.
        #expect(try read("Backups/photos.zip!/2019/IMG_0001.jpg", in: Self.exhibit3, sha256: Hex.decode(found)) == TestPaths.bytes(Self.photo1))
    }

    @Test func aMissingMemberOrFileIsReportedAsSuch() throws {
        let member = failure("Backups/photos.zip!/2019/IMG_9999.jpg", in: Self.exhibit3)
        #expect(member == .notFound(path: "Backups/photos.zip!/2019/IMG_9999.jpg", reason: "Backups/photos.zip holds no member of that name"))
        // Missing two levels down: the innermost container is named.
        let deep = failure("Backups/photos.zip!/2019/old.tar.gz!/x/nothing.jpg", in: Self.exhibit3)
        #expect(deep?.description.contains("Backups/photos.zip!/2019/old.tar.gz holds no member") == true)
        // Not a container at all.
        let plain = failure("Pictures/with-thumb.jpg!/x.jpg", in: Self.exhibit3)
        #expect(plain?.description.contains("image/jpeg, not a container the scan opens") == true)
        guard case .fileMissing(let path, _, let reason) = failure("Backups/gone.zip!/a.jpg", in: Self.exhibit3) else {
            Issue.record("a missing file is fileMissing")
            return
        }
        #expect(path == "Backups/gone.zip" && reason.contains("No such file"))
        guard case .fileMissing = failure("a.jpg", in: temp.path + "/no-such-root") else {
            Issue.record("a missing root is fileMissing")
            return
        }
    }

    @Test func anItemOverTheLimitIsRefused() throws {
        let size = TestPaths.bytes(Self.photo1).count
        #expect(try read("Backups/photos.zip!/2019/IMG_0001.jpg", in: Self.exhibit3, limit: size).count == size)
        #expect(failure("Backups/photos.zip!/2019/IMG_0001.jpg", in: Self.exhibit3, limit: size - 1)
                == .tooLarge(path: "Backups/photos.zip!/2019/IMG_0001.jpg", limit: size - 1))
        #expect(failure("DCIM/100CAM/IMG_0001.jpg", in: TestPaths.evidence + "/exhibit-1", limit: 100)
                == .tooLarge(path: "DCIM/100CAM/IMG_0001.jpg", limit: 100))
    }

    @Test func encryptedDamagedAndDepthLimitedItemsAreNotRead() throws {
        let bad = TestPaths.fixtures + "/containers/bad"
        guard case .encrypted = failure("password.zip!/IMG_0001.jpg", in: bad) else { Issue.record("ZipCrypto member"); return }
        guard case .encrypted = failure("password-headers.7z!/IMG_0001.jpg", in: bad) else { Issue.record("7z with encrypted headers"); return }
        // Past the depth limit the scan did not open the container.
        let nine = "deep-20.zip" + String(repeating: "!/next.zip", count: 8) + "!/level09.png"
        #expect(failure(nine, in: bad)?.description.contains("the depth limit") == true)
        let eight = "deep-20.zip" + String(repeating: "!/next.zip", count: 7) + "!/level08.png"
        #expect(try read(eight, in: bad).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A member cut off by the end of a truncated gzip.
        let cut = failure("truncated.tar.gz!/a/harbour.png", in: bad)
        guard case .damaged = cut else { Issue.record("truncated member: \(String(describing: cut))"); return }
        // A symbolic link inside a tar has no content.
        #expect(failure("special.tar!/link.jpg", in: bad) == .noContent(path: "special.tar!/link.jpg", reason: "tar entry: a symbolic link to /etc/passwd, never followed"))
        #expect(try read("special.tar!/real.jpg", in: bad) == TestPaths.bytes(Self.photo3))
        // The ratio limit stops a bomb.
        let bomb = "bomb.zip" + String(repeating: "!/0.zip", count: 6) + "!/zeros.bin"
        guard case .limitReached = failure(bomb, in: bad) else { Issue.record("bomb"); return }
    }

    @Test func pathsOutsideTheRootAreRefused() {
        let root = TestPaths.evidence + "/exhibit-1"
        for path in ["../exhibit-2/x.jpg", "/etc/passwd", "DCIM/../DCIM/100CAM/IMG_0001.jpg", "./DCIM/100CAM/IMG_0001.jpg", ""] {
            #expect(failure(path, in: root) == .invalidPath(path: path, source: root), "\(path)")
        }
    }

    @Test func everyMemberTheFixtureGeneratorListsIsReadBack() throws {
        // The generator's own SHA-256 of each member, independent of triage.
        let json = try JSONSerialization.jsonObject(with: Data(TestPaths.bytes(TestPaths.fixtures + "/expected/container-facts.json"))) as! [String: Any]
        let exhibit3 = (json["exhibit-3"] as! [String: Any])["files"] as! [[String: Any]]
        let bad = (json["bad"] as! [[String: Any]]).filter { ["traversal.zip", "broken-cd.zip", "special.tar"].contains($0["path"] as! String) }
        let sets = [(Self.exhibit3, exhibit3), (TestPaths.fixtures + "/containers/rar", json["rar"] as! [[String: Any]]),
                    (TestPaths.fixtures + "/containers/bad", bad)]
        let locator = ContentLocator()
        var checked = 0
        for (root, files) in sets {
            for file in files {
                for member in file["members"] as? [[String: Any]] ?? [] {
                    let path = member["forensic_path"] as! String
                    let sha256 = try #require(Hex.decode(member["sha256"] as! String))
                    let bytes = try read(path, in: root, sha256: sha256, locator: locator)
                    #expect(bytes.count == member["size"] as! Int, "\(path)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 50)
    }

    /// A scan of the fixtures into a case, then every item it recorded with digests (every
    /// medium, and the containers it held in memory), read back and checked against them.
    @Test(arguments: [ExpansionOptions(), ExpansionOptions(maxContainerBytesInMemory: 1_000)])
    func everyItemAScanRecordsIsReadBackWithItsDigest(expansion: ExpansionOptions) throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        let roots = [TestPaths.evidence, TestPaths.fixtures + "/containers"]
        _ = try ScanPipeline(options: ScanOptions(roots: roots, exhibit: "EX/1", examiner: "T", jobs: 1, expansion: expansion),
                             hashDatabase: EmptyLookup(), facts: ScanPipeline.DatabaseFacts(path: "/test", fingerprint: "0", entries: 0, sources: []),
                             store: store).run()
        let locator = ContentLocator(expansion: expansion)
        var media = 0, members = 0, thumbnails = 0
        try store.forEachItem { item in
            guard let digests = item.result.digests else {
                #expect(!item.result.kind.isMedia || item.result.disposition != .processed, "\(item.result.path.display)")
                return
            }
            do {
                let bytes = try locator.contents(of: item.result.path, source: item.source, sha256: digests.sha256, limit: 256 << 20)
                #expect(Int64(bytes.count) == item.result.size, "\(item.result.path.display)")
            } catch {
                Issue.record("\(item.result.path.display): \(error)")
            }
            if item.result.kind.isMedia { media += 1 }
            if item.result.path.depth > 0 { members += 1 }
            if item.result.path.isEmbedded { thumbnails += 1 }
        }
        #expect(media > 80 && members > 70 && thumbnails == 2, "\(media) media, \(members) members, \(thumbnails) thumbnails")
    }

    /// Examines one evidence file as a worker does; every result with digests must read back.
    func expectEveryItemReadsBack(examining file: String, count: Int) throws {
        let root = try EvidenceRoot(path: file)
        var entries: [WalkEntry] = []
        Walker(root: root).walk { entries.append($0) }
        var results: [ItemResult] = []
        try FileExaminer(hashAll: true).examine(entries[0], in: root) { results.append($0) }
        #expect(results.count == count)
        for result in results {
            let digests = try #require(result.digests, "\(result.path.display)")
            let bytes = try ContentLocator().contents(of: ForensicPath(storedBytes: result.path.bytes), source: file,
                                                      sha256: digests.sha256, limit: 1 << 20)
            #expect(Int64(bytes.count) == result.size)
        }
    }
}
