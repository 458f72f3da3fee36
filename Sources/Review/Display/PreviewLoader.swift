import CaseStore
import Foundation
import Imaging
import Scanning
import TriageCore

/// The picture of an item for the screen: its bytes read back from the evidence by forensic
/// path (through any containers, checked against the recorded SHA-256), decoded by the same
/// decoders as the scan, and shrunk to a size no screen needs more of. The last few are kept.
public final class PreviewLoader {
    /// What stands in for a picture that cannot be shown.
    public enum Failure: Error, Sendable, Equatable {
        /// No decoder for this type (a JPEG 2000 inside a PDF, say).
        case noDecoder(String)
        case unreadable(String)

        public var note: String {
            switch self {
            case .noDecoder(let mime): "No picture: triage has no decoder for \(mime) (o opens it in your viewer)"
            case .unreadable(let reason): "No picture: \(reason)"
            }
        }
    }

    /// Longest side kept in memory: enough for a full-screen picture on a 4K display.
    public static let maxSide = 2048
    /// Items larger than this are not read back for display.
    public static let maxBytes = 512 << 20

    private let locator: ContentLocator
    /// Images and video frames larger than this are not decoded (the scan's limit).
    private let maxPixels: Int
    private var cache: [(sha256: [UInt8], preview: Result<Raster, Failure>, storyboard: Storyboard?)] = []

    public init(locator: ContentLocator = ContentLocator(), maxPixels: Int = DecodeOptions.defaultMaxPixels) {
        self.locator = locator
        self.maxPixels = maxPixels
    }

    /// The picture: a still decoded, or a video's storyboard.
    public func preview(of item: StoredItem) -> Result<Raster, Failure> {
        loaded(item).preview
    }

    /// A video's storyboard (its tiles' times), once its preview is loaded; nil for a still.
    public func storyboard(of item: StoredItem) -> Storyboard? {
        loaded(item).storyboard
    }

    private func loaded(_ item: StoredItem) -> (preview: Result<Raster, Failure>, storyboard: Storyboard?) {
        let sha256 = item.result.digests?.sha256 ?? []
        if let hit = cache.first(where: { $0.sha256 == sha256 && !sha256.isEmpty }) { return (hit.preview, hit.storyboard) }
        var storyboard: Storyboard?
        let preview: Result<Raster, Failure>
        if item.result.kind == .moving {
            switch loadStoryboard(item) {
            case .success(let board):
                storyboard = board
                preview = .success(board.raster)
            case .failure(let failure):
                preview = .failure(failure)
            }
        } else {
            preview = load(item)
        }
        cache.append((sha256, preview, storyboard))
        if cache.count > 4 { cache.removeFirst() }
        return (preview, storyboard)
    }

    /// Up to 20 frames of a video, spread over it (`Storyboard`).
    private func loadStoryboard(_ item: StoredItem) -> Result<Storyboard, Failure> {
        let bytes: [UInt8]
        switch readBack(item) {
        case .success(let read): bytes = read
        case .failure(let failure): return .failure(failure)
        }
        do {
            return .success(try bytes.withUnsafeBytes { buffer throws(VideoError) in
                try Storyboard.make(buffer, duration: item.result.video?.duration, maxPixels: maxPixels)
            })
        } catch {
            return .failure(.unreadable("no storyboard: \((error as? VideoError)?.message ?? "\(error)")"))
        }
    }

    /// The item's bytes for a picture, or why they cannot be read.
    private func readBack(_ item: StoredItem) -> Result<[UInt8], Failure> {
        do {
            return .success(try contents(of: item))
        } catch {
            return .failure(.unreadable("\(error)"))
        }
    }

    /// The item's bytes (for `o`: the viewer is given a private copy, never the evidence).
    public func contents(of item: StoredItem) throws -> [UInt8] {
        try locator.contents(of: item.result.path, source: item.source, sha256: item.result.digests?.sha256, limit: Self.maxBytes)
    }

    private func load(_ item: StoredItem) -> Result<Raster, Failure> {
        let mime = item.result.mime ?? "application/octet-stream"
        guard let decoder = ImageDecoders.decoder(forMIME: mime) else { return .failure(.noDecoder(mime)) }
        let bytes: [UInt8]
        switch readBack(item) {
        case .success(let read): bytes = read
        case .failure(let failure): return .failure(failure)
        }
        do {
            // JPEGs decode at a reduced DCT scale when they are far larger than a screen.
            let image = try bytes.withUnsafeBytes { buffer in
                try decoder.decode(buffer, options: DecodeOptions(maxPixels: maxPixels, jpegMinimumShortSide: Self.maxSide / 2))
            }
            var raster = Raster(image)
            if max(raster.width, raster.height) > Self.maxSide {
                let size = raster.fitting(width: Self.maxSide, height: Self.maxSide)
                raster = raster.resized(width: size.width, height: size.height)
            }
            return .success(raster)
        } catch {
            return .failure(.unreadable((error as? DecodeError)?.message ?? "\(error)"))
        }
    }
}
