import Foundation
import Imaging
import Testing
import TriageCore
import TriageTestSupport

/// The video reader on the videos `Fixtures/video/make-videos.py` made with ffmpeg: where the
/// samples fall, which strategy a file gets, what the frames' PDQ hashes match, and every bad
/// input issue 7 lists.
@Suite("Video reader")
struct VideoReaderTests {
    static let folder = TestPaths.fixtures + "/video"

    func fingerprint(_ path: String, _ options: VideoOptions = VideoOptions()) throws -> VideoFingerprint {
        let bytes = TestPaths.bytes(Self.folder + "/" + path)
        return try bytes.withUnsafeBytes { data in
            VideoFingerprint.compute(try VideoReader(bytes: data, options: options), hasher: PDQHasher())
        }
    }

    /// The PDQ of a fixture still, decoded as the scan decodes it.
    func stillPDQ(_ path: String) throws -> PDQHash {
        let decoder = ImageDecoders.decoder(forMIME: path.hasSuffix(".png") ? "image/png" : "image/jpeg")!
        let image = try TestPaths.bytes(TestPaths.evidence + "/" + path).withUnsafeBytes { data throws(DecodeError) in
            try decoder.decode(data, options: DecodeOptions())
        }
        return PDQHasher().signature(of: image).hash
    }

    func seconds(_ print: VideoFingerprint) -> [Double] { print.frames.map(\.seconds) }

    @Test func oneFramePerSecondBySeekingWhenKeyFramesAreOneSecondApart() throws {
        let print = try fingerprint("evidence/Movies/beach-trip.mp4")
        #expect(print.facts.codec == "h264" && print.facts.duration == 9)
        #expect(print.facts.sampling == "seek" && print.facts.keySpacing == 1)
        #expect(print.width == 320 && print.height == 240)
        #expect(seconds(print) == [0, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(print.frames.map(\.frame) == [0, 25, 50, 75, 100, 125, 150, 175, 200])
        #expect(print.damage == nil && print.stopped == nil && !print.facts.capped)
    }

    /// The frames that show meadow (3 s to 6 s) are near its PDQ; none of the others is.
    @Test func framesShowingAKnownPictureAreNearItsHash() throws {
        let meadow = try stillPDQ("exhibit-1/DCIM/100CAM/IMG_0101.jpg")
        let print = try fingerprint("evidence/Movies/beach-trip.mp4")
        let near = print.frames.filter { $0.pdq.hash.distance(to: meadow) <= 31 }.map(\.seconds)
        #expect(near == [3, 4, 5])
        #expect(print.frames.filter { (3..<6).contains($0.seconds) }.allSatisfy { $0.pdq.quality >= 50 })
    }

    /// Key frames up to 3 s apart (the encoder put them at the cuts): one decoding pass, which
    /// lands within a frame or two of each second.
    @Test func oneDecodingPassWhenKeyFramesAreFarApart() throws {
        let harbour = try stillPDQ("exhibit-2/Pictures/harbour.png")
        let print = try fingerprint("evidence/Movies/harbour-walk.webm")
        #expect(print.facts.codec == "vp9" && print.facts.sampling == "pass" && print.facts.keySpacing == 3)
        #expect(print.frames.count == 7)
        for (index, frame) in print.frames.enumerated() { #expect(abs(frame.seconds - Double(index)) < 0.1) }
        #expect(print.frames.filter { $0.pdq.hash.distance(to: harbour) <= 31 }.map { Int($0.seconds.rounded()) } == [2, 3, 4])
    }

    /// Key frames 1 s apart are too far for samples every 0.5 s: one pass, each sample on the
    /// first frame decoded at or after its time (non-reference frames are skipped).
    @Test func moreFramesPerSecondGiveMoreSamples() throws {
        let print = try fingerprint("evidence/Movies/beach-trip.mp4", VideoOptions(framesPerSecond: 2))
        #expect(print.facts.sampling == "pass" && print.frames.count == 18)
        for (index, frame) in print.frames.enumerated() { #expect(frame.seconds >= Double(index) / 2 && frame.seconds < Double(index) / 2 + 0.1) }
    }

    /// Samples every 2.86 s (a decoding pass: the encoder's key frames are up to 3 s apart), and
    /// the cuts at 2 s and 5 s between them are sampled too, as scene changes.
    @Test func sceneChangesBetweenSamplesAreSampled() throws {
        let print = try fingerprint("evidence/Movies/harbour-walk.webm", VideoOptions(framesPerSecond: 0.35))
        #expect(print.facts.sampling == "pass")
        let scenes = print.frames.filter(\.sceneChange).map(\.seconds)
        #expect(scenes.count == 2 && abs(scenes[0] - 2) < 0.1 && abs(scenes[1] - 5) < 0.1, "\(seconds(print))")
        #expect(print.frames.filter { !$0.sceneChange }.count == 3)
        let off = try fingerprint("evidence/Movies/harbour-walk.webm", VideoOptions(framesPerSecond: 0.35, sceneThreshold: 0))
        #expect(off.frames.count == 3)
    }

    /// A long video is sampled more sparsely, never beyond the cap.
    @Test func theFrameCapSpreadsSamplesOverTheWholeVideo() throws {
        let print = try fingerprint("long.mp4", VideoOptions(maxFrames: 10))
        #expect(print.facts.duration == 60 && print.facts.interval == 6)
        #expect(seconds(print) == stride(from: 0.0, to: 60, by: 6).map { $0 })
        #expect(!print.facts.capped)
        let all = try fingerprint("long.mp4")
        #expect(all.frames.count == 60)
    }

    /// A portrait phone video (frames stored sideways, a display matrix saying "a quarter turn
    /// clockwise") comes out upright, so its frames match the upright picture.
    @Test func framesAreTurnedUprightByTheDisplayMatrix() throws {
        let meadow = try stillPDQ("exhibit-1/DCIM/100CAM/IMG_0101.jpg")
        let print = try fingerprint("evidence/Camera/VID_PORTRAIT.mp4")
        #expect(print.facts.rotation == 90 && print.width == 320 && print.height == 240)
        #expect(print.frames.filter { $0.pdq.hash.distance(to: meadow) <= 31 }.map(\.seconds) == [1, 2])
        let plain = try fingerprint("evidence/Movies/beach-trip.mp4")
        #expect(plain.facts.rotation == nil)
    }

    /// Reading through pread on a file gives what reading from memory gives.
    @Test func aFileReadAtOffsetsGivesTheSameFrames() throws {
        let path = Self.folder + "/evidence/Camera/MOV_0001.avi"
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let size = Int64(TestPaths.bytes(path).count)
        let reader = try VideoReader(size: size, options: VideoOptions()) { buffer, offset in
            pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
        }
        let fromFile = VideoFingerprint.compute(reader, hasher: PDQHasher())
        let fromMemory = try fingerprint("evidence/Camera/MOV_0001.avi")
        #expect(fromFile.frames == fromMemory.frames && fromFile.frames.count == 7)
        #expect(fromFile.facts.codec == "mpeg4" && fromFile.facts.container == "avi")
    }

    // MARK: Bad input

    @Test func aTruncatedVideoKeepsItsFirstFramesAndSaysItIsCut() throws {
        let print = try fingerprint("bad/truncated.mp4")
        #expect(seconds(print) == [0, 1, 2])
        #expect(print.damage?.contains("the frames stop at 2.000 s although the container says the video lasts 4.000 s") == true)
    }

    /// Two MPEG-TS files joined: the timestamps start again half-way. The second half is
    /// sampled too, timed on from the first, and the jump is reported as damage.
    @Test func joinedStreamsAreSampledToTheEnd() throws {
        let print = try fingerprint("bad/joined.ts")
        #expect(print.facts.sampling == "pass", "MPEG-TS is never sought in")
        #expect(print.frames.count == 6 && print.frames.last!.seconds == 5)
        #expect(print.damage?.contains("the timestamps jump back from 2.960 s to 0.000 s") == true, "\(print.damage ?? "")")
    }

    /// A slideshow (a frame every 5 s) loses no frame to skipping and is not called truncated.
    @Test func aSlideshowKeepsEveryPicture() throws {
        let print = try fingerprint("bad/slideshow.mp4")
        #expect(seconds(print) == [0, 5, 10, 15, 20, 25] && print.damage == nil)
    }

    /// Seeking to samples 4 s apart (key frames up to 3 s apart), the key frames between them
    /// are decoded alone and compared: the cuts at 2 s and 5 s, where the encoder put key
    /// frames, are sampled as scene changes.
    @Test func sceneChangesBetweenSeekSamplesAreFoundAtKeyFrames() throws {
        let print = try fingerprint("evidence/Movies/harbour-walk.webm", VideoOptions(framesPerSecond: 0.25))
        #expect(print.facts.sampling == "seek")
        #expect(print.frames.filter(\.sceneChange).map(\.seconds) == [2, 5], "\(seconds(print))")
        #expect(print.frames.filter { !$0.sceneChange }.map(\.seconds) == [0, 4])
        let off = try fingerprint("evidence/Movies/harbour-walk.webm", VideoOptions(framesPerSecond: 0.25, sceneThreshold: 0))
        #expect(seconds(off) == [0, 4])
    }

    /// With a cap of 4, the three time samples come first: scene changes only use what they leave.
    @Test func sceneChangesNeverTakeTheCapFromTimeSamples() throws {
        let print = try fingerprint("evidence/Movies/harbour-walk.webm", VideoOptions(framesPerSecond: 0.35, maxFrames: 4))
        #expect(print.frames.count == 3 && print.frames.allSatisfy { !$0.sceneChange }, "\(seconds(print))")
        #expect(print.frames.last!.seconds > 5.7)
    }

    /// An ffconcat list names another file: FFmpeg is never allowed to open it, so the list
    /// gives no frames (without the refusal it would have read the named video).
    @Test func aConcatListCannotMakeFFmpegOpenAnotherFile() throws {
        // The concat demuxer itself refuses absolute paths ("unsafe"); a relative one it would open.
        let directory = FileManager.default.currentDirectoryPath
        try #require(Self.folder.hasPrefix(directory + "/"), "the tests run from the package (\(directory))")
        let relative = String(Self.folder.dropFirst(directory.count + 1)) + "/evidence/Movies/beach-trip.mp4"
        let list = "ffconcat version 1.0\nfile \(relative)\n"
        #expect(throws: VideoError.self) {
            let print = try Array(list.utf8).withUnsafeBytes { data in
                VideoFingerprint.compute(try VideoReader(bytes: data, options: VideoOptions()), hasher: PDQHasher())
            }
            if print.frames.isEmpty { throw VideoError.failed("no frames") }
            Issue.record("frames were read through the list: \(print.frames.count)")
        }
    }

    @Test func absurdTimesNeverTrap() {
        #expect(VideoFrameHash.microseconds(seconds: .nan) == 0 && VideoFrameHash.microseconds(seconds: .infinity) == 0)
        #expect(VideoFrameHash.microseconds(seconds: 1e300) == 9_000_000_000_000_000_000)
        #expect(VideoFrameHash.microseconds(seconds: 1.5) == 1_500_000)
    }

    @Test(arguments: ["bad/garbage-after-header.mp4", "bad/no-index.mp4"])
    func aHeaderWithoutAVideoIsAnError(file: String) {
        #expect {
            try fingerprint(file)
        } throws: { error in
            guard case .failed(let message) = error as? VideoError else { return false }
            return message.contains("moov atom not found")
        }
    }

    @Test(arguments: ["bad/audio-only.mp4", "bad/zero-length.mp4"])
    func noVideoStreamIsSaidSo(file: String) {
        #expect {
            try fingerprint(file)
        } throws: { error in
            guard case .noVideoStream(let message) = error as? VideoError else { return false }
            return message.hasPrefix("no video stream")
        }
    }

    /// A 1x1 video decodes; its frames have the zero hash and quality 0 (never matched).
    @Test func aOnePixelVideoHasFramesOfQualityZero() throws {
        let print = try fingerprint("bad/one-pixel.mp4")
        #expect(print.width == 1 && print.height == 1 && print.frames.count == 2)
        #expect(print.frames.allSatisfy { $0.pdq.quality == 0 && $0.pdq.hash == .zero })
    }

    @Test func framesOverThePixelLimitAreRefusedBeforeDecoding() {
        #expect(throws: VideoError.self) { try fingerprint("evidence/Movies/beach-trip.mp4", VideoOptions(maxPixels: 320 * 240 - 1)) }
        #expect(throws: Never.self) { try fingerprint("evidence/Movies/beach-trip.mp4", VideoOptions(maxPixels: 320 * 240)) }
    }

    @Test func theTimeLimitStopsAVideo() throws {
        do {
            let print = try fingerprint("long.mp4", VideoOptions(timeLimit: 0.000_001))
            guard case .timeLimit = print.stopped else { Issue.record("not stopped: \(print.frames.count) frames"); return }
        } catch {
            guard case .timeLimit = error as? VideoError else { Issue.record("\(error)"); return }
        }
    }

    @Test(arguments: [[UInt8](), Array("not a video at all, just words".utf8), (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }])
    func bytesThatAreNoVideoAreAnError(bytes: [UInt8]) {
        #expect(throws: VideoError.self) {
            try bytes.withUnsafeBytes { data in _ = try VideoReader(bytes: data, options: VideoOptions()) }
        }
    }

    @Test func aFailingReadIsAnError() {
        #expect(throws: VideoError.self) { _ = try VideoReader(size: 100_000, options: VideoOptions()) { _, _ in -1 } }
    }
}
