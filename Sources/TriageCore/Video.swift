/// One sampled frame of a video, as vPDQ lists it: frame number, time, PDQ hash and quality.
public struct VideoFrameHash: Hashable, Sendable {
    /// The frame's number in the video: its time multiplied by the frame rate, rounded.
    public var frame: Int
    /// Microseconds from the start of the video (whole numbers, so that stored values compare exactly).
    public var microseconds: Int64
    public var pdq: PDQSignature
    /// Taken because the picture changed, not because a second passed.
    public var sceneChange: Bool

    public init(frame: Int, microseconds: Int64, pdq: PDQSignature, sceneChange: Bool = false) {
        self.frame = frame
        self.microseconds = microseconds
        self.pdq = pdq
        self.sceneChange = sceneChange
    }

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// Seconds as whole microseconds, whatever a file claims (no trap on an absurd or NaN time).
    public static func microseconds(seconds: Double) -> Int64 {
        seconds.isFinite ? Int64(max(min(seconds * 1_000_000, 9e18), -9e18).rounded()) : 0
    }

    /// "0:01:05.250": as reports show a time in a video.
    public static func clock(_ microseconds: Int64) -> String {
        let milliseconds = (microseconds + 500) / 1000
        let hours = milliseconds / 3_600_000, minutes = milliseconds / 60_000 % 60, seconds = milliseconds / 1000 % 60
        let fraction = String(milliseconds % 1000)
        return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(seconds < 10 ? "0" : "")\(seconds).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// The stored form: 46 bytes per frame (frame number, microseconds, quality, flags, hash), big-endian.
    public static func pack(_ frames: [VideoFrameHash]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frames.count * packedSize)
        for frame in frames {
            bytes += withUnsafeBytes(of: UInt32(clamping: frame.frame).bigEndian, Array.init)
            bytes += withUnsafeBytes(of: frame.microseconds.bigEndian, Array.init)
            bytes.append(UInt8(clamping: frame.pdq.quality))
            bytes.append(frame.sceneChange ? 1 : 0)
            bytes += frame.pdq.hash.bytes
        }
        return bytes
    }

    /// The frames of `pack`'s bytes; nil when they are not whole records.
    public static func unpack(_ bytes: [UInt8]) -> [VideoFrameHash]? {
        guard bytes.count % packedSize == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: packedSize).map { start in
            func integer(_ offset: Int, _ count: Int) -> UInt64 {
                bytes[start + offset..<start + offset + count].reduce(0) { $0 << 8 | UInt64($1) }
            }
            return VideoFrameHash(frame: Int(integer(0, 4)), microseconds: Int64(bitPattern: integer(4, 8)),
                                  pdq: PDQSignature(hash: PDQHash(bytes: Array(bytes[start + 14..<start + 46])), quality: Int(bytes[start + 12])),
                                  sceneChange: bytes[start + 13] & 1 != 0)
        }
    }

    public static let packedSize = 46
}

/// What reading a video found: the stream, how it was sampled, and the sampled frames' hashes.
public struct VideoFacts: Hashable, Sendable, Codable {
    /// FFmpeg's names of the codec and the container format ("h264", "mov,mp4,m4a,3gp,3g2,mj2").
    public var codec: String
    public var container: String
    /// Seconds, when the container says.
    public var duration: Double?
    public var frameRate: Double?
    /// "seek": a seek to the key frame before each sample; "pass": one decoding pass.
    public var sampling: String
    /// Seconds between time samples (wider than 1 / frames-per-second when the cap spreads them).
    public var interval: Double
    /// The widest gap between key frames measured at the start of the file, when seen.
    public var keySpacing: Double?
    /// Sampling stopped at the frame cap before the end of the video.
    public var capped: Bool
    /// Degrees clockwise the stream's display matrix turns it (a phone's portrait video);
    /// frames were turned upright before hashing. Nil when none.
    public var rotation: Int?

    public init(codec: String, container: String, duration: Double?, frameRate: Double?, sampling: String, interval: Double,
                keySpacing: Double?, capped: Bool, rotation: Int? = nil) {
        self.rotation = rotation
        self.codec = codec
        self.container = container
        self.duration = duration
        self.frameRate = frameRate
        self.sampling = sampling
        self.interval = interval
        self.keySpacing = keySpacing
        self.capped = capped
    }

    enum CodingKeys: String, CodingKey {
        case codec, container, duration, sampling, interval, capped, rotation
        case frameRate = "frame_rate", keySpacing = "key_spacing"
    }
}
