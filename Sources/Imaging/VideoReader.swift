import CVideo
import TriageCore

/// How videos are sampled (DESIGN.md "Perceptual hashing": vPDQ-style, one frame per second).
public struct VideoOptions: Sendable, Hashable {
    /// Time samples per second of video.
    public var framesPerSecond: Double
    /// Mean absolute luma difference (0–255, on 32x32 samples) between two decoded frames that
    /// also makes a sample: a cut between seconds is not missed. 0: off.
    public var sceneThreshold: Double
    /// Never more samples than this per video; a longer video is sampled more sparsely, so a
    /// ten-hour file costs a bounded time.
    public var maxFrames: Int
    /// Frames larger than this (width x height) are refused before conversion.
    public var maxPixels: Int
    /// Seconds of work on one video before it stops with what it has (0: no limit).
    public var timeLimit: Double
    /// FFmpeg decoder threads (2 is faster than FFmpeg's own choice here, PLATFORM.md).
    public var threads: Int
    /// Frames as RGB, for showing them (a storyboard); grey otherwise (all PDQ needs).
    public var colour: Bool

    public static let defaultFramesPerSecond = 1.0
    public static let defaultSceneThreshold = 40.0
    public static let defaultMaxFrames = 3600

    public init(framesPerSecond: Double = VideoOptions.defaultFramesPerSecond, sceneThreshold: Double = VideoOptions.defaultSceneThreshold,
                maxFrames: Int = VideoOptions.defaultMaxFrames, maxPixels: Int = DecodeOptions.defaultMaxPixels,
                timeLimit: Double = 600, threads: Int = 2, colour: Bool = false) {
        self.framesPerSecond = framesPerSecond
        self.sceneThreshold = sceneThreshold
        self.maxFrames = maxFrames
        self.maxPixels = maxPixels
        self.timeLimit = timeLimit
        self.threads = threads
        self.colour = colour
    }
}

/// Why a video gave no (more) frames.
public enum VideoError: Error, Sendable, Equatable {
    /// A container FFmpeg reads, with no video stream in it (an audio-only mp4).
    case noVideoStream(String)
    /// Frames larger than the pixel limit.
    case dimensionLimit(String)
    /// The time limit for one video passed.
    case timeLimit(String)
    /// FFmpeg has no decoder for the stream's codec.
    case noDecoder(String)
    /// FFmpeg could not read it (not a video, truncated before its index, ...).
    case failed(String)

    public var message: String {
        switch self {
        case .noVideoStream(let message), .dimensionLimit(let message), .timeLimit(let message), .noDecoder(let message),
             .failed(let message): message
        }
    }
}

/// One sample: the frame's pixels (grey, or RGB with `colour`) and where it is in the video.
public struct VideoSample {
    public var image: DecodedImage
    public var frame: Int
    public var microseconds: Int64
    public var sceneChange: Bool
}

/// Reads a video through FFmpeg's libraries (the C side is `Sources/CVideo`): it opens the
/// container, measures the key-frame spacing, and hands out sampled frames as grey pixels.
///
/// The bytes come from `read(buffer, offset)` (pread on an evidence file, or a member in
/// memory), never from a path FFmpeg would open itself.
public final class VideoReader {
    /// Reads up to `buffer.count` bytes at `offset`: the count, 0 at the end, -1 on error.
    public typealias ReadAt = (UnsafeMutableRawBufferPointer, Int64) -> Int

    private final class Source {
        let read: ReadAt
        init(read: @escaping ReadAt) { self.read = read }
    }

    public let facts: VideoFacts
    /// The size the stream declares.
    public let width: Int
    public let height: Int
    private let handle: OpaquePointer
    private let source: Source

    public init(size: Int64, options: VideoOptions, read: @escaping ReadAt) throws(VideoError) {
        source = Source(read: read)
        var settings = tv_options(interval: 1 / max(options.framesPerSecond, 0.0001), scene_threshold: options.sceneThreshold,
                                  max_frames: Int32(clamping: options.maxFrames), max_pixels: Int64(options.maxPixels),
                                  time_limit: options.timeLimit, threads: Int32(clamping: options.threads), colour: options.colour ? 1 : 0)
        var info = tv_info()
        var video: OpaquePointer?
        var message = [CChar](repeating: 0, count: 400)
        let status = tv_open({ opaque, buffer, count, offset in
            let source = Unmanaged<Source>.fromOpaque(opaque!).takeUnretainedValue()
            return Int32(source.read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(count)), offset))
        }, Unmanaged.passUnretained(source).toOpaque(), size, &settings, &video, &info, &message, message.count)
        guard status == TV_OK, let video else { throw Self.error(status, message) }
        handle = video
        width = Int(info.width)
        height = Int(info.height)
        facts = VideoFacts(codec: Self.string(info.codec), container: Self.string(info.container),
                           duration: info.duration >= 0 ? info.duration : nil, frameRate: info.frame_rate > 0 ? info.frame_rate : nil,
                           sampling: info.seeks != 0 ? "seek" : "pass", interval: info.interval,
                           keySpacing: info.key_spacing >= 0 ? info.key_spacing : nil, capped: false,
                           rotation: info.rotation != 0 ? Int(info.rotation) : nil)
    }

    /// A video held in memory (a member of an archive). The bytes must outlive the reader.
    public convenience init(bytes: UnsafeRawBufferPointer, options: VideoOptions) throws(VideoError) {
        try self.init(size: Int64(bytes.count), options: options) { buffer, offset in
            // Past the end is the end (as for a file), so a cut-off member reads as truncated.
            guard offset >= 0 else { return -1 }
            guard offset < Int64(bytes.count) else { return 0 }
            let count = min(buffer.count, bytes.count - Int(offset))
            if count > 0 { buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + Int(offset), byteCount: count) }
            return count
        }
    }

    deinit { tv_close(handle) }

    /// The next sample, or nil after the last. A thrown error ends sampling; the samples before
    /// it stand.
    public func next() throws(VideoError) -> VideoSample? {
        var frame = tv_frame()
        var message = [CChar](repeating: 0, count: 400)
        let status = tv_next(handle, &frame, &message, message.count)
        if status == TV_END { return nil }
        guard status == TV_OK else { throw Self.error(status, message) }
        let channels = Int(frame.channels)
        let pixels = [UInt8](UnsafeBufferPointer(start: frame.pixels, count: Int(frame.width) * Int(frame.height) * channels))
        return VideoSample(image: DecodedImage(width: Int(frame.width), height: Int(frame.height), channels: channels, pixels: pixels),
                           frame: Int(clamping: frame.frame_number), microseconds: VideoFrameHash.microseconds(seconds: frame.timestamp),
                           sceneChange: frame.scene_change != 0)
    }

    /// What FFmpeg could not decode so far, or a stream that stopped well before its stated
    /// duration; nil when neither.
    public var damage: String? {
        var message = [CChar](repeating: 0, count: 600)
        return tv_damage(handle, &message, message.count) > 0 ? SafeText.display(Self.string(message)) : nil
    }

    /// Sampling stopped at the frame cap before the end.
    public var capped: Bool { tv_capped(handle) != 0 }

    /// FFmpeg's library versions, for reports.
    public static var versions: String { String(cString: tv_versions()) }

    private static func error(_ status: tv_status, _ message: [CChar]) -> VideoError {
        let text = SafeText.display(string(message))
        switch status {
        case TV_NO_VIDEO: return .noVideoStream(text)
        case TV_DIMENSION_LIMIT: return .dimensionLimit(text)
        case TV_TIME_LIMIT: return .timeLimit(text)
        case TV_NO_DECODER: return .noDecoder(text)
        default: return .failed(text)
        }
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func string(_ array: [CChar]) -> String {
        array.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// A video's sampled frames, PDQ-hashed: what the scan records and matches.
public struct VideoFingerprint: Sendable {
    public var facts: VideoFacts
    public var width: Int
    public var height: Int
    public var frames: [VideoFrameHash]
    /// Undecodable packets or frames met on the way (the frames sampled still stand).
    public var damage: String?
    /// Why sampling stopped before the end, if it did (a time limit, too much damage).
    public var stopped: VideoError?

    /// Samples and hashes every frame the reader gives.
    /// `onFrame` is called after each sampled frame (the scan's watchdog sees progress).
    public static func compute(_ reader: VideoReader, hasher: PDQHasher, onFrame: () -> Void = {}) -> VideoFingerprint {
        var frames: [VideoFrameHash] = []
        var stopped: VideoError?
        var width = reader.width, height = reader.height
        while true {
            let sample: VideoSample?
            do { sample = try reader.next() } catch {
                stopped = error
                break
            }
            guard let sample else { break }
            width = sample.image.width
            height = sample.image.height
            frames.append(VideoFrameHash(frame: sample.frame, microseconds: sample.microseconds,
                                         pdq: hasher.signature(of: sample.image), sceneChange: sample.sceneChange))
            onFrame()
        }
        var facts = reader.facts
        facts.capped = reader.capped
        return VideoFingerprint(facts: facts, width: width, height: height, frames: frames, damage: reader.damage, stopped: stopped)
    }
}
