import Evidence
import Hashing
import Identification
import Imaging
import TriageCore

/// Reads one evidence file once: identifies its first bytes with libmagic, then (for images
/// and videos, or every file with `hashAll`) streams the rest through MD5, SHA-1 and SHA-256.
/// A still image is read whole into memory instead (up to `maxDecodeBytes`), hashed, decoded
/// and given its PDQ hash.
///
/// One per worker thread: it owns a libmagic handle, a read buffer, an image buffer and the
/// PDQ hasher's float buffers.
final class FileExaminer: @unchecked Sendable {  // used by one worker thread at a time
    /// Bytes given to libmagic: enough for every image and video signature, and at least 4 KiB
    /// so that a docx is seen as a docx (512 bytes misreads it as a zip, PLATFORM.md).
    static let headLength = 16 * 1024
    /// Read size while hashing.
    static let chunkLength = 1 << 20

    private let identifier: ContentIdentifier
    private let hashAll: Bool
    private let perceptual: PerceptualOptions
    private let buffer: UnsafeMutableRawBufferPointer
    private var imageBuffer: UnsafeMutableRawBufferPointer
    private let hasher = PDQHasher()
    /// The last image's pixels, reused for the next one of similar size.
    private var recycledPixels: [UInt8] = []

    init(hashAll: Bool, perceptual: PerceptualOptions = PerceptualOptions()) throws(IdentificationError) {
        identifier = try ContentIdentifier()
        self.hashAll = hashAll
        self.perceptual = perceptual
        buffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
        imageBuffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        imageBuffer.deallocate()
    }

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
        if result.kind == .still, perceptual.enabled {
            return examineImage(file, head: headBytes, result: result)
        }

        return streamDigests(file, head: headBytes, result: result)
    }

    /// Streams the file (after the head already read) through the three digests.
    private func streamDigests(_ file: EvidenceFile, head: UnsafeRawBufferPointer, result: ItemResult) -> ItemResult {
        var result = result
        var hasher = MultiHasher()
        hasher.update(head)
        var total = Int64(head.count)
        if head.count == Self.headLength {
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

    /// A still image: read whole, hashed, decoded, PDQ-hashed. Every failure after the digests
    /// is the item's disposition; the digests are kept.
    private func examineImage(_ file: EvidenceFile, head: UnsafeRawBufferPointer, result: ItemResult) -> ItemResult {
        var result = result
        guard let decoder = ImageDecoders.decoder(forMIME: result.mime ?? "") else {
            result = streamDigests(file, head: head, result: result)
            if result.digests != nil {
                result.disposition = .noDecoder
                result.reason = "no decoder for \(SafeText.display(result.mime ?? "?")); exact digests only"
            }
            return result
        }
        if file.size > Int64(perceptual.maxDecodeBytes) {
            result = streamDigests(file, head: head, result: result)
            if result.digests != nil {
                result.disposition = .sizeLimit
                result.reason = "\(file.size) bytes is over the decode limit of \(perceptual.maxDecodeBytes); exact digests only"
            }
            return result
        }
        // Read the whole file: the head already read, then the rest until the end.
        UnsafeMutableRawBufferPointer(rebasing: imageBuffer[0..<head.count]).copyMemory(from: head)
        var total = head.count
        if head.count == Self.headLength {
            while true {
                if imageBuffer.count - total < Self.chunkLength { growImageBuffer(to: max(total + Self.chunkLength, Int(file.size) + 1)) }
                let count: Int
                do {
                    count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: imageBuffer[(total)..<(total + Self.chunkLength)]))
                } catch {
                    result.disposition = .unreadable
                    result.reason = "read error at byte \(total): \(error.message); digests not computed"
                    return result
                }
                if count == 0 { break }
                total += count
                if total > perceptual.maxDecodeBytes {  // the file grew while being read
                    result.disposition = .unreadable
                    result.reason = "the file grew past \(file.size) bytes while it was read; digests not computed"
                    return result
                }
            }
        }
        let bytes = UnsafeRawBufferPointer(rebasing: imageBuffer[0..<total])
        var digests = MultiHasher()
        digests.update(bytes)
        result.size = Int64(total)
        result.digests = digests.finalize()

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
            case .dimensionLimit: result.disposition = .dimensionLimit
            case .noDecoder: result.disposition = .noDecoder
            case .failed: result.disposition = .undecodable
            }
            result.reason = SafeText.display(error.message)
        }
        hasher.releaseLargeBuffers()
        if imageBuffer.count > Self.keptImageBuffer {
            imageBuffer.deallocate()
            imageBuffer = .allocate(byteCount: Self.chunkLength, alignment: 64)
        }
        return result
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
