import Imaging
import TriageCore

/// A video for the review screen: up to 20 frames spread evenly over it, in a grid of 5
/// columns read row by row, each with its time. It is shown like a still (blurred and grey until
/// revealed); the examiner picks a tile to mark the start or end of a segment.
public struct Storyboard: Sendable, Equatable {
    public var raster: Raster
    /// Microseconds from the start of the video of each tile, row by row.
    public var times: [Int64]
    public var columns: Int
    public var rows: Int
    /// Microseconds: the stated duration, else just after the last tile.
    public var duration: Int64

    public static let maximumTiles = 20
    public static let maximumColumns = 5
    /// Width of one tile in the raster: the whole grid stays within `PreviewLoader.maxSide`.
    static let tileWidth = 400
    /// Pixels of black between tiles.
    static let gap = 4

    /// The storyboard of a video held in memory.
    public static func make(_ bytes: UnsafeRawBufferPointer, duration: Double?,
                            maxPixels: Int = DecodeOptions.defaultMaxPixels) throws(VideoError) -> Storyboard {
        // One sample every duration / 20 (or one a second when the duration is unknown).
        let rate = duration.map { $0 > 0 ? Double(maximumTiles) / $0 : 1 } ?? 1
        let reader = try VideoReader(bytes: bytes, options: VideoOptions(framesPerSecond: rate, sceneThreshold: 0, maxFrames: maximumTiles,
                                                                         maxPixels: maxPixels, timeLimit: 60, colour: true))
        // Each frame is shrunk to its tile as it arrives: only tiles are kept, never 20 full frames.
        var frames: [(tile: Raster, time: Int64)] = []
        while let sample = try reader.next() {
            let frame = Raster(sample.image)
            let fitted = frame.fitting(width: tileWidth, height: tileWidth)
            frames.append((frame.resized(width: fitted.width, height: fitted.height), sample.microseconds))
        }
        guard let first = frames.first?.tile else { throw .failed("FFmpeg decoded no frame to show") }
        let columns = min(maximumColumns, frames.count)
        let rows = (frames.count + columns - 1) / columns
        // The first frame's shape, within a square: a frame 1 pixel wide cannot make a tall grid.
        let tileHeight = max(1, min(tileWidth, tileWidth * first.height / max(first.width, 1)))
        let width = columns * tileWidth + (columns - 1) * gap
        let height = rows * tileHeight + (rows - 1) * gap
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for (index, (frame, _)) in frames.enumerated() {
            let fitted = frame.fitting(width: tileWidth, height: tileHeight)
            let tile = frame.resized(width: fitted.width, height: fitted.height)
            let left = (index % columns) * (tileWidth + gap) + (tileWidth - tile.width) / 2
            let top = (index / columns) * (tileHeight + gap) + (tileHeight - tile.height) / 2
            for y in 0..<tile.height {
                let source = y * tile.width * 3
                let target = ((top + y) * width + left) * 3
                pixels.replaceSubrange(target..<target + tile.width * 3, with: tile.pixels[source..<source + tile.width * 3])
            }
        }
        let end = duration.map { VideoFrameHash.microseconds(seconds: $0) } ?? (frames.last!.time + 1_000_000)
        return Storyboard(raster: Raster(width: width, height: height, pixels: pixels), times: frames.map(\.time),
                          columns: columns, rows: rows, duration: max(end, frames.last!.time))
    }

    /// Where tile `index` lies in a picture of `width` x `height` showing this storyboard.
    public func tileFrame(_ index: Int, width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        let column = index % columns, row = index / columns
        let x0 = column * width / columns, x1 = (column + 1) * width / columns
        let y0 = row * height / rows, y1 = (row + 1) * height / rows
        return (x0, y0, x1 - x0, y1 - y0)
    }

    /// A frame drawn around tile `index` (the examiner's cursor), on a picture of the storyboard
    /// as composed for the screen (blurred or not: the frame itself stays sharp).
    public func markingTile(_ index: Int, on picture: Raster) -> Raster {
        guard times.indices.contains(index) else { return picture }
        var marked = picture
        let tile = tileFrame(index, width: picture.width, height: picture.height)
        let thickness = max(2, min(tile.width, tile.height) / 40)
        for y in tile.y..<min(tile.y + tile.height, picture.height) {
            for x in tile.x..<min(tile.x + tile.width, picture.width) {
                let edge = y - tile.y < thickness || tile.y + tile.height - 1 - y < thickness
                    || x - tile.x < thickness || tile.x + tile.width - 1 - x < thickness
                guard edge else { continue }
                let offset = (y * picture.width + x) * 3
                marked.pixels[offset] = 255; marked.pixels[offset + 1] = 200; marked.pixels[offset + 2] = 0
            }
        }
        return marked
    }

    /// The end of the segment a tile closes: the next tile's time, or the end of the video.
    public func end(ofTile index: Int) -> Int64 {
        times.indices.contains(index + 1) ? times[index + 1] : duration
    }
}
