import CImageCodecs

/// Pixels as a decoder hands them to the hasher: 8 bits per sample, rows top to bottom, one
/// channel (grey) or three (RGB). Alpha never reaches here (dropped, not composited, as the
/// PDQ reference does).
public struct DecodedImage: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]
    /// Set when the decoder warned but produced pixels (a truncated JPEG is filled with grey).
    public var damage: String?
    /// 2, 4 or 8 when a JPEG was decoded at 1/2, 1/4 or 1/8 scale (fast mode); else 1.
    public var scaleDenominator: Int

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8], damage: String? = nil, scaleDenominator: Int = 1) {
        precondition(channels == 1 || channels == 3, "grey or RGB")
        precondition(pixels.count == width * height * channels, "pixel count matches the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.damage = damage
        self.scaleDenominator = scaleDenominator
    }
}

/// Why an image could not be decoded.
public enum DecodeError: Error, Sendable, Equatable {
    /// No decoder is registered for this MIME type.
    case noDecoder(mime: String)
    /// The declared size is over the limit; refused before any pixel memory was allocated.
    case dimensionLimit(width: Int, height: Int, limit: Int)
    /// A declared side is longer than `DecodeOptions.maxSide`; refused before allocation.
    case sideLimit(width: Int, height: Int, limit: Int)
    /// The library refused the data.
    case failed(decoder: String, message: String)

    public var message: String {
        switch self {
        case .noDecoder(let mime): "no decoder for \(mime)"
        case .dimensionLimit(let width, let height, let limit):
            "declared size \(width)x\(height) is over the limit of \(limit) pixels; not decoded"
        case .sideLimit(let width, let height, let limit):
            "declared size \(width)x\(height) has a side over the limit of \(limit) pixels; not decoded"
        case .failed(let decoder, let message): "\(decoder): \(message)"
        }
    }
}

/// How to decode.
public struct DecodeOptions: Sendable, Hashable {
    /// Images whose declared width x height exceeds this are refused before allocation.
    public var maxPixels: Int
    /// JPEG only: decode at a reduced DCT scale while the short side stays at least this many
    /// pixels (nil: always full size). PDQ reduces to 64x64 anyway; see Docs/perceptual.md.
    public var jpegMinimumShortSide: Int?

    public static let defaultMaxPixels = 250_000_000
    /// No side may be longer than this (libpng's own default limit): PDQ's passes keep a few
    /// rows and 64 bytes per column, so an image 5 pixels high and 50 million wide would
    /// otherwise cost gigabytes within the pixel limit.
    public static let maxSide = 1_000_000

    public init(maxPixels: Int = DecodeOptions.defaultMaxPixels, jpegMinimumShortSide: Int? = nil) {
        self.maxPixels = maxPixels
        self.jpegMinimumShortSide = jpegMinimumShortSide
    }
}

/// One decoder: a library, the MIME types it takes (as libmagic names them) and its C entry.
public struct ImageDecoder: Sendable {
    public let name: String
    public let mimeTypes: [String]
    private let function: ic_decode_fn
    /// The library writes every pixel whenever it succeeds, even for a damaged file (libjpeg
    /// decodes a truncated file's missing rows as grey). Otherwise the buffer is first filled
    /// with grey, so that rows a damaged file leaves undecoded are grey, not leftover memory.
    private let writesEveryPixel: Bool
    /// The library can decode at 1/2, 1/4 or 1/8 scale (libjpeg's scaled DCT): fast mode.
    private let decodesAtReducedScale: Bool

    init(name: String, mimeTypes: [String], function: ic_decode_fn, writesEveryPixel: Bool, decodesAtReducedScale: Bool = false) {
        self.name = name
        self.mimeTypes = mimeTypes
        self.function = function
        self.writesEveryPixel = writesEveryPixel
        self.decodesAtReducedScale = decodesAtReducedScale
    }

    /// The declared size and channels, from the header alone.
    public func header(of data: UnsafeRawBufferPointer, scaleDenominator: Int = 1) throws(DecodeError) -> ic_info {
        var info = ic_info()
        var message = [CChar](repeating: 0, count: 256)
        var input = ic_input(data: data.baseAddress?.assumingMemoryBound(to: UInt8.self), size: data.count,
                             scale_denominator: Int32(scaleDenominator))
        let status = function(&input, &info, nil, &message, message.count)
        guard status != IC_ERROR else { throw .failed(decoder: name, message: Self.string(message)) }
        return info
    }

    /// Decodes `data`. Dimensions are checked against `options.maxPixels` before pixels are
    /// allocated; a large JPEG may be decoded at a reduced scale (`options.jpegMinimumShortSide`).
    ///
    public func decode(_ data: UnsafeRawBufferPointer, options: DecodeOptions = DecodeOptions()) throws(DecodeError) -> DecodedImage {
        var nothing: [UInt8] = []
        return try decode(data, options: options, recycling: &nothing)
    }

    /// The same, reusing the memory of pixels no longer needed when it is about the right size
    /// (a fresh 36 MB buffer costs thousands of page faults per photo). `recycling` is taken
    /// (left empty) when used.
    public func decode(_ data: UnsafeRawBufferPointer, options: DecodeOptions, recycling: inout [UInt8]) throws(DecodeError) -> DecodedImage {
        var info = try header(of: data)
        let width = Int(info.source_width), height = Int(info.source_height)
        guard width > 0, height > 0 else { throw .failed(decoder: name, message: "image has no pixels (\(width)x\(height))") }
        guard width.multipliedReportingOverflow(by: height).partialValue <= options.maxPixels,
              !width.multipliedReportingOverflow(by: height).overflow else {
            throw .dimensionLimit(width: width, height: height, limit: options.maxPixels)
        }
        guard max(width, height) <= DecodeOptions.maxSide else {
            throw .sideLimit(width: width, height: height, limit: DecodeOptions.maxSide)
        }
        var denominator = 1
        if let minimum = options.jpegMinimumShortSide, decodesAtReducedScale {
            denominator = Self.scaleDenominator(shortSide: min(width, height), minimum: minimum)
            if denominator > 1 { info = try header(of: data, scaleDenominator: denominator) }
        }
        var message = [CChar](repeating: 0, count: 256)
        var input = ic_input(data: data.baseAddress?.assumingMemoryBound(to: UInt8.self), size: data.count,
                             scale_denominator: Int32(denominator))
        let count = Int(info.width) * Int(info.height) * Int(info.channels)
        var status = IC_OK
        var pixels: [UInt8]
        if recycling.capacity >= count && recycling.capacity <= 2 * count {
            pixels = recycling
            recycling = []  // the buffer is now uniquely `pixels`: no copy on write
            if pixels.count > count { pixels.removeLast(pixels.count - count) }
            if pixels.count < count { pixels.append(contentsOf: repeatElement(128, count: count - pixels.count)) }
            pixels.withUnsafeMutableBufferPointer { buffer in
                if !writesEveryPixel { buffer.baseAddress!.update(repeating: 128, count: count) }
                var decodedInfo = info
                status = function(&input, &decodedInfo, buffer.baseAddress, &message, message.count)
            }
        } else {
            pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                if !writesEveryPixel { buffer.baseAddress!.initialize(repeating: 128, count: count) }
                var decodedInfo = info
                status = function(&input, &decodedInfo, buffer.baseAddress, &message, message.count)
                initialized = count
            }
        }
        guard status != IC_ERROR else { throw .failed(decoder: name, message: Self.string(message)) }
        return DecodedImage(width: Int(info.width), height: Int(info.height), channels: Int(info.channels), pixels: pixels,
                            damage: status == IC_DAMAGED ? Self.string(message) : nil,
                            scaleDenominator: denominator)
    }

    /// The largest of 1, 2, 4, 8 that keeps the short side at or above `minimum`.
    public static func scaleDenominator(shortSide: Int, minimum: Int) -> Int {
        var denominator = 1
        while denominator < 8, (shortSide + 2 * denominator - 1) / (2 * denominator) >= minimum { denominator *= 2 }
        return denominator
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Every decoder triage has, keyed by the MIME types libmagic reports. Adding a format is one
/// C file in CImageCodecs and one line here.
public enum ImageDecoders {
    public static let all: [ImageDecoder] = [
        ImageDecoder(name: "libjpeg-turbo", mimeTypes: ["image/jpeg"], function: ic_jpeg_decode, writesEveryPixel: true,
                     decodesAtReducedScale: true),
        ImageDecoder(name: "libpng", mimeTypes: ["image/png"], function: ic_png_decode, writesEveryPixel: true),
        ImageDecoder(name: "giflib", mimeTypes: ["image/gif"], function: ic_gif_decode, writesEveryPixel: false),
        ImageDecoder(name: "libwebp", mimeTypes: ["image/webp"], function: ic_webp_decode, writesEveryPixel: true),
        ImageDecoder(name: "libheif", mimeTypes: ["image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif"],
                     function: ic_heif_decode, writesEveryPixel: true),
        ImageDecoder(name: "libtiff", mimeTypes: ["image/tiff"], function: ic_tiff_decode, writesEveryPixel: true),
        ImageDecoder(name: "stb_image", mimeTypes: ["image/bmp", "image/x-ms-bmp"], function: ic_bmp_decode, writesEveryPixel: true),
    ]

    private static let byMIME: [String: ImageDecoder] = Dictionary(
        all.flatMap { decoder in decoder.mimeTypes.map { ($0, decoder) } }, uniquingKeysWith: { first, _ in first })

    public static func decoder(forMIME mime: String) -> ImageDecoder? { byMIME[mime] }

    /// The decoding libraries and their versions, for reports and `inspect`.
    public static var libraryVersions: String { String(cString: ic_versions()) }
}
