import CImageCodecs

/// Encodes pixels as JPEG with TurboJPEG (`tjCompress2`), for display only: a terminal that
/// shows nothing but image files (iTerm2) is sent one. Never used on evidence.
public enum JPEGEncoder {
    /// RGB pixels (`width * height * 3` bytes) as a JPEG; nil if TurboJPEG refuses them.
    public static func encode(rgb: [UInt8], width: Int, height: Int, quality: Int = 85) -> [UInt8]? {
        precondition(rgb.count == width * height * 3)
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        guard ic_jpeg_encode(rgb, Int32(width), Int32(height), Int32(quality), &output, &size) == 0, let output else { return nil }
        defer { ic_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
