import Foundation
@testable import Imaging
import Testing
import TriageCore
import TriageTestSupport

/// ALGORITHM.md transcribed as plainly as possible (full-size passes, scalar, no shortcuts):
/// the optimised `PDQHasher` must agree with it bit for bit on every shape, including the
/// narrow and short images where its compact buffers differ most from the plain layout.
enum PlainPDQ {
    static func box(_ v: [Float], window: Int) -> [Float] {
        let half = (window + 2) / 2
        var out = [Float](repeating: 0, count: v.count)
        var sum: Float = 0, size = 0, right = 0, left = 0, o = 0
        for _ in 0..<(half - 1) { sum += v[right]; size += 1; right += 1 }
        for _ in 0..<(window - half + 1) { sum += v[right]; size += 1; right += 1; out[o] = sum / Float(size); o += 1 }
        for _ in 0..<max(v.count - window, 0) {
            sum += v[right]; right += 1; sum -= v[left]; left += 1; out[o] = sum / Float(size); o += 1
        }
        for _ in 0..<(half - 1) { sum -= v[left]; left += 1; size -= 1; out[o] = sum / Float(size); o += 1 }
        return out
    }

    static func hash(_ image: DecodedImage) -> (PDQHash, Int) {
        let rows = image.height, cols = image.width
        guard rows >= 5, cols >= 5 else { return (.zero, 0) }
        let p = image.pixels
        var grey = true
        if image.channels == 3 {
            for i in 0..<rows * cols where p[3 * i] != p[3 * i + 1] || p[3 * i + 1] != p[3 * i + 2] { grey = false }
        }
        var a = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows * cols {
            if image.channels == 1 {
                a[i] = Float(p[i])
            } else if grey {
                a[i] = Float(p[3 * i])
            } else {
                let r: Float = Float(0.299) * Float(p[3 * i])
                let g: Float = Float(0.587) * Float(p[3 * i + 1])
                let b: Float = Float(0.114) * Float(p[3 * i + 2])
                a[i] = r + g + b
            }
        }
        if !(rows == 64 && cols == 64) {
            let wr = (cols + 127) / 128, wc = (rows + 127) / 128
            for _ in 0..<2 {
                for r in 0..<rows { a.replaceSubrange(r * cols..<(r + 1) * cols, with: box(Array(a[r * cols..<(r + 1) * cols]), window: wr)) }
                for c in 0..<cols {
                    let column = box((0..<rows).map { a[$0 * cols + c] }, window: wc)
                    for r in 0..<rows { a[r * cols + c] = column[r] }
                }
            }
            var reduced = [Float](repeating: 0, count: 4096)
            for i in 0..<64 {
                let row = Int((Double(i) + 0.5) * Double(rows) / 64)
                for j in 0..<64 { reduced[i * 64 + j] = a[row * cols + Int((Double(j) + 0.5) * Double(cols) / 64)] }
            }
            a = reduced
        }
        let b = PDQHasher.dct64To16(a)
        let median = b.sorted()[127]
        return (PDQHash(settingBits: b.indices.filter { b[$0] > median }), quality(a))
    }

    /// The reference's quality: |int((u - v) * 100 / 255)| summed, vertical pairs then horizontal.
    static func quality(_ a: [Float]) -> Int {
        var sum = 0
        for i in 0..<63 { for j in 0..<64 { sum += abs(Int((a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100 / 255)) } }
        for i in 0..<64 { for j in 0..<63 { sum += abs(Int((a[i * 64 + j] - a[i * 64 + j + 1]) * 100 / 255)) } }
        return min(sum / 90, 100)
    }
}

@Suite struct PDQReferenceModelTests {
    /// The SIMD quality and the selected median against the plain loops, on images whose
    /// differences land on whole numbers, just below and above them, and in both directions.
    @Test func qualityAndMedianEqualThePlainLoops() {
        var rng = SplitMix(state: 7)
        var qualities = Set<Int>()
        for round in 0..<300 {
            // Small neighbour differences, so that the sum stays under the cap of 100 (9,000).
            let amplitude = Float(1 + round % 9)
            var image = [Float](repeating: 0, count: 4096)
            for i in image.indices {
                switch round % 4 {
                case 0: image[i] = Float(rng.next() % UInt64(amplitude + 1))                      // whole values
                case 1: image[i] = Float(rng.next() % UInt64(amplitude * 100)) / 100               // fine steps
                case 2: image[i] = 2.55 * Float(rng.next() % 3) + Float(i % 64) * 0.01            // near multiples of 2.55
                default: image[i] = Float(rng.next() % UInt64(amplitude + 1)).nextUp * Float(rng.next() % 2)  // just above whole values
                }
            }
            qualities.insert(PlainPDQ.quality(image))
            #expect(PDQHasher.quality(image) == PlainPDQ.quality(image), "round \(round)")
            let dct = (0..<256).map { _ in Float(Int(rng.next() % 41) - 20) / 4 }  // many ties
            #expect(PDQHasher.smallest(127, of: dct) == dct.sorted()[127], "round \(round)")
        }
        #expect(qualities.count > 20, "the images span many qualities: \(qualities.sorted())")
    }

    @Test func optimisedEqualsPlainOnManyShapes() {
        var rng = SystemRandomNumberGenerator()
        let shapes = [(5, 5), (63, 65), (65, 63), (37, 1000), (1000, 37), (64, 64), (7, 300), (300, 7), (129, 127), (200, 513), (9, 64),
                      // Windows of 9–12 along rows or columns; in the tall ones the rings wrap around many times.
                      (1500, 300), (300, 1500), (40, 1100), (1100, 40)]
            + (0..<12).map { _ in (Int.random(in: 5...260, using: &rng), Int.random(in: 5...260, using: &rng)) }
        let hasher = PDQHasher()
        for (width, height) in shapes {
            for channels in [1, 3] {
                // Smooth content with noise: quality well above zero, bits not all alike.
                var pixels = [UInt8](repeating: 0, count: width * height * channels)
                for i in pixels.indices {
                    let x = (i / channels) % width, y = (i / channels) / width
                    let value: Int = (x * 7 + y * 3 + (i % channels) * 50) % 200 + Int.random(in: 0...40, using: &rng)
                    pixels[i] = UInt8(value)
                }
                let image = DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
                let (hash, quality) = PlainPDQ.hash(image)
                let fast = hasher.signature(of: image)
                #expect(fast.hash == hash, "\(width)x\(height)x\(channels): \(fast.hash.distance(to: hash)) bits")
                #expect(fast.quality == quality, "\(width)x\(height)x\(channels) quality")
            }
        }
    }

    /// The hasher streams an image through a few rows of floats: a 3000x2000 image (two whole
    /// float copies would be 12 million floats) leaves it holding under 120,000, and a 5x200,000
    /// strip (whose 64 kept columns alone would be 12.8 million) under 150,000.
    @Test func hashingHoldsAFewRowsNotTheImage() {
        for (width, height, bound) in [(3000, 2000, 120_000), (5, 200_000, 150_000)] {
            let pixels = (0..<width * height).map { UInt8(truncatingIfNeeded: ($0 % width) &* 3 &+ ($0 / width)) }
            let hasher = PDQHasher()
            let signature = hasher.signature(of: DecodedImage(width: width, height: height, channels: 1, pixels: pixels))
            #expect(height > width || signature.quality > 0, "\(width)x\(height)")  // the strip filters to flat
            #expect(hasher.bufferedFloats < bound, "\(width)x\(height): \(hasher.bufferedFloats) floats kept")
        }
    }
}
