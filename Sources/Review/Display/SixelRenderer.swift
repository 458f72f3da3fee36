import CTerminal

/// DEC sixel graphics, encoded by libsixel (256-colour dither; loaded on first use, see
/// `sixel_encoder.h`). Sixel pixels are not scaled by the terminal, so the raster is sent at
/// the area's pixel size.
public struct SixelRenderer: PictureRenderer {
    public init() {}


    public func render(_ raster: Raster, in area: CellArea) -> [UInt8] {
        let full = raster.fitting(width: area.columns * area.cellWidth, height: area.rows * area.cellHeight)
        let picture = raster.width == full.width ? raster : raster.resized(width: full.width, height: full.height)
        let cells = placement(width: picture.width, height: picture.height, in: area)
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        var message = [CChar](repeating: 0, count: 256)
        let status = sixel_encode_rgb(picture.pixels, Int32(picture.width), Int32(picture.height), { data, size, context in
            guard let data, let context else { return }
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            data.withMemoryRebound(to: UInt8.self, capacity: size) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: size)) }
        }, Unmanaged.passUnretained(sink).toOpaque(), &message, message.count)
        guard status == 0 else { return [] }
        return Escape.moveTo(row: cells.row, column: cells.column) + sink.bytes
    }
}
