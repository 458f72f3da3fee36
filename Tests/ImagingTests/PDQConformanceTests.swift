import Foundation
import Imaging
import Testing
import TriageCore
import TriageTestSupport

/// One line of an expected-hash file: hashes (1 or 8), quality, file.
struct ExpectedHash {
    var hashes: [PDQHash]
    var quality: Int
    var file: String

    /// Reads `<hash>... <quality> <file>` lines, skipping `#` comments.
    static func read(_ path: String) -> [ExpectedHash] {
        String(decoding: TestPaths.bytes(path), as: UTF8.self).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let quality = Int(fields[fields.count - 2]) else { return nil }
            return ExpectedHash(hashes: fields.dropLast(2).map { PDQHash(hex: $0)! }, quality: quality, file: String(fields.last!))
        }
    }
}

/// Decodes a file with the decoder its extension implies (tests only: the scan asks libmagic).
func decodeFile(_ path: String, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
    let mime = switch (path as NSString).pathExtension.lowercased() {
    case "jpg", "jpeg": "image/jpeg"
    case "png": "image/png"
    case "gif": "image/gif"
    case "webp": "image/webp"
    case "tif", "tiff": "image/tiff"
    case "bmp": "image/bmp"
    case "heic": "image/heic"
    default: "application/octet-stream"
    }
    guard let decoder = ImageDecoders.decoder(forMIME: mime) else { throw DecodeError.noDecoder(mime: mime) }
    let bytes = TestPaths.bytes(path)
    return try bytes.withUnsafeBytes { data throws(DecodeError) in try decoder.decode(data, options: options) }
}

@Suite("PDQ conformance")
struct PDQConformanceTests {
    /// Lossless inputs on which every correct decoder gives the same pixels: bit-exact.
    @Test func sharedPixelsAreBitExact() throws {
        guard let shared = TestPaths.sharedTestdata else {
            print("note: ../shared/testdata is absent; skipping the shared pixels/ conformance")
            return
        }
        let expected = ExpectedHash.read(shared + "/pdq/expected-noresize.txt").filter { $0.file.hasPrefix("pixels/") }
        #expect(expected.count == 21)
        let hasher = PDQHasher()
        for vector in expected {
            let signature = hasher.signature(of: try decodeFile(shared + "/pdq/" + vector.file))
            #expect(signature.hash == vector.hashes[0], "\(vector.file): \(signature.hash.distance(to: vector.hashes[0])) bits off")
            #expect(signature.quality == vector.quality, "\(vector.file) quality")
        }
    }

    @Test func sharedPixelsDihedralAreBitExact() throws {
        guard let shared = TestPaths.sharedTestdata else {
            print("note: ../shared/testdata is absent; skipping the shared dihedral conformance")
            return
        }
        let expected = ExpectedHash.read(shared + "/pdq/expected-dihedral-noresize.txt").filter { $0.file.hasPrefix("pixels/") }
        #expect(expected.count == 21)
        let hasher = PDQHasher()
        for vector in expected {
            let (hashes, quality) = hasher.dihedralSignatures(of: try decodeFile(shared + "/pdq/" + vector.file))
            for (index, variant) in Dihedral.allCases.enumerated() {
                #expect(hashes[index] == vector.hashes[index], "\(vector.file) \(variant.rawValue)")
            }
            #expect(quality == vector.quality)
        }
    }
}

@Suite("PDQ on decoded files")
struct PDQDecodedFileTests {
    /// Files the reference decoded differently from any single-library decoder, with the reason
    /// (Docs/perceptual.md has the measurements).
    static let knownExceptions: [String: String] = [
        "images/pte/I16.png": "16-bit random noise: the reference read ImageMagick's 16-bit output; any other 16→8 reduction moves ~130 bits",
    ]

    /// ThreatExchange's rule for other implementations: decoded files of quality ≥ 80 land
    /// within 10 bits of the reference.
    @Test func sharedImagesWithinTenBits() throws {
        guard let shared = TestPaths.sharedTestdata else {
            print("note: ../shared/testdata is absent; skipping the shared images/ comparison")
            return
        }
        let expected = ExpectedHash.read(shared + "/pdq/expected-noresize.txt").filter { $0.file.hasPrefix("images/") }
        #expect(expected.count >= 35)
        let hasher = PDQHasher()
        var report: [String] = []
        for vector in expected {
            let signature = hasher.signature(of: try decodeFile(shared + "/pdq/" + vector.file))
            let distance = signature.hash.distance(to: vector.hashes[0])
            report.append("\(distance) bits, quality \(signature.quality)/\(vector.quality): \(vector.file)")
            if vector.quality >= 80, Self.knownExceptions[vector.file] == nil {
                #expect(distance <= 10, "\(vector.file): \(distance) bits from the reference")
            }
        }
        print(report.joined(separator: "\n"))
    }
}
