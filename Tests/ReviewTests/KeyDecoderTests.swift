import Review
import Testing
import TriageCore

@Suite struct KeyDecoderTests {
    @Test func lettersArrowsAndControlKeys() {
        var decoder = KeyDecoder()
        #expect(decoder.decode(Array("abcnsu gxd?oq".utf8)) == [
            .categorise(.a), .categorise(.b), .categorise(.c), .categorise(.n), .skip, .undo, .reveal, .toggleGrey, .split,
            .details, .help, .open, .quit,
        ])
        #expect(decoder.decode([0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44, 0x1B, 0x4F, 0x43, 0x03, 0x0C]) == [.next, .previous, .next, .quit, .redraw])
    }

    @Test func aSequenceSplitAcrossReadsIsCompletedAndUnknownOnesIgnored() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]) == [])
        #expect(decoder.decode([0x5B]) == [])
        #expect(decoder.decode([0x43, UInt8(ascii: "a")]) == [.next, .categorise(.a)])
        // F5 (ESC [ 1 5 ~), a mouse report's worth of digits, and stray bytes do nothing.
        #expect(decoder.decode(Array("\u{1B}[15~zZ1".utf8)) == [])
        #expect(decoder.decode([0x1B]) == [])
        decoder.flush()
        #expect(decoder.decode(Array("b".utf8)) == [.categorise(.b)])
    }
}

@Suite struct ProfileKeyTests {
    @Test func projectVICCasesCategoriseWithTheirDigits() throws {
        var decoder = KeyDecoder(profile: try #require(CategoryProfile.named("us")))
        #expect(decoder.decode(Array("1230as".utf8)) == [.categorise(.a), .categorise(.b), .categorise(.c), .categorise(.n), .skip])
        var uk = KeyDecoder()
        #expect(uk.decode(Array("1a".utf8)) == [.categorise(.a)])
    }
}
