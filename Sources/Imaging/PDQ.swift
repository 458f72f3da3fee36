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

    // Float buffers kept between images (see `filter`): the ring of rows after the first pass,
    // up to 8 rows between the column pass and the second row pass, and the ring of 64-float
    // rows after it (plus one output row of the last column pass).
    private var ring: [Float] = []
    private var staging: [Float] = []
    private var compact: [Float] = []

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

    /// Gives back float buffers grown for a very wide image, so that one does not hold them for
    /// the rest of the scan.
    public func releaseLargeBuffers() {
        if bufferedFloats > Self.keptBufferCount {
            ring = []
            staging = []
            compact = []
        }
    }

    static let keptBufferCount = 4 << 20

    /// Floats held between images (for tests: a few rows, never the whole image).
    var bufferedFloats: Int { ring.count + staging.count + compact.count }

    // MARK: - The steps

    /// Luma → 64x64 → 16x16 DCT coefficients (row-major) and the quality, or nil when too small.
    ///
    /// The two Jarosz passes run as: rows (from the pixels, luma computed on the fly), columns,
    /// rows again, columns again. Only 64 rows and 64 columns survive the final decimation, so
    /// the second row pass keeps just those 64 columns and the second column pass runs on
    /// them alone. Every kept value is computed by exactly the reference's sequence of float
    /// operations; nothing needed is skipped.
    private func transform(_ image: DecodedImage) -> (dct: [Float], quality: Int)? {
        let rows = image.height, cols = image.width
        guard rows >= Self.minimumSide, cols >= Self.minimumSide else { return nil }
        let grey = image.channels == 1 || Self.allGrey(image)
        var reduced = [Float](repeating: 0, count: 64 * 64)
        if rows == 64 && cols == 64 {  // the reference skips the filter
            reduced.withUnsafeMutableBufferPointer { Self.fillLuma(image, grey: grey, into: $0.baseAddress!) }
            return (Self.dct64To16(reduced), Self.quality(reduced))
        }
        let alongCols = Self.windowSize(rows)
        let ringRows = Self.ringRows(window: alongCols, rows: rows)
        Self.grow(&ring, to: ringRows * cols)
        Self.grow(&staging, to: min(8, rows) * cols + 4)  // 4 floats of slack: whole-block reads of a last row
        Self.grow(&compact, to: ringRows * 64 + 64)
        ring.withUnsafeMutableBufferPointer { ring in staging.withUnsafeMutableBufferPointer { staging in
            compact.withUnsafeMutableBufferPointer { compact in reduced.withUnsafeMutableBufferPointer { reduced in
                Self.filter(image, grey: grey, ring: ring.baseAddress!, ringRows: ringRows, staging: staging.baseAddress!,
                            compact: compact.baseAddress!, into: reduced.baseAddress!)
            } }
        } }
        return (Self.dct64To16(reduced), Self.quality(reduced))
    }

    static func grow(_ buffer: inout [Float], to count: Int) {
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
    }

    /// Rows a ring must hold: the column pass's window plus the block of 8 written ahead of it,
    /// in whole blocks (a block never wraps around); no more than the image's rows.
    static func ringRows(window: Int, rows: Int) -> Int { min((window + 8 + 7) / 8 * 8, (rows + 7) / 8 * 8) }

    /// The four passes, streamed through a few rows instead of whole-image buffers:
    ///
    /// 1. each block of 8 rows is filtered along rows, into `ring`;
    /// 2. the column pass takes rows from the ring in order, each output row into `staging`;
    /// 3. every 8 rows it gives out are filtered along rows again, and their 64 kept columns
    ///    go into a second ring of 64-float rows (`compact`);
    /// 4. the column pass over those 64 columns takes rows from it in order, and the outputs
    ///    at the 64 kept rows are the 64x64 image (`output`).
    ///
    /// A ring holds the window + 8 rows its column sums still need, so memory is a few rows
    /// rather than floats for every pixel, and rows are still in cache when read again. Each
    /// pass does the same float operations in the same order as over the whole image.
    static func filter(_ image: DecodedImage, grey: Bool, ring: UnsafeMutablePointer<Float>, ringRows: Int,
                       staging: UnsafeMutablePointer<Float>, compact: UnsafeMutablePointer<Float>,
                       into output: UnsafeMutablePointer<Float>) {
        let rows = image.height, cols = image.width
        let alongRows = windowSize(cols), alongCols = windowSize(rows)
        let keptRows = (0..<64).map { Int((Double($0) + 0.5) * Double(rows) / 64) }
        let keptCols = (0..<64).map { Int((Double($0) + 0.5) * Double(cols) / 64) }
        let lanes = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 2 * paddedWidth(cols))
        lanes.initialize(repeating: .zero, count: 2 * paddedWidth(cols))
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: cols + 64)
        sums.initialize(repeating: 0, count: cols + 64)
        defer { lanes.deallocate(); sums.deallocate() }
        func ringRow(_ k: Int) -> UnsafeMutablePointer<Float> { ring + (k % ringRows) * cols }
        func compactRow(_ k: Int) -> UnsafeMutablePointer<Float> { compact + (k % ringRows) * 64 }
        let columnOutput = compact + ringRows * 64

        // Pass 4: a row of pass 3 in; an output row that is a kept row goes to `output` (as
        // many times as it is kept: a short image keeps some rows twice).
        var lastColumns = ColumnPass(rows: rows, cols: 64, window: alongCols, sums: sums + cols)
        var kept = 0
        func keepIfDue() {
            let row = lastColumns.written - 1
            while kept < 64 && keptRows[kept] == row {
                (output + kept * 64).update(from: columnOutput, count: 64)
                kept += 1
            }
        }
        // Pass 3, after each row of pass 2: a full block of 8 (or the last rows) is filtered
        // and fed to pass 4.
        var columns = ColumnPass(rows: rows, cols: cols, window: alongCols, sums: sums)
        func secondRowPassIfDue() {
            let written = columns.written
            guard written % 8 == 0 || written == rows else { return }
            let count = (written - 1) % 8 + 1, first = written - count
            secondRowPass(staging, count: count, cols: cols, window: alongRows, keep: keptCols, lanes: lanes, into: compactRow(first))
            for next in first..<written where lastColumns.add(compactRow(next), row: { UnsafePointer(compactRow($0)) }, into: columnOutput) {
                keepIfDue()
            }
        }
        // Passes 1 and 2.
        var produced = 0
        for next in 0..<rows {
            if next == produced {
                let count = min(8, rows - produced)
                firstRowPass(image, grey: grey, row: produced, count: count, window: alongRows, lanes: lanes, into: ringRow(produced))
                produced += count
            }
            if columns.add(ringRow(next), row: { UnsafePointer(ringRow($0)) }, into: staging + (columns.written % 8) * cols) {
                secondRowPassIfDue()
            }
        }
        while columns.drain(row: { UnsafePointer(ringRow($0)) }, into: staging + (columns.written % 8) * cols) {
            secondRowPassIfDue()
        }
        while lastColumns.drain(row: { UnsafePointer(compactRow($0)) }, into: columnOutput) { keepIfDue() }
    }

    /// An RGB image whose pixels are all grey is hashed as grey, as the reference's decoder
    /// hands it over (its float luma differs in the last bits from 0.299 R + 0.587 G + 0.114 B).
    static func allGrey(_ image: DecodedImage) -> Bool {
        image.pixels.withUnsafeBufferPointer { p in
            var seen: UInt8 = 0
            var i = 0
            let count = p.count
            while i + 3 <= count {
                seen |= (p[i] ^ p[i + 1]) | (p[i + 1] ^ p[i + 2])
                i += 3
                if i % 3072 == 0 && seen != 0 { return false }
            }
            return seen == 0
        }
    }

    /// The reference's Jarosz window: (size + 127) / 128.
    static func windowSize(_ size: Int) -> Int { (size + 2 * 64 - 1) / (2 * 64) }

    /// The first pass along rows for rows row…row + count - 1, straight from the pixels: luma
    /// is computed as rows are gathered (Y = 0.299 R + 0.587 G + 0.114 B in float, left to
    /// right; grey as is). Written to `output`, `count` rows of `cols` floats.
    static func firstRowPass(_ image: DecodedImage, grey: Bool, row: Int, count: Int, window: Int,
                             lanes: UnsafeMutablePointer<SIMD8<Float>>, into output: UnsafeMutablePointer<Float>) {
        let cols = image.width, channels = image.channels
        image.pixels.withUnsafeBufferPointer { pixels in Self.lumaTable.withUnsafeBufferPointer { lumaTable in
            let p = pixels.baseAddress!, table = lumaTable.baseAddress!
            @inline(__always) func luma(_ source: UnsafePointer<UInt8>, _ c: Int) -> Float {
                Self.luma(source, c, grey: grey, channels: channels, table: table)
            }
            // A short last block repeats its last row rather than read past the image.
            func at(_ k: Int) -> UnsafePointer<UInt8> { p + (row + min(k, count - 1)) * cols * channels }
            let s0 = at(0), s1 = at(1), s2 = at(2), s3 = at(3), s4 = at(4), s5 = at(5), s6 = at(6), s7 = at(7)
            for c in 0..<cols {
                lanes[c] = SIMD8(luma(s0, c), luma(s1, c), luma(s2, c), luma(s3, c), luma(s4, c), luma(s5, c), luma(s6, c), luma(s7, c))
            }
            let filtered = lanes + paddedWidth(cols)
            box(lanes, filtered, length: cols, window: window)
            scatterLanes(filtered, cols: cols, count: count, into: output, stride: cols)
        } }
    }

    /// Luma of pixel `c` of a row: Y = 0.299 R + 0.587 G + 0.114 B in float, left to right, or
    /// the grey value itself. Each product has only 256 possible values: looked up in `table`
    /// (`lumaTable`), they are the same floats.
    @inline(__always)
    static func luma(_ row: UnsafePointer<UInt8>, _ c: Int, grey: Bool, channels: Int, table: UnsafePointer<Float>) -> Float {
        if grey { return table[768 + Int(row[c * channels])] }
        return table[Int(row[3 * c])] + table[256 + Int(row[3 * c + 1])] + table[512 + Int(row[3 * c + 2])]
    }

    /// The luma of every pixel, unfiltered (a 64x64 image goes straight to the DCT).
    static func fillLuma(_ image: DecodedImage, grey: Bool, into output: UnsafeMutablePointer<Float>) {
        image.pixels.withUnsafeBufferPointer { pixels in lumaTable.withUnsafeBufferPointer { table in
            for row in 0..<image.height {
                let source = pixels.baseAddress! + row * image.width * image.channels, target = output + row * image.width
                for c in 0..<image.width {
                    target[c] = luma(source, c, grey: grey, channels: image.channels, table: table.baseAddress!)
                }
            }
        } }
    }

    /// 0.299 * v, 0.587 * v and 0.114 * v (float) for every byte v, then v itself.
    static let lumaTable: [Float] = (0..<1024).map { i in
        let v = Float(i % 256)
        switch i / 256 {
        case 0: return Float(0.299) * v
        case 1: return Float(0.587) * v
        case 2: return Float(0.114) * v
        default: return v
        }
    }

    /// The second pass along rows for `count` rows (`input`, `cols` floats apart): full
    /// running sums, but only the `keep` columns are written, compactly (keep.count floats per
    /// row), to `output`.
    static func secondRowPass(_ input: UnsafePointer<Float>, count: Int, cols: Int, window: Int, keep: [Int],
                              lanes: UnsafeMutablePointer<SIMD8<Float>>, into output: UnsafeMutablePointer<Float>) {
        gatherLanes({ input + min($0, count - 1) * cols }, cols: cols, into: lanes)
        let filtered = lanes + paddedWidth(cols)
        box(lanes, filtered, length: cols, window: window)
        for lane in 0..<count {
            for j in 0..<keep.count { output[lane * keep.count + j] = filtered[keep[j]][lane] }
        }
    }

    /// Row lengths rounded up to whole 4x4 blocks.
    static func paddedWidth(_ cols: Int) -> Int { (cols + 3) & ~3 }

    /// lanes[c] = (row 0 at c, …, row 7 at c) for every column, by 4x4 block transposes (each
    /// SIMD8 is two SSE registers: rows 0–3 and rows 4–7). Reads whole blocks: up to 3 floats
    /// past `cols` in each row (past the last row, the buffers' slack), which land in lanes
    /// past `cols` and are never used.
    @inline(__always)
    static func gatherLanes(_ rowStart: (Int) -> UnsafePointer<Float>, cols: Int, into lanes: UnsafeMutablePointer<SIMD8<Float>>) {
        let r0 = rowStart(0), r1 = rowStart(1), r2 = rowStart(2), r3 = rowStart(3)
        let r4 = rowStart(4), r5 = rowStart(5), r6 = rowStart(6), r7 = rowStart(7)
        for c in Swift.stride(from: 0, to: cols, by: 4) {
            let low = transposed(load(r0 + c), load(r1 + c), load(r2 + c), load(r3 + c))
            let high = transposed(load(r4 + c), load(r5 + c), load(r6 + c), load(r7 + c))
            lanes[c] = SIMD8(lowHalf: low.0, highHalf: high.0)
            lanes[c + 1] = SIMD8(lowHalf: low.1, highHalf: high.1)
            lanes[c + 2] = SIMD8(lowHalf: low.2, highHalf: high.2)
            lanes[c + 3] = SIMD8(lowHalf: low.3, highHalf: high.3)
        }
    }

    /// The inverse of `gatherLanes`: lane k of every column to row k (`stride` apart), for the
    /// first `count` rows and the first `cols` columns only.
    @inline(__always)
    static func scatterLanes(_ lanes: UnsafePointer<SIMD8<Float>>, cols: Int, count: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        for c in Swift.stride(from: 0, to: cols, by: 4) {
            let a = lanes[c], b = lanes[c + 1], d = lanes[c + 2], e = lanes[c + 3]
            let width = min(4, cols - c)
            storeRows(transposed(a.lowHalf, b.lowHalf, d.lowHalf, e.lowHalf), count: min(count, 4), width: width,
                      at: output + c, stride: stride)
            if count > 4 {
                storeRows(transposed(a.highHalf, b.highHalf, d.highHalf, e.highHalf), count: count - 4, width: width,
                          at: output + 4 * stride + c, stride: stride)
            }
        }
    }

    typealias Block = (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

    /// The 4x4 transpose of four vectors: result k holds lane k of each, in order (two rounds
    /// of even/odd interleaving, 8 shuffles).
    @inline(__always)
    static func transposed(_ v0: SIMD4<Float>, _ v1: SIMD4<Float>, _ v2: SIMD4<Float>, _ v3: SIMD4<Float>) -> Block {
        @inline(__always) func split(_ x: inout SIMD4<Float>, _ y: inout SIMD4<Float>) {
            (x, y) = (SIMD4(lowHalf: x.evenHalf, highHalf: y.evenHalf), SIMD4(lowHalf: x.oddHalf, highHalf: y.oddHalf))
        }
        var (v0, v1, v2, v3) = (v0, v1, v2, v3)
        split(&v0, &v1); split(&v2, &v3)
        split(&v0, &v2); split(&v1, &v3)
        return (v0, v1, v2, v3)
    }

    /// Vector k of `block` to row k (`stride` apart) for the first `count` rows, at most
    /// `width` of its floats.
    @inline(__always)
    static func storeRows(_ block: Block, count: Int, width: Int, at output: UnsafeMutablePointer<Float>, stride: Int) {
        if count == 4 && width == 4 {
            store(block.0, at: output); store(block.1, at: output + stride)
            store(block.2, at: output + 2 * stride); store(block.3, at: output + 3 * stride)
            return
        }
        withUnsafeBytes(of: block) { raw in
            for k in 0..<count {
                for j in 0..<width { output[k * stride + j] = raw.load(fromByteOffset: (4 * k + j) * 4, as: Float.self) }
            }
        }
    }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) static func store(_ v: SIMD4<Float>, at p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    /// The reference's column pass, fed one row at a time in order (so that the first pass can
    /// stream into it): the window grows for `half` - 1 rows before the first output, is full
    /// in the middle (add the next row, then take off the oldest), and shrinks at the end;
    /// each output is `sum / count`.
    struct ColumnPass {
        let rows: Int, cols: Int, window: Int, half: Int
        let sums: UnsafeMutablePointer<Float>
        private(set) var added = 0, removed = 0, size = 0, written = 0

        init(rows: Int, cols: Int, window: Int, sums: UnsafeMutablePointer<Float>) {
            (self.rows, self.cols, self.window, self.half, self.sums) = (rows, cols, window, (window + 2) / 2, sums)
        }

        /// Adds the next row. When that completes an output row, writes it to `output` and
        /// returns true. `row(k)` gives back row k, the one leaving the window.
        mutating func add(_ next: UnsafePointer<Float>, row: (Int) -> UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) -> Bool {
            PDQHasher.accumulate(sums, next, cols)
            added += 1
            if added < half { size += 1; return false }
            if added <= window {
                size += 1
            } else {
                PDQHasher.deduct(sums, row(removed), cols)
                removed += 1
            }
            PDQHasher.divide(sums, Float(size), into: output, cols)
            written += 1
            return true
        }

        /// After the last row: the next of the shrinking window's outputs, while one is due.
        mutating func drain(row: (Int) -> UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) -> Bool {
            guard written < rows else { return false }
            PDQHasher.deduct(sums, row(removed), cols)
            removed += 1
            size -= 1
            PDQHasher.divide(sums, Float(size), into: output, cols)
            written += 1
            return true
        }
    }

    @inline(never) static func accumulate(_ sums: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, _ count: Int) {
        for c in 0..<count { sums[c] += row[c] }
    }

    @inline(never) static func deduct(_ sums: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, _ count: Int) {
        for c in 0..<count { sums[c] -= row[c] }
    }

    @inline(never) static func divide(_ sums: UnsafePointer<Float>, _ divisor: Float, into row: UnsafeMutablePointer<Float>, _ count: Int) {
        for c in 0..<count { row[c] = sums[c] / divisor }
    }

    /// The reference's 1-D box filter, on eight independent vectors at once (one per SIMD
    /// lane): phases of growing, full and shrinking window, one running sum, add before
    /// subtract, `sum / count` written.
    static func box(_ input: UnsafePointer<SIMD8<Float>>, _ output: UnsafeMutablePointer<SIMD8<Float>>, length: Int, window: Int) {
        let half = (window + 2) / 2
        var sum = SIMD8<Float>(repeating: 0)
        var size = 0, right = 0, left = 0, out = 0
        for _ in 0..<(half - 1) { sum += input[right]; size += 1; right += 1 }
        for _ in 0..<(window - half + 1) {
            sum += input[right]; size += 1; right += 1
            output[out] = sum / SIMD8(repeating: Float(size)); out += 1
        }
        let divisor = SIMD8<Float>(repeating: Float(size))
        for _ in 0..<max(length - window, 0) {
            sum += input[right]; right += 1
            sum -= input[left]; left += 1
            output[out] = sum / divisor; out += 1
        }
        for _ in 0..<(half - 1) {
            sum -= input[left]; left += 1; size -= 1
            output[out] = sum / SIMD8(repeating: Float(size)); out += 1
        }
    }

    /// Sum of absolute neighbour differences in the 64x64 image, scaled to 0–100: the
    /// reference's `abs(int((u - v) * 100 / 255))` summed over vertical, then horizontal pairs.
    ///
    /// Eight differences at a time in SIMD lanes. Each term is at most 100 in magnitude, so its
    /// truncation toward zero is made in float, exactly (round to a whole number by adding and
    /// subtracting 2^23, then step back where that went up), and the lane sums stay whole
    /// numbers below 2^24, which Float holds exactly. The same integers as the scalar loop,
    /// which converted each float to Int with a range check and took a tenth of the hash's time.
    static func quality(_ image: [Float]) -> Int {
        @inline(__always) func term(_ u: SIMD8<Float>, _ v: SIMD8<Float>) -> SIMD8<Float> {
            let x = (u - v) * 100 / 255
            let magnitude = x.replacing(with: -x, where: x .< 0)
            let nearest = (magnitude + 8_388_608) - 8_388_608
            return nearest.replacing(with: nearest - 1, where: nearest .> magnitude)
        }
        return image.withUnsafeBytes { raw in
            @inline(__always) func at(_ row: Int, _ column: Int) -> SIMD8<Float> {
                raw.loadUnaligned(fromByteOffset: (row * 64 + column) * 4, as: SIMD8<Float>.self)
            }
            var sums = SIMD8<Float>(repeating: 0)
            for i in 0..<63 {
                for j in stride(from: 0, to: 64, by: 8) { sums += term(at(i, j), at(i + 1, j)) }
            }
            // Pairs (j, j + 1) for j < 63: the last block's lane 7 would pair column 63 with
            // the next row's first, and is left out.
            let lastBlock = SIMD8<Float>(1, 1, 1, 1, 1, 1, 1, 0)
            for i in 0..<64 {
                for j in stride(from: 0, to: 56, by: 8) { sums += term(at(i, j), at(i, j + 1)) }
                let u = at(i, 56)
                let v = SIMD8<Float>(u[1], u[2], u[3], u[4], u[5], u[6], u[7], 0)
                sums += term(u, v) * lastBlock
            }
            return min(Int(sums.sum()) / 90, 100)
        }
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

    /// The same matrix transposed (64x16), so the second product reads it row by row.
    static let dctMatrixTransposed: [Float] = (0..<64 * 16).map { dctMatrix[($0 % 16) * 64 + $0 / 16] }

    /// B = D · A · Dᵀ, as T = D · A, then B = T · Dᵀ.
    static func dct64To16(_ image: [Float]) -> [Float] {
        let t = product(dctMatrix, rows: 16, image, columns: 64)
        return product(t, rows: 16, dctMatrixTransposed, columns: 16)
    }

    /// left (rows x 64) · right (64 x columns), row-major. Every output is a float sum from
    /// k = 0 upwards, as the reference's; 8 outputs are summed side by side in SIMD lanes,
    /// which keeps each one's order.
    static func product(_ left: [Float], rows: Int, _ right: [Float], columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        let blocks = columns / 8
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer { o in
                    let rightRows = UnsafeRawPointer(r.baseAddress!).assumingMemoryBound(to: SIMD8<Float>.self)
                    let outRows = UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: SIMD8<Float>.self)
                    for i in 0..<rows {
                        for block in 0..<blocks {
                            var sum = SIMD8<Float>(repeating: 0)
                            for k in 0..<64 { sum += SIMD8(repeating: l[i * 64 + k]) * rightRows[k * blocks + block] }
                            outRows[i * blocks + block] = sum
                        }
                    }
                }
            }
        }
        return out
    }

    /// Bit i*16+j is set when B[i][j] is above the median (the 128th smallest value).
    static func threshold(_ b: [Float]) -> PDQHash {
        let median = smallest(127, of: b)
        return PDQHash(settingBits: b.indices.filter { b[$0] > median })
    }

    /// The value at position `k` of `values` sorted (Hoare's selection: only the side that
    /// holds position k is partitioned further). The same value a full sort gives, without
    /// sorting the other 255.
    static func smallest(_ k: Int, of values: [Float]) -> Float {
        var work = values
        return work.withUnsafeMutableBufferPointer { a in
            var low = 0, high = a.count - 1
            while low < high {
                let pivot = a[(low + high) / 2]
                var i = low, j = high
                while i <= j {
                    while a[i] < pivot { i += 1 }
                    while a[j] > pivot { j -= 1 }
                    if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { high = j } else if k >= i { low = i } else { break }
            }
            return a[k]
        }
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
