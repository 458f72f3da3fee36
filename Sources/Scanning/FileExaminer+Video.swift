import Evidence
import Hashing
import Imaging
import TriageCore

extension FileExaminer {
    /// A video: hashed exactly, then its frames sampled and PDQ-hashed through FFmpeg.
    ///
    /// An evidence file is digested as a stream and then read again by FFmpeg at the offsets it
    /// asks for (`pread`; the page cache holds what was just read). A member of a container is
    /// read into memory whole (up to `maxDecodeBytes`), since FFmpeg must seek in it.
    func examineVideo(_ stream: any ByteStream, head: UnsafeRawBufferPointer, moreToRead: Bool, declaredSize: Int64?,
                      result: ItemResult) -> ItemResult {
        if let file = stream as? EvidenceFile {
            let hashed = streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
            guard hashed.digests != nil else { return hashed }
            return sampleVideo(hashed) { () throws(VideoError) in
                try VideoReader(size: file.size, options: perceptual.video) { buffer, offset in file.read(into: buffer, at: offset) }
            }
        }
        if let size = declaredSize, size > Int64(perceptual.maxDecodeBytes) {
            return overDecodeLimit(streamDigests(stream, head: head, moreToRead: moreToRead, result: result))
        }
        switch readWhole(stream, head: head, moreToRead: moreToRead, declaredSize: declaredSize, result: result) {
        case .tooLarge(let hashed): return overDecodeLimit(hashed)
        case .failed(let failed): return failed
        case .held(let count):
            defer { releaseLargeImageBuffer() }
            let bytes = UnsafeRawBufferPointer(rebasing: imageBuffer[0..<count])
            var digests = MultiHasher()
            digests.update(bytes)
            var hashed = result
            hashed.size = Int64(count)
            hashed.digests = digests.finalize()
            return sampleVideo(hashed) { () throws(VideoError) in try VideoReader(bytes: bytes, options: perceptual.video) }
        }
    }

    /// Samples and hashes the frames; every way it can end is the item's disposition.
    private func sampleVideo(_ result: ItemResult, open: () throws(VideoError) -> VideoReader) -> ItemResult {
        var result = result
        defer { hasher.releaseLargeBuffers() }
        working?(result)
        let print: VideoFingerprint
        do {
            print = VideoFingerprint.compute(try open(), hasher: hasher) { progressed?() }
        } catch {
            result.reason = error.message
            switch error {
            case .noVideoStream:
                // libmagic said video, FFmpeg found only audio: not a moving image.
                result.kind = .other
                result.disposition = .noVideoStream
            case .dimensionLimit: result.disposition = .dimensionLimit
            case .timeLimit: result.disposition = .timeLimit
            case .noDecoder: result.disposition = .noDecoder
            case .failed: result.disposition = .undecodable
            }
            return result
        }
        result.image = DecodedFacts(decoder: "FFmpeg \(print.facts.codec)", width: print.width, height: print.height)
        result.video = print.facts
        result.frames = print.frames
        let sampled = "\(print.frames.count) frame(s) sampled"
        if let stopped = print.stopped {
            switch stopped {
            case .timeLimit: result.disposition = .timeLimit
            case .dimensionLimit: result.disposition = .dimensionLimit
            case .noVideoStream, .noDecoder, .failed: result.disposition = print.frames.isEmpty ? .undecodable : .damaged
            }
            result.reason = "\(stopped.message); \(sampled) before it"
        } else if print.frames.isEmpty {
            result.disposition = .undecodable
            result.reason = "FFmpeg decoded no frame" + (print.damage.map { ": \($0)" } ?? "")
        } else if let damage = print.damage {
            result.disposition = .damaged
            result.reason = "\(damage); \(sampled)"
        } else if print.facts.capped {
            result.disposition = .frameLimit
            result.reason = "sampling stopped at the cap of \(perceptual.video.maxFrames) frames before the end"
                + (print.facts.duration == nil ? " (the duration is unknown)" : "")
        }
        return result
    }
}
