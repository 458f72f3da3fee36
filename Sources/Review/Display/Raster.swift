import Imaging

/// RGB pixels for the screen (never for hashing): scaled, blurred and greyed here before they
/// are encoded for the terminal.
public struct Raster: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// RGB, rows top to bottom.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A decoded image, grey expanded to RGB.
    public init(_ image: DecodedImage) {
        width = image.width
        height = image.height
        if image.channels == 3 {
            pixels = image.pixels
        } else {
            pixels = [UInt8](unsafeUninitializedCapacity: image.pixels.count * 3) { buffer, count in
                for (index, value) in image.pixels.enumerated() {
                    buffer[index * 3] = value
                    buffer[index * 3 + 1] = value
                    buffer[index * 3 + 2] = value
                }
                count = image.pixels.count * 3
            }
        }
    }

    /// The largest size with this aspect ratio that fits in `width` x `height` (at least 1x1).
    public func fitting(width maxWidth: Int, height maxHeight: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (1, 1) }
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height))
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    /// Resized to exactly `newWidth` x `newHeight`: each output pixel is the mean of the source
    /// pixels it covers when shrinking (no aliasing), the nearest source pixel when enlarging.
    public func resized(width newWidth: Int, height newHeight: Int) -> Raster {
        guard newWidth != width || newHeight != height, width > 0, height > 0 else { return self }
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<newHeight {
                    let y0 = y * height / newHeight
                    let y1 = max(y0 + 1, (y + 1) * height / newHeight)
                    for x in 0..<newWidth {
                        let x0 = x * width / newWidth
                        let x1 = max(x0 + 1, (x + 1) * width / newWidth)
                        var (r, g, b) = (0, 0, 0)
                        for sy in y0..<y1 {
                            var offset = (sy * width + x0) * 3
                            for _ in x0..<x1 {
                                r += Int(source[offset]); g += Int(source[offset + 1]); b += Int(source[offset + 2])
                                offset += 3
                            }
                        }
                        let count = (y1 - y0) * (x1 - x0)
                        let out = (y * newWidth + x) * 3
                        target[out] = UInt8(r / count); target[out + 1] = UInt8(g / count); target[out + 2] = UInt8(b / count)
                    }
                }
            }
        }
        return Raster(width: newWidth, height: newHeight, pixels: output)
    }

    /// Grey by BT.601 luma, kept as RGB.
    public func greyed() -> Raster {
        var output = pixels
        output.withUnsafeMutableBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                let r: Int = 299 * Int(buffer[index])
                let g: Int = 587 * Int(buffer[index + 1])
                let b: Int = 114 * Int(buffer[index + 2])
                let luma = UInt8((r + g + b + 500) / 1000)
                buffer[index] = luma; buffer[index + 1] = luma; buffer[index + 2] = luma
                index += 3
            }
        }
        return Raster(width: width, height: height, pixels: output)
    }

    /// Blurred by three passes of a box filter of `radius` each way (close to a Gaussian),
    /// edges clamped.
    public func blurred(radius: Int) -> Raster {
        guard radius > 0, width > 0, height > 0 else { return self }
        var a = pixels, b = pixels
        for _ in 0..<3 {
            Self.boxPass(&a, into: &b, count: height, length: width, step: 3, stride: width * 3, radius: radius)
            Self.boxPass(&b, into: &a, count: width, length: height, step: width * 3, stride: 3, radius: radius)
        }
        return Raster(width: width, height: height, pixels: a)
    }

    /// One running-sum box filter along `count` lines of `length` pixels.
    private static func boxPass(_ input: inout [UInt8], into output: inout [UInt8], count: Int, length: Int, step: Int, stride: Int, radius: Int) {
        let window = 2 * radius + 1
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for line in 0..<count {
                    let base = line * stride
                    for channel in 0..<3 {
                        func at(_ i: Int) -> Int { Int(source[base + min(max(i, 0), length - 1) * step + channel]) }
                        var sum = 0
                        for i in -radius...radius { sum += at(i) }
                        for i in 0..<length {
                            target[base + i * step + channel] = UInt8((sum + window / 2) / window)
                            sum += at(i + radius + 1) - at(i - radius)
                        }
                    }
                }
            }
        }
    }
}
