import Evidence
import Foundation
import Hashing
import Identification
import Imaging
import TriageCore

/// Reads one evidence file once: identifies its first bytes with libmagic, then (for images
/// and videos, or every file with `hashAll`) streams the rest through MD5, SHA-1 and SHA-256.
/// A still image is read whole into memory instead (up to `maxDecodeBytes`), hashed, decoded
/// and given its PDQ hash. A container (archive, document) is opened and each member examined
/// the same way (`FileExaminer+Expand.swift`); a JPEG's EXIF thumbnail becomes an item too.
///
/// One per worker thread: it owns a libmagic handle, a read buffer, an image buffer and the
/// PDQ hasher's float buffers.
final class FileExaminer: @unchecked Sendable {  // used by one worker thread at a time
    /// Bytes given to libmagic: enough for every image and video signature, and at least 4 KiB
    /// so that a docx is seen as a docx (512 bytes misreads it as a zip, PLATFORM.md).
    static let headLength = 16 * 1024
    /// Read size while hashing.
    static let chunkLength = 1 << 20
    /// The read buffer holds the head (up to `ContentIdentifier.deepHeadLength`) at its start and
    /// reads the rest after it, so the head survives while the item is streamed.
    static let deepHeadRoom = 64 * 1024

    private let identifier: ContentIdentifier
    let hashAll: Bool
    let perceptual: PerceptualOptions
    let expansion: ExpansionOptions
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var imageBuffer: UnsafeMutableRawBufferPointer
    let hasher = PDQHasher()
    /// The last image's pixels, reused for the next one of similar size.
    private var recycledPixels: [UInt8] = []
    /// How many bytes of the image just examined `imageBuffer` holds (nil: it was streamed).
    private var heldImageBytes: Int?
    /// Decoding outcomes by SHA-256, shared by a scan's workers (nil: every image is decoded).
    let decodeCache: DecodeCache?
    /// Told what is known of an item as its examination goes on: before libmagic, before its
    /// bytes are read on, and before each library call that might not return (decoding,
    /// reading a video, opening a container). The scan's watchdog (`WorkerWatch`) uses it.
    var working: ((ItemResult) -> Void)?
    /// Told of progress that concerns no new item: a chunk read, a member listed, member data
    /// skipped, a video frame sampled.
    var progressed: (() -> Void)?
    /// Tests of the watchdog only: the decoder call for an image of this file name never returns.
    var stallOnName: [UInt8]?

    init(hashAll: Bool, perceptual: PerceptualOptions = PerceptualOptions(),
         expansion: ExpansionOptions = ExpansionOptions(), decodeCache: DecodeCache? = nil) throws(IdentificationError) {
        identifier = try ContentIdentifier()
        self.hashAll = hashAll
        self.perceptual = perceptual
        self.expansion = expansion
        self.decodeCache = decodeCache
        buffer = .allocate(byteCount: Self.deepHeadRoom + Self.chunkLength, alignment: 64)
        imageBuffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        imageBuffer.deallocate()
    }

    /// Every result for one walked entry: for a container, its members first (depth first, in
    /// the container's order), then the entry itself. Never throws: every failure is an item's
    /// disposition and reason (DESIGN.md rule 2).
    ///
    /// The entry comes last so that a scan killed half-way through a container opens it again
    /// on the next run (members already recorded are skipped by the caller).
    func examine(_ entry: WalkEntry, in root: EvidenceRoot, emit: (ItemResult) -> Void) {
        var result = entry.unreadResult()
        guard entry.kind == .regularFile else { return emit(result) }
        let file: EvidenceFile
        do {
            file = try root.openFile(entry.relativePath)
        } catch {
            result.disposition = .unreadable
            result.reason = "\(error.call): \(error.message)"
            return emit(result)
        }
        result.size = file.size
        emit(examineContent(of: file, declaredSize: file.size, result: result, budget: ExpansionBudget(options: expansion), emit: emit))
    }

    /// Identifies, hashes, decodes or expands one item's bytes: an evidence file or a member.
    func examineContent(of stream: any ByteStream, declaredSize: Int64?, result: ItemResult, budget: ExpansionBudget,
                        emit: (ItemResult) -> Void) -> ItemResult {
        var result = result
        working?(result)  // before libmagic: a member or thumbnail is open from here
        let found: Head
        do {
            found = try readHead(of: stream, declaredSize: declaredSize, path: result.path)
        } catch {
            switch error {
            case .read(let failure, let offset):
                return failedRead(result, failure, at: offset)
            case .empty:
                result.disposition = .empty
                result.reason = "no bytes"
            case .identification(let failure):
                result.disposition = .identificationFailed
                result.reason = failure.description
            }
            return result
        }
        result.mime = found.identification.mime
        result.kind = found.identification.kind
        result.extensionMismatch = found.identification.extensionMismatch
        let moreToRead = found.moreToRead
        let head = UnsafeRawBufferPointer(rebasing: buffer[0..<found.count])
        if let format = containerFormat(of: found) {
            return expand(stream, as: format, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result,
                          budget: budget, emit: emit)
        }
        guard result.kind.isMedia || hashAll else { return result }
        if result.kind == .moving, perceptual.enabled {
            return examineVideo(stream, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result)
        }
        // A JPEG is read whole even without decoding, when its EXIF thumbnail is to be looked for.
        if result.kind == .still, perceptual.enabled || (expansion.enabled && result.mime == "image/jpeg") {
            let (image, thumbnail) = examineImage(stream, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result)
            if let thumbnail { emit(examineThumbnail(thumbnail, of: image, budget: budget, emit: emit)) }
            return image
        }
        return streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
    }

    /// An item's first bytes (at the start of `buffer`) and what they are.
    struct Head {
        var count: Int
        var identification: Identification
        /// The head filled its buffer: the item may hold more.
        var moreToRead: Bool
    }

    /// Why an item's head gave no identification.
    enum HeadFailure: Error {
        case read(Error, at: Int64)
        case empty
        case identification(IdentificationError)
    }

    /// Reads an item's head into `buffer` and identifies it as the scan does: libmagic on the first
    /// 16 KiB, then, with expansion on, the ISO 9660 signature beyond it for what libmagic calls
    /// `application/octet-stream`. The MIME type it gives decides whether the item is a container.
    func readHead(of stream: any ByteStream, declaredSize: Int64?, path: ForensicPath) throws(HeadFailure) -> Head {
        var headCount: Int
        do {
            headCount = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.headLength]))
        } catch {
            throw .read(error, at: 0)
        }
        if headCount == 0 { throw .empty }
        var identification: Identification
        do {
            identification = try identifier.identify(head: UnsafeRawBufferPointer(rebasing: buffer[0..<headCount]), path: path)
        } catch {
            throw .identification(error)
        }
        var moreToRead = headCount == Self.headLength
        if expansion.enabled, moreToRead, identification.mime == "application/octet-stream",
           (declaredSize ?? .max) >= ContentIdentifier.deepHeadLength {
            // Signatures libmagic's head cannot see (an ISO 9660 volume descriptor at 32 KiB).
            let deep = UnsafeMutableRawBufferPointer(rebasing: buffer[headCount..<ContentIdentifier.deepHeadLength])
            do {
                let count = try stream.read(into: deep)
                headCount += count
                moreToRead = count == deep.count
            } catch {
                throw .read(error, at: Int64(headCount))
            }
            if let mime = ContentIdentifier.deepSignature(UnsafeRawBufferPointer(rebasing: buffer[0..<headCount])) {
                identification.mime = mime
            }
        }
        return Head(count: headCount, identification: identification, moreToRead: moreToRead)
    }

    /// The container format that opens an item with this head, if expansion is on and it is one.
    func containerFormat(of head: Head) -> (any ContainerFormat)? {
        expansion.enabled ? ContainerFormats.format(forMIME: head.identification.mime) : nil
    }

    /// The item's disposition when its bytes stop coming: the OS error, the container's damage,
    /// or an expansion limit.
    func failedRead(_ result: ItemResult, _ error: Error, at offset: Int64) -> ItemResult {
        var result = result
        switch error {
        case let stop as ExpansionBudget.Stop:
            result.disposition = stop.disposition
            result.reason = "not read to the end: \(stop.reason)"
        case let damage as ContainerError:
            result.disposition = damage.kind == .encrypted ? .encrypted : .containerDamaged
            result.reason = "container data unreadable at byte \(offset): \(damage.message); digests not computed"
        case let system as SystemError:
            result.disposition = .unreadable
            result.reason = "read error at byte \(offset): \(system.message); digests not computed"
        default:
            result.disposition = .unreadable
            result.reason = "read error at byte \(offset): \(error); digests not computed"
        }
        return result
    }

    /// Streams the item (after the head already read) through the three digests.
    func streamDigests(_ stream: any ByteStream, head: UnsafeRawBufferPointer, moreToRead: Bool, result: ItemResult,
                               hashing hasher: MultiHasher = MultiHasher(), alreadyHashed: Int64 = 0) -> ItemResult {
        var result = result
        var hasher = hasher
        hasher.update(head)
        var total = alreadyHashed + Int64(head.count)
        // The head lives in the read buffer; the rest is read after it.
        let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.deepHeadRoom...])
        working?(result)  // identified: a read that never returns is recorded with the type
        if moreToRead {
            while true {
                let count: Int
                do {
                    count = try stream.read(into: chunk)
                } catch {
                    // A damaged medium: keep what identification found, record where reading failed.
                    return failedRead(result, error, at: total)
                }
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                total += Int64(count)
                progressed?()
            }
        }
        result.size = total
        result.digests = hasher.finalize()
        return result
    }

    /// A still image: read whole, hashed, decoded, PDQ-hashed. Every failure after the digests
    /// is the item's disposition; the digests are kept. A JPEG's EXIF thumbnail is returned
    /// too, to be examined as an item of its own.
    private func examineImage(_ stream: any ByteStream, head: UnsafeRawBufferPointer, moreToRead: Bool, declaredSize: Int64?,
                              result: ItemResult) -> (ItemResult, thumbnail: [UInt8]?) {
        heldImageBytes = nil
        let image = decodeAndHash(stream, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result)
        var thumbnail: [UInt8]?
        if expansion.enabled, image.mime == "image/jpeg", let held = heldImageBytes,
           image.path.depth < expansion.maxDepth, !image.path.isEmbedded {  // not a thumbnail's thumbnail
            thumbnail = ExifThumbnail.extract(from: UnsafeRawBufferPointer(rebasing: imageBuffer[0..<held]))
        }
        releaseLargeImageBuffer()
        return (image, thumbnail)
    }

    /// An EXIF thumbnail, examined like any image, with its distance from its photo.
    private func examineThumbnail(_ bytes: [UInt8], of photo: ItemResult, budget: ExpansionBudget,
                                  emit: (ItemResult) -> Void) -> ItemResult {
        var item = ItemResult(path: photo.path.appending(embedded: ExifThumbnail.name), size: Int64(bytes.count),
                              times: photo.times, disposition: .processed)
        item = examineContent(of: BytesStream(bytes), declaredSize: Int64(bytes.count), result: item, budget: budget, emit: emit)
        if let own = item.pdq, let parent = photo.pdq { item.parentDistance = own.hash.distance(to: parent.hash) }
        return item
    }

    /// Reads, hashes, decodes and PDQ-hashes one still image (its bytes stay in `imageBuffer`).
    /// With perceptual hashing off, it only reads and hashes.
    private func decodeAndHash(_ stream: any ByteStream, head: UnsafeRawBufferPointer, moreToRead: Bool, declaredSize: Int64?,
                               result: ItemResult) -> ItemResult {
        var result = result
        let decodes = perceptual.enabled
        if !decodes, let size = declaredSize, size > Int64(perceptual.maxDecodeBytes) {
            return streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
        }
        let decoder = ImageDecoders.decoder(forMIME: result.mime ?? "")
        if decodes, decoder == nil {
            result = streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
            if result.digests != nil {
                result.disposition = .noDecoder
                result.reason = "no decoder for \(SafeText.display(result.mime ?? "?")); exact digests only"
            }
            return result
        }
        if decodes, let size = declaredSize, size > Int64(perceptual.maxDecodeBytes) {
            return overDecodeLimit(streamDigests(stream, head: head, moreToRead: moreToRead, result: result))
        }
        let total: Int
        switch readWhole(stream, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result) {
        case .held(let count): total = count
        case .tooLarge(let hashed): return decodes ? overDecodeLimit(hashed) : hashed
        case .failed(let failed): return failed
        }
        let bytes = UnsafeRawBufferPointer(rebasing: imageBuffer[0..<total])
        var digests = MultiHasher()
        digests.update(bytes)
        result.size = Int64(total)
        result.digests = digests.finalize()
        heldImageBytes = total
        guard decodes, let decoder else { return result }
        // Only an item with nothing against it yet is served from, or kept in, the cache: its
        // outcome is then its bytes' alone.
        let sha256 = result.digests!.sha256
        let cache = result.disposition == .processed && result.reason == nil ? decodeCache : nil
        if let copy = cache?.outcome(forSHA256: sha256) {
            result.image = copy.image
            result.pdq = copy.pdq
            result.dihedral = copy.dihedral
            result.disposition = copy.disposition
            result.reason = copy.reason
            return result
        }
        defer {
            cache?.keep(DecodeCache.Outcome(image: result.image, pdq: result.pdq, dihedral: result.dihedral,
                                                  disposition: result.disposition, reason: result.reason), forSHA256: sha256)
        }

        working?(result)
        if let stallOnName, result.path.fileName == stallOnName { Self.stallForever() }
        do {
            var image = try decoder.decode(bytes, options: perceptual.decode, recycling: &recycledPixels)
            defer {
                // Kept for the next image unless very large (then given back).
                if image.pixels.count <= Self.keptImageBuffer { swap(&recycledPixels, &image.pixels) }
            }
            result.image = DecodedFacts(decoder: decoder.name, width: image.width, height: image.height,
                                        scaleDenominator: image.scaleDenominator)
            if perceptual.dihedral {
                let (hashes, quality) = hasher.dihedralSignatures(of: image)
                result.pdq = PDQSignature(hash: hashes[0], quality: quality)
                result.dihedral = hashes
            } else {
                result.pdq = hasher.signature(of: image)
            }
            if let damage = image.damage {
                result.disposition = .damaged
                result.reason = "\(decoder.name) decoded it with a warning: \(SafeText.display(damage))"
            } else if result.pdq!.quality < perceptual.qualityFloor {
                result.disposition = .lowQuality
                result.reason = "PDQ quality \(result.pdq!.quality) is under the floor of \(perceptual.qualityFloor); not perceptually matched"
            }
        } catch {
            switch error {
            case .dimensionLimit, .sideLimit: result.disposition = .dimensionLimit
            case .noDecoder: result.disposition = .noDecoder
            case .failed: result.disposition = .undecodable
            }
            result.reason = SafeText.display(error.message)
        }
        hasher.releaseLargeBuffers()
        working?(result)  // decoded: a stall from here on (its thumbnail) is not the decoder's
        return result
    }

    /// How reading an item whole into `imageBuffer` ended.
    enum WholeRead {
        /// The item's bytes are in `imageBuffer[0..<count]`.
        case held(count: Int)
        /// Larger than `maxDecodeBytes`: digested as a stream instead.
        case tooLarge(ItemResult)
        /// A read failed; the result says where.
        case failed(ItemResult)
    }

    /// Reads the whole item into `imageBuffer`: the head already read, then the rest until the end.
    func readWhole(_ stream: any ByteStream, head: UnsafeRawBufferPointer, moreToRead: Bool, declaredSize: Int64?,
                           result: ItemResult) -> WholeRead {
        UnsafeMutableRawBufferPointer(rebasing: imageBuffer[0..<head.count]).copyMemory(from: head)
        working?(result)  // identified: a read that never returns is recorded with the type
        var total = head.count
        while moreToRead {
            if imageBuffer.count - total < Self.chunkLength {
                // The declared size (from the evidence, for a member) only reserves up to 64 MiB at
                // once; beyond, the buffer doubles as bytes arrive.
                growImageBuffer(to: max(total + Self.chunkLength, Int(min(declaredSize ?? 0, Int64(min(perceptual.maxDecodeBytes, 64 << 20)))) + 1))
            }
            let count: Int
            do {
                count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: imageBuffer[total..<(total + Self.chunkLength)]))
            } catch {
                return .failed(failedRead(result, error, at: Int64(total)))
            }
            if count == 0 { break }
            total += count
            progressed?()
            if total > perceptual.maxDecodeBytes {
                // Larger than declared (a growing file, a member without a size): hash the rest as a stream.
                var digests = MultiHasher()
                digests.update(UnsafeRawBufferPointer(rebasing: imageBuffer[0..<total]))
                releaseLargeImageBuffer()
                return .tooLarge(streamDigests(stream, head: UnsafeRawBufferPointer(start: nil, count: 0), moreToRead: true,
                                               result: result, hashing: digests, alreadyHashed: Int64(total)))
            }
        }
        return .held(count: total)
    }

    /// An image hashed as a stream because it is over the decode limit.
    func overDecodeLimit(_ result: ItemResult) -> ItemResult {
        var result = result
        if result.digests != nil {
            result.disposition = .sizeLimit
            result.reason = "\(result.size) bytes is over the decode limit of \(perceptual.maxDecodeBytes); exact digests only"
        }
        return result
    }

    func releaseLargeImageBuffer() {
        if imageBuffer.count > Self.keptImageBuffer {
            imageBuffer.deallocate()
            imageBuffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
        }
    }

    /// A library call that never returns, for tests of the watchdog (`stallOnName`).
    static func stallForever() -> Never {
        while true { sleep(3600) }
    }

    /// An image buffer this large is kept for the next image; a larger one is given back.
    static let keptImageBuffer = 64 << 20

    private func growImageBuffer(to size: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, imageBuffer.count * 2), alignment: 64)
        bigger.copyMemory(from: UnsafeRawBufferPointer(imageBuffer))
        imageBuffer.deallocate()
        imageBuffer = bigger
    }
}
