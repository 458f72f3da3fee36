import CaseStore
import Foundation
import Glibc
import HashDatabase
import Scanning
import Testing
import TriageCore
import TriageTestSupport

/// A hash database that fails every lookup (a dropped connection, a damaged file).
struct FailingLookup: KnownHashLookup {
    func lookup(_ digests: Digests) throws -> LookupResult { throw HashDatabaseError("disk I/O error") }
}

/// A hash database that knows nothing.
struct EmptyLookup: KnownHashLookup {
    func lookup(_ digests: Digests) throws -> LookupResult { .notFound }
}

@Suite struct ScanPipelineTests {
    let temp = TemporaryDirectory()
    let facts = ScanPipeline.DatabaseFacts(path: "/test", fingerprint: "0", entries: 0, sources: [])

    func options(_ root: String, hashAll: Bool = false) -> ScanOptions {
        ScanOptions(roots: [root], exhibit: "EX/1", examiner: "T", jobs: 2, hashAll: hashAll, batchSize: 2)
    }

    @Test func aFailedLookupStopsTheScanAndIsNeverReadAsNotFound() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        let pipeline = ScanPipeline(options: options(TestPaths.evidence + "/exhibit-1"), hashDatabase: FailingLookup(), facts: facts,
                                    store: store)
        do {
            _ = try pipeline.run()
            Issue.record("a failing lookup must stop the scan")
        } catch let error as ScanError {
            #expect(error.message.contains("lookup failed"))
            #expect(error.message.contains("re-run"))
        }
        // Nothing was recorded as "pending" on the strength of a failed lookup.
        var media = 0
        try store.forEachItem { if $0.result.kind.isMedia { media += 1 } }
        #expect(media == 0)
    }

    @Test func mediaAreHashedOtherFilesOnlyWithHashAll() throws {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        let progress = try ScanPipeline(options: options(TestPaths.evidence + "/exhibit-1"), hashDatabase: EmptyLookup(), facts: facts,
                                        store: store).run()
        let files = FixtureFacts.files(in: "exhibit-1")
        let stills = files.filter { $0["kind"] as? String == "still" }.count
        #expect(progress.items == files.count)
        #expect(progress.stills == stills)
        var unhashedOther = 0
        var hashedMedia = 0
        try store.forEachItem { item in
            if item.result.kind == .other && item.result.digests == nil { unhashedOther += 1 }
            if item.result.kind.isMedia && item.result.digests != nil { hashedMedia += 1 }
        }
        #expect(unhashedOther == files.count - stills && hashedMedia == stills)

        let all = try CaseStore(directory: temp.url("all"), create: true)
        _ = try ScanPipeline(options: options(TestPaths.evidence + "/exhibit-1", hashAll: true), hashDatabase: EmptyLookup(), facts: facts,
                             store: all).run()
        var hashed = 0
        try all.forEachItem { if $0.result.digests != nil { hashed += 1 } }
        #expect(hashed == files.count)
    }

    @Test func digestsAreThoseOfTheWholeFile() throws {
        // Larger than the identification head and than one read chunk.
        let bytes = TestPaths.bytes(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg")
            + (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        let path = tree.file("big.jpg", bytes)
        let store = try CaseStore(directory: temp.url("case"), create: true)
        _ = try ScanPipeline(options: options(temp.url("evidence")), hashDatabase: EmptyLookup(), facts: facts, store: store).run()
        var stored: Digests?
        try store.forEachItem { stored = $0.result.digests }
        let expected = shell("sha256sum '\(path)'").output.prefix(64)
        #expect(stored.map { Hex.encode($0.sha256) } == String(expected))
        #expect(stored.map { Hex.encode($0.md5) } == String(shell("md5sum '\(path)'").output.prefix(32)))
    }

    @Test func evidenceIsNeverWrittenNorItsAccessTimeChanged() throws {
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        let path = tree.copy(TestPaths.evidence + "/exhibit-1/DCIM/100CAM/IMG_0001.jpg", to: "a.jpg")
        // An access time older than the modification time: a read without O_NOATIME would
        // update it even under relatime.
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_500_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var before = stat()
        stat(path, &before)
        let store = try CaseStore(directory: temp.url("case"), create: true)
        _ = try ScanPipeline(options: options(temp.url("evidence")), hashDatabase: EmptyLookup(), facts: facts, store: store).run()
        var after = stat()
        stat(path, &after)
        #expect(after.st_atim.tv_sec == before.st_atim.tv_sec)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec)
        #expect(after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec == before.st_ctim.tv_nsec)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.url("evidence")) == ["a.jpg"])
    }

    /// Scans `roots` with one job while the decoder never returns on files named `name`, with
    /// a stall limit of 3 s (far above a decode of these small files, so that a busy machine
    /// cannot fake a stall). The items of each root by path; none may be recorded twice.
    func scanStalling(on name: String, roots: [String]) throws -> (ScanProgress, [String: [String: ItemResult]]) {
        let store = try CaseStore(directory: temp.url("case"), create: true)
        var options = options(roots[0])
        options.roots = roots
        options.jobs = 1
        options.stallLimit = 3
        options.simulateStallOnName = name
        let progress = try ScanPipeline(options: options, hashDatabase: EmptyLookup(), facts: facts, store: store).run()
        var items: [String: [String: ItemResult]] = [:]
        try store.forEachItem { item in
            let path = item.result.path.display
            #expect(items[item.source]?[path] == nil, "\(path) recorded twice")
            items[item.source, default: [:]][path] = item.result
        }
        return (progress, items)
    }

    /// A decoder call that never returns (simulated on every image named beach.png: one file,
    /// one zip member, one in a second root) is given up after the stall limit: the item is
    /// recorded `stalled` with its identification and digests, the zip holding the member is
    /// recorded `stalled` naming it, a new worker takes over (with one job, nothing else would
    /// run), a later copy of a stalled image is recorded at once, and every other item is
    /// examined as usual.
    @Test(.timeLimit(.minutes(1))) func aWorkerStuckInALibraryIsGivenUpAndItsItemRecorded() throws {
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        tree.copy(TestPaths.evidence + "/exhibit-3/Backups/photos.zip", to: "photos.zip")
        tree.copy(TestPaths.fixtures + "/imaging/decode/rgb.png", to: "beach.png")
        tree.copy(TestPaths.fixtures + "/imaging/decode/rgb.jpg", to: "later/other.jpg")
        // Walked last: the same bytes as beach.png, under another name.
        tree.copy(TestPaths.fixtures + "/imaging/decode/rgb.png", to: "zz/copy.png")
        // A second root: its worker is the replacement's slot, with a new examiner.
        let secondTree = EvidenceTreeBuilder(root: temp.url("second"))
        secondTree.copy(TestPaths.fixtures + "/imaging/decode/grey.png", to: "beach.png")
        secondTree.copy(TestPaths.fixtures + "/imaging/decode/gif.gif", to: "z.gif")
        let (progress, byRoot) = try scanStalling(on: "beach.png", roots: [temp.url("evidence"), temp.url("second")])
        let items = byRoot[temp.url("evidence")] ?? [:], second = byRoot[temp.url("second")] ?? [:]
        #expect(second["beach.png"]?.disposition == .stalled && second["z.gif"]?.pdq != nil)
        for path in ["beach.png", "photos.zip!/2019/beach.png"] {
            #expect(items[path]?.disposition == .stalled, "\(path)")
            #expect(items[path]?.kind == .still && items[path]?.mime == "image/png", "\(path): identified before the stuck call")
            #expect(items[path]?.digests != nil, "\(path): digests kept")
        }
        #expect(items["photos.zip"]?.disposition == .stalled)
        #expect(items["photos.zip"]?.mime == "application/zip")
        #expect(items["photos.zip"]?.reason?.contains("photos.zip!/2019/beach.png") == true)
        #expect(items["photos.zip!/2019/IMG_0001.jpg"]?.pdq != nil, "members before the stuck one stand, decoded")
        #expect(items["later/other.jpg"]?.disposition == .processed, "the new worker examined the rest")
        #expect(items["zz/copy.png"]?.disposition == .stalled, "a copy of a stalled image is not decoded again")
        #expect(items["zz/copy.png"]?.reason?.contains("identical copy") == true)
        #expect(progress.errors == 5)
    }

    /// A stall two containers deep (a JPEG in a tar.gz in a zip) records every open level as
    /// `stalled`: the JPEG, the tar.gz and the zip, each container naming the JPEG; the zip's
    /// members before it and the tar.gz's listing up to it stand.
    @Test(.timeLimit(.minutes(1))) func aStallInsideNestedContainersRecordsEveryOpenLevel() throws {
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        tree.copy(TestPaths.evidence + "/exhibit-3/Backups/photos.zip", to: "photos.zip")
        let items = try scanStalling(on: "IMG_0003.jpg", roots: [temp.url("evidence")]).1[temp.url("evidence")] ?? [:]
        let stalled = items.filter { $0.value.disposition == .stalled }.keys.sorted()
        let inner = "photos.zip!/2019/old.tar.gz!/x/IMG_0003.jpg"
        #expect(stalled == ["photos.zip", "photos.zip!/2019/old.tar.gz", inner], "\(items.keys.sorted())")
        #expect(items[inner]?.digests != nil)
        for outer in ["photos.zip", "photos.zip!/2019/old.tar.gz"] {
            #expect(items[outer]?.reason?.contains(inner) == true, "\(outer): \(items[outer]?.reason ?? "")")
        }
        #expect(items["photos.zip!/2019/IMG_0001.jpg"]?.pdq != nil)
    }

    /// A stall in a photo's EXIF thumbnail, after the photo itself decoded: the thumbnail is the
    /// item stuck, and the photo, recorded `stalled` around it, keeps its PDQ. Only the
    /// thumbnail's bytes are marked for copies: a copy of the photo is examined as usual, and
    /// only its own thumbnail is recorded `stalled` at once.
    @Test(.timeLimit(.minutes(1))) func aStallInAThumbnailIsTheThumbnailsNotThePhotos() throws {
        let tree = EvidenceTreeBuilder(root: temp.url("evidence"))
        tree.copy(TestPaths.evidence + "/exhibit-3/Pictures/with-thumb.jpg", to: "a/photo.jpg")
        tree.copy(TestPaths.evidence + "/exhibit-3/Pictures/with-thumb.jpg", to: "b/copy.jpg")
        let items = try scanStalling(on: "exif-thumbnail", roots: [temp.url("evidence")]).1[temp.url("evidence")] ?? [:]
        let photo = items["a/photo.jpg"], thumbnail = items.first { $0.key.hasPrefix("a/photo.jpg!") }?.value
        #expect(thumbnail?.disposition == .stalled)
        #expect(thumbnail?.reason?.contains("in a library call on this item") == true)
        #expect(photo?.disposition == .stalled && photo?.pdq != nil, "the photo decoded before its thumbnail stalled")
        #expect(photo?.reason?.contains("inside it") == true)
        let copy = items["b/copy.jpg"], copyThumbnail = items.first { $0.key.hasPrefix("b/copy.jpg!") }?.value
        #expect(copy?.disposition != .stalled && copy?.pdq == photo?.pdq, "the copy of the photo is decoded as usual")
        #expect(copyThumbnail?.disposition == .stalled && copyThumbnail?.reason?.contains("identical copy") == true,
                "its thumbnail, the same bytes as the stuck one, is recorded at once")
    }
}
