import Imaging

/// iTerm2's inline images (`ESC ] 1337 ; File=…`): the picture is sent as a JPEG file, sized
/// in cells (the terminal scales it).
public struct ITermRenderer: PictureRenderer {
    public var throughTmux: Bool

    public init(throughTmux: Bool = false) { self.throughTmux = throughTmux }


    public func render(_ raster: Raster, in area: CellArea) -> [UInt8] {
        guard let jpeg = JPEGEncoder.encode(rgb: raster.pixels, width: raster.width, height: raster.height) else { return [] }
        let full = raster.fitting(width: area.columns * area.cellWidth, height: area.rows * area.cellHeight)
        let cells = placement(width: full.width, height: full.height, in: area)
        var sequence = Array("\u{1B}]1337;File=inline=1;size=\(jpeg.count);width=\(cells.columns);height=\(cells.rows);preserveAspectRatio=1:".utf8)
        sequence += Escape.base64(jpeg)
        sequence.append(0x07)
        return Escape.moveTo(row: cells.row, column: cells.column) + (throughTmux ? Escape.tmuxPassthrough(sequence) : sequence)
    }
}
