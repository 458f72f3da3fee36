import CExif

/// The thumbnail a JPEG carries in its EXIF data (IFD1), read with libexif. An edited photo
/// can keep the original picture in its thumbnail, so the thumbnail is an item of its own
/// (`photo.jpg!exif-thumbnail`), hashed, matched and counted like any image.
public enum ExifThumbnail {
    /// The thumbnail's name in forensic paths (after a bare `!`).
    public static let name = Array("exif-thumbnail".utf8)

    /// The thumbnail's bytes, or nil when the JPEG has none (`exif_data_new_from_data`, which
    /// finds the APP1 segment itself and copies the thumbnail out).
    public static func extract(from jpeg: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let base = jpeg.baseAddress, jpeg.count <= Int(UInt32.max),
              let data = exif_data_new_from_data(base.assumingMemoryBound(to: UInt8.self), UInt32(jpeg.count)) else { return nil }
        defer { exif_data_unref(data) }
        guard let thumbnail = data.pointee.data, data.pointee.size > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: thumbnail, count: Int(data.pointee.size)))
    }

    /// "libexif" (the library has no version call).
    static let libraryVersion = "libexif"
}

/// Bytes already in memory, read front to back (an extracted thumbnail).
public final class BytesStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        return count
    }
}
