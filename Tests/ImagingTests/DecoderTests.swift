import Foundation
import Imaging
import Testing
import TriageCore
import TriageTestSupport

/// The decoder corpus in `Fixtures/imaging/decode` (made by `Fixtures/imaging/make-imaging.py`,
/// with expected outcomes and reference PDQ hashes in `facts.json`): one file per format and
/// mode, and the bad inputs issue 3 lists.
@Suite("Decoders")
struct DecoderTests {
    struct Fact: Decodable {
        var file: String
        var outcome: String
        var width: Int?
        var height: Int?
        var channels: Int?
        var pdq: String?
        var pdq_quality: Int?
        var pdq_exact: Bool?
        var mime: String
    }

    static let folder = TestPaths.fixtures + "/imaging/decode"
    static let facts: [Fact] = try! JSONDecoder().decode([Fact].self, from: Data(TestPaths.bytes(folder + "/facts.json")))

    func decode(_ fact: Fact, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        guard let decoder = ImageDecoders.decoder(forMIME: fact.mime) else { throw DecodeError.noDecoder(mime: fact.mime) }
        let bytes = TestPaths.bytes(Self.folder + "/" + fact.file)
        return try bytes.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data, options: options) }
    }

    @Test(arguments: DecoderTests.facts.map(\.file))
    func outcomeSizeChannelsAndHash(file: String) throws {
        let fact = Self.facts.first { $0.file == file }!
        let hasher = PDQHasher()
        do {
            let image = try decode(fact)
            #expect(fact.outcome == "ok" || fact.outcome == "damaged", "\(file) decoded but should be \(fact.outcome)")
            #expect((image.damage != nil) == (fact.outcome == "damaged"), "\(file): damage \(image.damage ?? "none")")
            #expect(image.width == fact.width && image.height == fact.height, "\(file) size")
            #expect(image.channels == fact.channels, "\(file): \(image.channels) channels, expected \(fact.channels ?? 0)")
            let signature = hasher.signature(of: image)
            let expected = PDQHash(hex: fact.pdq!)!
            let distance = signature.hash.distance(to: expected)
            // Lossless formats decode to identical pixels everywhere: bit-exact. Lossy ones may
            // differ by IDCT or upsampling: ThreatExchange's 10-bit rule.
            #expect(distance <= (fact.pdq_exact == true ? 0 : 10), "\(file): \(distance) bits from the reference")
            #expect(abs(signature.quality - fact.pdq_quality!) <= (fact.pdq_exact == true ? 0 : 2), "\(file) quality")
        } catch let error as DecodeError {
            switch error {
            case .noDecoder: #expect(fact.outcome == "no-decoder", "\(file): \(error.message)")
            case .dimensionLimit, .sideLimit: #expect(fact.outcome == "dimension-limit", "\(file): \(error.message)")
            case .failed: #expect(fact.outcome == "error", "\(file): \(error.message)")
            }
        }
    }

    /// Damaged JPEGs never change how the next JPEG decodes: a reused libjpeg decompressor kept
    /// a damaged file's Huffman tables and failed valid files after it.
    @Test func aDamagedJPEGDoesNotSpoilTheNext() throws {
        let decoder = try #require(ImageDecoders.decoder(forMIME: "image/jpeg"))
        let valid = TestPaths.bytes(Self.folder + "/grey.jpg")
        let reference = try valid.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data) }
        var random = SplitMix(state: 7)
        for _ in 0..<200 {
            var damaged = valid
            for _ in 0..<4 { damaged[Int(random.next() % UInt64(damaged.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1) }
            _ = try? damaged.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data) }
            let again = try valid.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data) }
            #expect(again.pixels == reference.pixels)
        }
    }

    /// The limit is judged on the declared size, before pixels are allocated, and is settable.
    @Test func dimensionLimitIsSettable() throws {
        let rgb = Self.facts.first { $0.file == "rgb.jpg" }!
        #expect(throws: DecodeError.dimensionLimit(width: 192, height: 144, limit: 1000)) {
            _ = try decode(rgb, options: DecodeOptions(maxPixels: 1000))
        }
        #expect(try decode(rgb, options: DecodeOptions(maxPixels: 192 * 144)).width == 192)
    }

    /// A GIF of 3,000 frames costs its first frame only.
    @Test(.timeLimit(.minutes(1))) func animatedGIFReadsTheFirstFrameOnly() throws {
        let fact = Self.facts.first { $0.file == "animated.gif" }!
        let start = ContinuousClock.now
        let image = try decode(fact)
        #expect(image.width == 64 && image.height == 48)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    /// Random bytes under every decoder: an error, never a crash or an exit().
    @Test func garbageUnderEveryDecoderIsAnError() throws {
        var generator = SystemRandomNumberGenerator()
        for decoder in ImageDecoders.all {
            for length in [0, 1, 16, 4096] {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(throws: DecodeError.self, "\(decoder.name), \(length) bytes") {
                    _ = try bytes.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data) }
                }
            }
        }
    }

    /// Every JPEG, PNG, GIF, WebP, TIFF and BMP in the corpus and the fixtures, cut at many
    /// points: each cut is an error or a damaged image, never a crash.
    @Test func truncatedFilesNeverCrash() throws {
        for fact in Self.facts where fact.outcome == "ok" {
            guard let decoder = ImageDecoders.decoder(forMIME: fact.mime) else { continue }
            let bytes = TestPaths.bytes(Self.folder + "/" + fact.file)
            for percent in stride(from: 5, to: 100, by: 15) {
                let cut = Array(bytes.prefix(bytes.count * percent / 100))
                _ = try? cut.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data) }
            }
        }
    }

    @Test func fastModeDecodesLargeJPEGsAtAReducedScale() {
        #expect(ImageDecoder.scaleDenominator(shortSide: 3000, minimum: 512) == 4)
        #expect(ImageDecoder.scaleDenominator(shortSide: 1024, minimum: 512) == 2)
        #expect(ImageDecoder.scaleDenominator(shortSide: 1022, minimum: 512) == 1)  // 1023 halves to 512 (rounded up)
        #expect(ImageDecoder.scaleDenominator(shortSide: 100_000, minimum: 512) == 8)
    }
}

@Suite("PDQ project vectors")
struct PDQProjectVectorTests {
    static let folder = TestPaths.fixtures + "/imaging/vectors"

    /// The project's own vectors, hashed by the reference C++ (through pdqhash): they run
    /// without `../shared`.
    @Test func projectVectorsAreBitExact() throws {
        let expected = ExpectedHash.read(Self.folder + "/expected.txt")
        #expect(expected.count >= 12)
        let hasher = PDQHasher()
        for vector in expected {
            let signature = hasher.signature(of: try decodeFile(Self.folder + "/" + vector.file))
            #expect(signature.hash == vector.hashes[0], "\(vector.file): \(signature.hash.distance(to: vector.hashes[0])) bits off")
            #expect(signature.quality == vector.quality, "\(vector.file) quality")
        }
    }

    @Test func projectVectorsDihedralAreBitExact() throws {
        let expected = ExpectedHash.read(Self.folder + "/expected-dihedral.txt")
        #expect(expected.count >= 12)
        let hasher = PDQHasher()
        for vector in expected {
            let (hashes, quality) = hasher.dihedralSignatures(of: try decodeFile(Self.folder + "/" + vector.file))
            #expect(hashes == vector.hashes, "\(vector.file)")
            #expect(quality == vector.quality)
        }
    }

    @Test func tooSmallImagesHashToZeroWithQualityZero() {
        let hasher = PDQHasher()
        for side in 1...4 {
            let image = DecodedImage(width: side, height: 9, channels: 1, pixels: (0..<(side * 9)).map { UInt8($0 * 37 % 256) })
            #expect(hasher.signature(of: image) == PDQSignature(hash: .zero, quality: 0))
        }
    }

    @Test func hexRoundTripsInTheReferenceBitOrder() {
        // Bit k lives in 16-bit word k >> 4 at k & 15; the hex prints word 15 first.
        let bit0 = PDQHash(settingBits: [0])
        #expect(bit0.hex == String(repeating: "0", count: 63) + "1")
        let bit255 = PDQHash(settingBits: [255])
        #expect(bit255.hex == "8" + String(repeating: "0", count: 63))
        #expect(PDQHash(hex: bit255.hex) == bit255)
        #expect(bit0.distance(to: bit255) == 2)
        #expect(PDQHash(hex: "xyz") == nil)
    }
}
