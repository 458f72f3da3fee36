import Foundation
import Imaging
import Review
import Testing
import TriageTestSupport

/// A small synthetic picture: red rises to the right, green downwards, blue fixed.
func gradient(width: Int, height: Int) -> Raster {
    var pixels: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width { pixels += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), 128] }
    }
    return Raster(width: width, height: height, pixels: pixels)
}

/// Escape sequences made readable: ESC as `\e`, a new line at each cursor move.
func visible(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{1B}", with: "\\e")
    return text.replacingOccurrences(of: #"\\e\[\d+;\d+H"#, with: "\n$0", options: .regularExpression)
}

@Suite struct DisplayTests {
    @Test func halfBlocksMatchTheCheckedInScreen() throws {
        let area = CellArea(column: 3, row: 2, columns: 8, rows: 3)
        let screen = "24-bit:\n" + visible(HalfBlockRenderer(trueColour: true).render(gradient(width: 8, height: 6), in: area))
            + "\n256 colours:\n" + visible(HalfBlockRenderer(trueColour: false).render(gradient(width: 8, height: 6), in: area)) + "\n"
        let path = TestPaths.fixtures + "/expected/review-halfblocks.txt"
        if ProcessInfo.processInfo.environment["TRIAGE_UPDATE_EXPECTED"] == "1" {
            try screen.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(screen == String(decoding: TestPaths.bytes(path), as: UTF8.self))
        // Hand-checked: the first cell is pixel (0,0) over pixel (0,1), at row 2, column 3.
        #expect(screen.contains("\\e[2;3H\\e[38;2;0;0;128m\\e[48;2;0;51;128m▀"))
    }

    @Test func halfBlocksCentreAPictureSmallerThanTheArea() {
        let bytes = HalfBlockRenderer(trueColour: true).render(gradient(width: 4, height: 2), in: CellArea(column: 1, row: 1, columns: 10, rows: 5))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("\u{1B}[3;4H"))
        #expect(String(decoding: bytes, as: UTF8.self).components(separatedBy: "▀").count - 1 == 4)
    }

    @Test func paletteIndexUsesTheCubeAndTheGreyRamp() {
        let renderer = HalfBlockRenderer(trueColour: false)
        let black = Raster(width: 1, height: 2, pixels: [0, 0, 0, 255, 0, 0])
        #expect(String(decoding: renderer.render(black, in: CellArea(column: 1, row: 1, columns: 1, rows: 1)), as: UTF8.self)
            .contains("\u{1B}[38;5;16m\u{1B}[48;5;196m"))
        let grey = Raster(width: 1, height: 2, pixels: [128, 128, 128, 128, 128, 128])
        #expect(String(decoding: renderer.render(grey, in: CellArea(column: 1, row: 1, columns: 1, rows: 1)), as: UTF8.self).contains("38;5;244m"))
    }

    @Test func kittySendsRawRGBInChunksWithOnePlacement() {
        let picture = gradient(width: 64, height: 48)  // 9216 bytes: 12288 base64 bytes, three chunks
        let bytes = String(decoding: KittyRenderer().render(picture, in: CellArea(column: 1, row: 2, columns: 40, rows: 10)), as: UTF8.self)
        let chunks = bytes.components(separatedBy: "\u{1B}_G").dropFirst()
        #expect(chunks.count == 3)
        #expect(chunks.first!.hasPrefix("a=T,f=24,s=64,v=48,"))
        #expect(chunks.first!.contains("m=1;") && chunks.last!.hasPrefix("m=0;"))
        // The picture keeps its 4:3 shape: the area is 400x200 pixels (10x20 cells), so 267x200 → 27 columns, 10 rows, centred.
        #expect(chunks.first!.contains("c=27,r=10,"))
        #expect(bytes.hasPrefix("\u{1B}[2;7H"))
        let payload = chunks.map { $0[$0.index(after: $0.firstIndex(of: ";")!)...].dropLast(2) }.joined()
        #expect(Data(base64Encoded: String(payload)).map(Array.init) == picture.pixels)
    }

    @Test func underTmuxGraphicsAreWrappedForPassthrough() {
        let bytes = KittyRenderer(throughTmux: true).clear
        #expect(bytes == Array("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=d,d=A,q=2\u{1B}\u{1B}\\\u{1B}\\".utf8))
    }

    @Test func iTermGetsAJPEGFile() throws {
        let bytes = ITermRenderer().render(gradient(width: 32, height: 32), in: CellArea(column: 1, row: 1, columns: 20, rows: 10))
        let text = String(decoding: bytes, as: UTF8.self)
        let start = try #require(text.range(of: "preserveAspectRatio=1:"))
        let jpeg = try #require(Data(base64Encoded: String(text[start.upperBound...].dropLast())))
        #expect(Array(jpeg.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect(text.contains("width=20;height=10;") && bytes.last == 0x07)
    }

    @Test func sixelIsADeviceControlString() {
        let bytes = SixelRenderer().render(gradient(width: 20, height: 12), in: CellArea(column: 1, row: 1, columns: 2, rows: 1))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\u{1B}P") && text.contains("q"), "libsixel output: \(text.prefix(40))")
        #expect(text.hasSuffix("\u{1B}\\"))
    }

    @Test func resizeAveragesBlurKeepsFlatAreasAndGreyIsLuma() {
        let picture = gradient(width: 8, height: 6)
        let half = picture.resized(width: 4, height: 3)
        // Each output pixel is the mean of a 2x2 block: red of the first is (0 + 36) / 2.
        #expect(Array(half.pixels.prefix(3)) == [18, 25, 128])
        let flat = Raster(width: 5, height: 5, pixels: [UInt8](repeating: 77, count: 75))
        #expect(flat.blurred(radius: 2) == flat)
        let blurred = picture.blurred(radius: 2)
        #expect(blurred.pixels != picture.pixels && blurred.width == 8)
        #expect(Raster(width: 1, height: 1, pixels: [255, 0, 0]).greyed().pixels == [76, 76, 76])
        let fitted = picture.fitting(width: 100, height: 30)
        #expect(fitted.width == 40 && fitted.height == 30)
    }

    @Test func blurredPicturesAreSmallAndRevealedOnesFullSize() {
        let composer = PictureComposer(blurStrength: 6)
        let area = CellArea(column: 1, row: 1, columns: 100, rows: 40)
        let big = gradient(width: 1600, height: 1200)
        let blurred = composer.compose(big, for: KittyRenderer(), in: area, revealed: false, grey: true)
        #expect(max(blurred.width, blurred.height) <= PictureComposer.blurredSide)
        let allGrey = stride(from: 0, to: blurred.pixels.count, by: 3).allSatisfy { (i: Int) -> Bool in blurred.pixels[i] == blurred.pixels[i + 1] }
        #expect(allGrey)
        let revealed = composer.compose(big, for: KittyRenderer(), in: area, revealed: true, grey: false)
        #expect(revealed.width == 1000 && revealed.height == 750)
    }
}

@Suite struct TerminalProbeTests {
    func choose(_ environment: [String: String], forced: DisplayMode? = nil, answer: String = "") -> TerminalProbe.Choice {
        TerminalProbe.choose(forced: forced, environment: environment) { _, timeout in
            #expect(timeout == 200)
            return Array(answer.utf8)
        }
    }

    @Test func tmuxAndScreenGetHalfBlocksWithoutAsking() {
        let choice = TerminalProbe.choose(forced: nil, environment: ["TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"]) { _, _ in
            Issue.record("must not query the terminal under tmux")
            return []
        }
        #expect(choice.mode == .blocks && !choice.trueColour)
        #expect(choose(["STY": "1.pts", "TERM": "screen", "COLORTERM": "truecolor"]).trueColour)
    }

    @Test func forcedModeWinsAndIsWrappedUnderTmux() {
        let choice = choose(["TMUX": "x"], forced: .kitty)
        #expect(choice.mode == .kitty && choice.throughTmux)
        #expect(!choose([:], forced: .sixel).throughTmux)
    }

    @Test func answersDecideElsewhere() {
        #expect(choose(["TERM": "xterm-256color"], answer: "\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;22c").mode == .kitty)
        #expect(choose(["TERM": "xterm-256color"], answer: "\u{1B}[?63;1;2;4;6;9;15;22c").mode == .sixel)
        #expect(choose(["TERM": "xterm-256color"], answer: "\u{1B}[?62;22c").mode == .blocks)
        #expect(choose(["TERM": "xterm-256color", "COLORTERM": "24bit"]).trueColour)
        #expect(choose(["TERM": "xterm-kitty"]).mode == .kitty)
        #expect(choose(["TERM_PROGRAM": "iTerm.app"]).mode == .iterm)
        #expect(choose(["TERM": "dumb"]).mode == .none)
    }
}
