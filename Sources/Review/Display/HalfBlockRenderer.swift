/// Two pixels per character cell: `▀` with the upper pixel as foreground colour and the lower
/// as background. Works in every terminal with colour, including inside tmux and screen.
public struct HalfBlockRenderer: PictureRenderer {
    /// 24-bit colour (`ESC[38;2;r;g;bm`), else the 256-colour palette.
    public var trueColour: Bool

    public init(trueColour: Bool) { self.trueColour = trueColour }

    public func pixelSize(of area: CellArea) -> (width: Int, height: Int) { (area.columns, area.rows * 2) }

    public func render(_ raster: Raster, in area: CellArea) -> [UInt8] {
        let rows = (raster.height + 1) / 2
        let firstColumn = area.column + (area.columns - raster.width) / 2
        let firstRow = area.row + (area.rows - rows) / 2
        var out = [UInt8]()
        out.reserveCapacity(raster.width * rows * (trueColour ? 40 : 24))
        let upperHalf = Array("▀".utf8)
        for row in 0..<rows {
            out += Escape.moveTo(row: firstRow + row, column: firstColumn)
            var lastForeground = -1, lastBackground = -1
            for x in 0..<raster.width {
                let top = colour(raster, x, row * 2)
                let bottom = row * 2 + 1 < raster.height ? colour(raster, x, row * 2 + 1) : 0
                if top != lastForeground { out += sequence(38, top); lastForeground = top }
                if bottom != lastBackground { out += sequence(48, bottom); lastBackground = bottom }
                out += upperHalf
            }
            out += Escape.reset
        }
        return out
    }

    /// A pixel as 0xRRGGBB, or as a palette index in 256-colour mode.
    private func colour(_ raster: Raster, _ x: Int, _ y: Int) -> Int {
        let offset = (y * raster.width + x) * 3
        let (r, g, b) = (Int(raster.pixels[offset]), Int(raster.pixels[offset + 1]), Int(raster.pixels[offset + 2]))
        return trueColour ? r << 16 | g << 8 | b : Self.paletteIndex(r, g, b)
    }

    private func sequence(_ layer: Int, _ colour: Int) -> [UInt8] {
        trueColour
            ? Array("\u{1B}[\(layer);2;\(colour >> 16);\(colour >> 8 & 255);\(colour & 255)m".utf8)
            : Array("\u{1B}[\(layer);5;\(colour)m".utf8)
    }

    /// The nearest of xterm's 6x6x6 colour cube (16–231) and 24-step grey ramp (232–255).
    static func paletteIndex(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func nearestLevel(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let (cr, cg, cb) = (nearestLevel(r), nearestLevel(g), nearestLevel(b))
        let cube = 16 + 36 * cr + 6 * cg + cb
        let cubeDistance = sq(levels[cr] - r) + sq(levels[cg] - g) + sq(levels[cb] - b)
        let grey = (r + g + b) / 3
        let step = grey > 238 ? 23 : max(0, (grey - 3) / 10)
        let greyLevel = 8 + 10 * step
        let greyDistance = sq(greyLevel - r) + sq(greyLevel - g) + sq(greyLevel - b)
        return greyDistance < cubeDistance ? 232 + step : cube
    }

    private static func sq(_ v: Int) -> Int { v * v }
}
