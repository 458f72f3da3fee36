import Foundation
import TriageCore

/// Meta's PDQ perceptual hash, computed exactly as `../shared/testdata/pdq/ALGORITHM.md`
/// describes the reference (library semantics: the whole decoded image, no 512x512 squash).
/// The reference's bits depend on the order of every float operation, so the steps below keep
/// that order; speed comes from running independent rows or columns side by side instead.
///
/// One per worker thread: it keeps its float buffers between images.
public final class PDQHasher {
    /// Either side under this many pixels gives the all-zero hash with quality 0.
    public static let minimumSide = 5

    private var luma: [Float] = []
    private var scratch: [Float] = []

    public init() {}

    /// The hash and quality of an image.
    public func signature(of image: DecodedImage) -> PDQSignature {
        guard let (dct, quality) = transform(image) else { return PDQSignature(hash: .zero, quality: 0) }
        return PDQSignature(hash: Self.threshold(dct), quality: quality)
    }

    /// The hashes of the eight rotations and mirrors (`Dihedral.allCases` order) and the quality.
    public func dihedralSignatures(of image: DecodedImage) -> (hashes: [PDQHash], quality: Int) {
        guard let (dct, quality) = transform(image) else { return (Array(repeating: .zero, count: 8), 0) }
        return (Dihedral.allCases.map { Self.threshold(Self.variant($0, of: dct)) }, quality)
    }

    /// Gives back float buffers grown for a very large image, so one 100-megapixel photo does
    /// not hold a gigabyte for the rest of the scan.
    public func releaseLargeBuffers() {
        if luma.count > Self.keptBufferCount {
            luma = []
            scratch = []
        }
    }

    static let keptBufferCount = 16 << 20

    // MARK: - The steps

    /// Luma → 64x64 → 16x16 DCT coefficients (row-major) and the quality, or nil when too small.
    private func transform(_ image: DecodedImage) -> (dct: [Float], quality: Int)? {
        let rows = image.height, cols = image.width
        guard rows >= Self.minimumSide, cols >= Self.minimumSide else { return nil }
        let count = rows * cols
        if luma.count < count {
            luma = [Float](repeating: 0, count: count)
            scratch = [Float](repeating: 0, count: count)
        }
        var reduced = [Float](repeating: 0, count: 64 * 64)
        luma.withUnsafeMutableBufferPointer { luma in
            scratch.withUnsafeMutableBufferPointer { scratch in
                Self.fillLuma(image, into: luma.baseAddress!)
                if rows == 64 && cols == 64 {
                    for i in 0..<4096 { reduced[i] = luma[i] }
                } else {
                    let alongRows = Self.windowSize(cols), alongCols = Self.windowSize(rows)
                    for _ in 0..<2 {
                        Self.boxAlongRows(luma.baseAddress!, scratch.baseAddress!, rows: rows, cols: cols, window: alongRows)
                        Self.boxAlongCols(scratch.baseAddress!, luma.baseAddress!, rows: rows, cols: cols, window: alongCols)
                    }
                    for i in 0..<64 {
                        let row = Int((Double(i) + 0.5) * Double(rows) / 64)
                        for j in 0..<64 {
                            let col = Int((Double(j) + 0.5) * Double(cols) / 64)
                            reduced[i * 64 + j] = luma[row * cols + col]
                        }
                    }
                }
            }
        }
        return (Self.dct64To16(reduced), Self.quality(reduced))
    }

    /// Y = 0.299 R + 0.587 G + 0.114 B in float, left to right; grey is used as is. An RGB image
    /// whose pixels are all grey is treated as grey, as the reference's decoder hands it over.
    static func fillLuma(_ image: DecodedImage, into luma: UnsafeMutablePointer<Float>) {
        let count = image.width * image.height
        image.pixels.withUnsafeBufferPointer { pixels in
            let p = pixels.baseAddress!
            if image.channels == 1 {
                for i in 0..<count { luma[i] = Float(p[i]) }
                return
            }
            var colourSeen: UInt8 = 0
            for i in 0..<count {
                let r = p[3 * i], g = p[3 * i + 1], b = p[3 * i + 2]
                colourSeen |= (r ^ g) | (g ^ b)
                luma[i] = Float(0.299) * Float(r) + Float(0.587) * Float(g) + Float(0.114) * Float(b)
            }
            if colourSeen == 0 {
                for i in 0..<count { luma[i] = Float(p[3 * i]) }
            }
        }
    }

    /// The reference's Jarosz window: (size + 127) / 128.
    static func windowSize(_ size: Int) -> Int { (size + 2 * 64 - 1) / (2 * 64) }

    /// One box-filter pass along every row. Each row's running sum must be accumulated in the
    /// reference's order, so eight rows run side by side in SIMD lanes instead.
    static func boxAlongRows(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, cols: Int, window: Int) {
        var row = 0
        while row + 8 <= rows {
            box8(input + row * cols, output + row * cols, stride: cols, length: cols, window: window)
            row += 8
        }
        while row < rows {
            box1(input + row * cols, output + row * cols, length: cols, window: window)
            row += 1
        }
    }

    /// One box-filter pass along every column: whole rows at a time, one running sum per
    /// column, so the inner loops run over contiguous memory.
    static func boxAlongCols(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, cols: Int, window: Int) {
        let half = (window + 2) / 2
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: cols)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: cols)
        var added = 0, removed = 0, written = 0, size = 0
        func add() {
            let source = input + added * cols
            for c in 0..<cols { sums[c] += source[c] }
            added += 1
        }
        func remove() {
            let source = input + removed * cols
            for c in 0..<cols { sums[c] -= source[c] }
            removed += 1
        }
        func write() {
            let target = output + written * cols, divisor = Float(size)
            for c in 0..<cols { target[c] = sums[c] / divisor }
            written += 1
        }
        for _ in 0..<(half - 1) { add(); size += 1 }
        for _ in 0..<(window - half + 1) { add(); size += 1; write() }
        for _ in 0..<max(rows - window, 0) { add(); remove(); write() }
        for _ in 0..<(half - 1) { remove(); size -= 1; write() }
    }

    /// The reference's 1-D box filter on one vector: phases of growing, full and shrinking window.
    static func box1(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, length: Int, window: Int) {
        let half = (window + 2) / 2
        var sum: Float = 0
        var size = 0, right = 0, left = 0, out = 0
        for _ in 0..<(half - 1) { sum += input[right]; size += 1; right += 1 }
        for _ in 0..<(window - half + 1) {
            sum += input[right]; size += 1; right += 1
            output[out] = sum / Float(size); out += 1
        }
        for _ in 0..<max(length - window, 0) {
            sum += input[right]; right += 1
            sum -= input[left]; left += 1
            output[out] = sum / Float(size); out += 1
        }
        for _ in 0..<(half - 1) {
            sum -= input[left]; left += 1; size -= 1
            output[out] = sum / Float(size); out += 1
        }
    }

    /// `box1` on eight vectors `stride` apart at once, one per SIMD lane.
    static func box8(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, stride: Int, length: Int, window: Int) {
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> {
            SIMD8(input[i], input[i + stride], input[i + 2 * stride], input[i + 3 * stride],
                  input[i + 4 * stride], input[i + 5 * stride], input[i + 6 * stride], input[i + 7 * stride])
        }
        @inline(__always) func store(_ v: SIMD8<Float>, _ i: Int) {
            for lane in 0..<8 { output[i + lane * stride] = v[lane] }
        }
        let half = (window + 2) / 2
        var sum = SIMD8<Float>(repeating: 0)
        var size = 0, right = 0, left = 0, out = 0
        for _ in 0..<(half - 1) { sum += load(right); size += 1; right += 1 }
        for _ in 0..<(window - half + 1) {
            sum += load(right); size += 1; right += 1
            store(sum / SIMD8(repeating: Float(size)), out); out += 1
        }
        let divisor = SIMD8<Float>(repeating: Float(size))
        for _ in 0..<max(length - window, 0) {
            sum += load(right); right += 1
            sum -= load(left); left += 1
            store(sum / divisor, out); out += 1
        }
        for _ in 0..<(half - 1) {
            sum -= load(left); left += 1; size -= 1
            store(sum / SIMD8(repeating: Float(size)), out); out += 1
        }
    }

    /// Sum of absolute neighbour differences in the 64x64 image, scaled to 0–100.
    static func quality(_ a: [Float]) -> Int {
        var gradientSum = 0
        for i in 0..<63 {
            for j in 0..<64 {
                gradientSum += abs(Int((a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100 / 255))
            }
        }
        for i in 0..<64 {
            for j in 0..<63 {
                gradientSum += abs(Int((a[i * 64 + j] - a[i * 64 + j + 1]) * 100 / 255))
            }
        }
        return min(gradientSum / 90, 100)
    }

    /// The 16x64 DCT matrix (frequencies 1…16, no DC term), built as the reference builds it.
    static let dctMatrix: [Float] = {
        let scale = Double(Float(sqrt(2.0 / 64.0)))
        var d = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                d[i * 64 + j] = Float(scale * cos((Double.pi / 2 / 64.0) * Double(i + 1) * Double(2 * j + 1)))
            }
        }
        return d
    }()

    /// B = D · A · Dᵀ, every sum in float from k = 0 upwards.
    static func dct64To16(_ a: [Float]) -> [Float] {
        let d = dctMatrix
        var t = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                var sum: Float = 0
                for k in 0..<64 { sum += d[i * 64 + k] * a[k * 64 + j] }
                t[i * 64 + j] = sum
            }
        }
        var b = [Float](repeating: 0, count: 256)
        for i in 0..<16 {
            for j in 0..<16 {
                var sum: Float = 0
                for k in 0..<64 { sum += t[i * 64 + k] * d[j * 64 + k] }
                b[i * 16 + j] = sum
            }
        }
        return b
    }

    /// Bit i*16+j is set when B[i][j] is above the median (the 128th smallest value).
    static func threshold(_ b: [Float]) -> PDQHash {
        let median = b.sorted()[127]
        return PDQHash(settingBits: b.indices.filter { b[$0] > median })
    }

    /// The DCT of a rotated or mirrored image, from the original's by sign changes and transposition.
    static func variant(_ transform: Dihedral, of b: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: 256)
        for i in 0..<16 {
            for j in 0..<16 {
                let value = b[i * 16 + j]
                let odd = { (n: Int) in n % 2 == 1 }
                switch transform {
                case .original: out[i * 16 + j] = value
                case .rotate90: out[j * 16 + i] = odd(j) ? value : -value
                case .rotate180: out[i * 16 + j] = odd(i + j) ? -value : value
                case .rotate270: out[j * 16 + i] = odd(i) ? value : -value
                case .flipX: out[i * 16 + j] = odd(i) ? value : -value
                case .flipY: out[i * 16 + j] = odd(j) ? value : -value
                case .flipPlus1: out[j * 16 + i] = value
                case .flipMinus1: out[j * 16 + i] = odd(i + j) ? -value : value
                }
            }
        }
        return out
    }
}
