/// How pictures reach the terminal (`--display`).
public enum DisplayMode: String, Sendable, CaseIterable {
    /// The kitty graphics protocol (kitty, WezTerm, Ghostty, Konsole).
    case kitty
    /// iTerm2's inline images (iTerm2, WezTerm, mintty).
    case iterm
    /// DEC sixel graphics (xterm -ti vt340, foot, mlterm, Windows Terminal), encoded by libsixel.
    case sixel
    /// Unicode upper-half blocks, two pixels per cell, in 24-bit or 256 colours: every terminal.
    case blocks
    /// No picture: metadata only, and `o` opens the item in `$TRIAGE_VIEWER`.
    case none
}

/// A rectangle of character cells, 1-based as the terminal counts them.
public struct CellArea: Sendable, Equatable {
    public var column: Int
    public var row: Int
    public var columns: Int
    public var rows: Int
    /// One cell's size in pixels (from the terminal, else a common 10x20).
    public var cellWidth: Int
    public var cellHeight: Int

    public init(column: Int, row: Int, columns: Int, rows: Int, cellWidth: Int = 10, cellHeight: Int = 20) {
        self.column = column
        self.row = row
        self.columns = columns
        self.rows = rows
        self.cellWidth = max(1, cellWidth)
        self.cellHeight = max(1, cellHeight)
    }
}

/// Turns a raster into the bytes that draw it inside an area of the screen.
public protocol PictureRenderer {
    /// The pixel size a picture for `area` should have (the renderer's own resolution; by
    /// default the area's size in pixels).
    func pixelSize(of area: CellArea) -> (width: Int, height: Int)
    /// Bytes that draw `raster` (already fitted to `pixelSize`) centred in `area`; the area
    /// was cleared before.
    func render(_ raster: Raster, in area: CellArea) -> [UInt8]
    /// Bytes that remove pictures this renderer left on the screen (none for text cells).
    var clear: [UInt8] { get }
}

extension PictureRenderer {
    public var clear: [UInt8] { [] }

    public func pixelSize(of area: CellArea) -> (width: Int, height: Int) {
        (area.columns * area.cellWidth, area.rows * area.cellHeight)
    }

    /// The cells a picture of `width` x `height` pixels covers at the area's cell size,
    /// centred: (first column, first row, columns, rows).
    func placement(width: Int, height: Int, in area: CellArea) -> (column: Int, row: Int, columns: Int, rows: Int) {
        let columns = min(area.columns, max(1, (width + area.cellWidth - 1) / area.cellWidth))
        let rows = min(area.rows, max(1, (height + area.cellHeight - 1) / area.cellHeight))
        return (area.column + (area.columns - columns) / 2, area.row + (area.rows - rows) / 2, columns, rows)
    }
}

/// Terminal escape sequences used by every renderer and by the screen.
enum Escape {
    static let esc: UInt8 = 0x1B
    static func moveTo(row: Int, column: Int) -> [UInt8] { Array("\u{1B}[\(row);\(column)H".utf8) }
    static let reset = Array("\u{1B}[0m".utf8)

    /// A sequence wrapped for tmux's passthrough (`allow-passthrough on`): inside `ESC Ptmux;`
    /// … `ESC \`, every ESC doubled.
    static func tmuxPassthrough(_ sequence: [UInt8]) -> [UInt8] {
        var wrapped = Array("\u{1B}Ptmux;".utf8)
        wrapped.reserveCapacity(sequence.count + 16)
        for byte in sequence {
            if byte == esc { wrapped.append(esc) }
            wrapped.append(byte)
        }
        return wrapped + [esc, UInt8(ascii: "\\")]
    }

    /// Standard base64 with padding. Written with raw buffers: a revealed picture for kitty
    /// is several megabytes, and this runs on every key press.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let length = (bytes.count + 2) / 3 * 4
        return [UInt8](unsafeUninitializedCapacity: length) { out, count in
            bytes.withUnsafeBufferPointer { input in
                table.withUnsafeBufferPointer { table in
                    var i = 0, o = 0
                    while i + 2 < input.count {
                        let value = Int(input[i]) << 16 | Int(input[i + 1]) << 8 | Int(input[i + 2])
                        out[o] = table[value >> 18]; out[o + 1] = table[value >> 12 & 63]
                        out[o + 2] = table[value >> 6 & 63]; out[o + 3] = table[value & 63]
                        i += 3; o += 4
                    }
                    let rest = input.count - i
                    if rest > 0 {
                        let value = Int(input[i]) << 16 | (rest == 2 ? Int(input[i + 1]) << 8 : 0)
                        out[o] = table[value >> 18]; out[o + 1] = table[value >> 12 & 63]
                        out[o + 2] = rest == 2 ? table[value >> 6 & 63] : UInt8(ascii: "="); out[o + 3] = UInt8(ascii: "=")
                    }
                }
            }
            count = length
        }
    }
}
