/// The kitty graphics protocol: raw RGB sent base64 in 4096-byte chunks, placed over the
/// area's cells (the terminal scales it). One image id is reused, so each item replaces the last.
public struct KittyRenderer: PictureRenderer {
    /// Wrap every sequence for tmux's passthrough (only when the examiner forced kitty under tmux).
    public var throughTmux: Bool

    public init(throughTmux: Bool = false) { self.throughTmux = throughTmux }


    public func render(_ raster: Raster, in area: CellArea) -> [UInt8] {
        let cells = displayCells(raster, in: area)
        var out = Escape.moveTo(row: cells.row, column: cells.column)
        let data = Escape.base64(raster.pixels)
        out.reserveCapacity(out.count + data.count + data.count / 4096 * 32 + 128)
        var offset = 0
        repeat {
            let end = min(offset + 4096, data.count)
            let more = end < data.count ? 1 : 0
            let control = offset == 0
                ? "a=T,f=24,s=\(raster.width),v=\(raster.height),c=\(cells.columns),r=\(cells.rows),i=1,q=2,C=1,m=\(more)"
                : "m=\(more)"
            if throughTmux {
                out += wrap(Array("\u{1B}_G\(control);".utf8) + data[offset..<end] + Array("\u{1B}\\".utf8))
            } else {
                out += Array("\u{1B}_G\(control);".utf8)
                out += data[offset..<end]
                out += [Escape.esc, UInt8(ascii: "\\")]
            }
            offset = end
        } while offset < data.count
        return out
    }

    public var clear: [UInt8] { wrap(Array("\u{1B}_Ga=d,d=A,q=2\u{1B}\\".utf8)) }

    /// The cells the picture covers: a small (blurred) raster is stretched to fill the area
    /// as a full-size one would, keeping its aspect ratio.
    private func displayCells(_ raster: Raster, in area: CellArea) -> (column: Int, row: Int, columns: Int, rows: Int) {
        let full = raster.fitting(width: area.columns * area.cellWidth, height: area.rows * area.cellHeight)
        return placement(width: full.width, height: full.height, in: area)
    }

    private func wrap(_ sequence: [UInt8]) -> [UInt8] { throughTmux ? Escape.tmuxPassthrough(sequence) : sequence }
}
