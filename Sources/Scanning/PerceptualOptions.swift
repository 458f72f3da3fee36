import Imaging

/// Settings of decoding and perceptual matching (DESIGN.md "Perceptual hashing").
public struct PerceptualOptions: Sendable, Hashable {
    /// Decode still images and compute PDQ. Off: exact digests only.
    public var enabled: Bool
    /// A PDQ within this many bits (of 256) of a database entry is a match.
    public var threshold: Int
    /// Hashes of lower quality, on either side, are never matched (the reference's advice).
    public var qualityFloor: Int
    /// Also match the 8 rotations and mirrors of each image.
    public var dihedral: Bool
    /// Pixel limit and JPEG fast mode.
    public var decode: DecodeOptions
    /// Image files (and videos inside containers, which are read into memory) larger than
    /// this are hashed but not decoded (disposition `size-limit`).
    public var maxDecodeBytes: Int
    /// Frame sampling of videos.
    public var video: VideoOptions

    public static let defaultThreshold = 31
    public static let defaultQualityFloor = 50
    /// The short side a fast-mode JPEG keeps: PDQ reduces every image to 64x64, and the
    /// reference CLI squashes to 512x512; see Docs/perceptual.md for the bits it moves.
    public static let fastModeShortSide = 512

    public init(enabled: Bool = true, threshold: Int = PerceptualOptions.defaultThreshold,
                qualityFloor: Int = PerceptualOptions.defaultQualityFloor, dihedral: Bool = false,
                decode: DecodeOptions = DecodeOptions(), maxDecodeBytes: Int = 256 << 20, video: VideoOptions = VideoOptions()) {
        self.enabled = enabled
        self.threshold = threshold
        self.qualityFloor = qualityFloor
        self.dihedral = dihedral
        self.decode = decode
        self.maxDecodeBytes = maxDecodeBytes
        self.video = video
    }

    /// How the pixels were produced, for the scan settings and the report.
    public var modeDescription: String {
        guard enabled else { return "off" }
        if let side = decode.jpegMinimumShortSide { return "fast mode (large JPEGs decoded at 1/2, 1/4 or 1/8 scale, short side kept ≥ \(side) px)" }
        return "exact mode (every image decoded at full size)"
    }
}
