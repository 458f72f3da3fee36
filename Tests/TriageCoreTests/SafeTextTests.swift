import Testing
import TriageCore

@Suite struct SafeTextTests {
    @Test func plainUTF8PassesThrough() {
        #expect(SafeText.display(Array("DCIM/Été 2019/ñ.jpg".utf8)) == "DCIM/Été 2019/ñ.jpg")
    }

    @Test func invalidUTF8IsEscapedByteForByte() {
        #expect(SafeText.display([0x61, 0xff, 0xfe, 0x62]) == "a\\xff\\xfeb")
        // An overlong encoding of "/" and a lone continuation byte are not UTF-8.
        #expect(SafeText.display([0xc0, 0xaf, 0x80]) == "\\xc0\\xaf\\x80")
        // A truncated multi-byte sequence at the end.
        #expect(SafeText.display([0x41, 0xe2, 0x82]) == "A\\xe2\\x82")
    }

    @Test func terminalEscapesAndNewlinesAreNeutralised() {
        let name = Array("evil\u{1b}[31mred\nline\u{7}.jpg".utf8)
        let shown = SafeText.terminal(name)
        #expect(!shown.utf8.contains(0x1b))
        #expect(!shown.contains("\n"))
        #expect(shown == "evil\\x1b[31mred\\x0aline\\x07.jpg")
    }

    @Test func c1ControlsAndBidiOverridesAreEscaped() {
        #expect(SafeText.display(Array("a\u{9b}b".utf8)) == "a\\u{9b}b")
        #expect(SafeText.display(Array("photo\u{202e}gpj.exe".utf8)) == "photo\\u{202e}gpj.exe")
    }

    @Test func separatorsAndInvisibleFormatCharactersAreEscaped() {
        #expect(SafeText.display(Array("a\u{2028}b\u{2029}c".utf8)) == "a\\u{2028}b\\u{2029}c")
        #expect(SafeText.display(Array("x\u{061c}y\u{2060}z\u{e0041}".utf8)) == "x\\u{61c}y\\u{2060}z\\u{e0041}")
        #expect(SafeText.display(Array("emoji 🙂 and ünïcode".utf8)) == "emoji 🙂 and ünïcode")
    }

    @Test func backslashIsEscapedSoTheFormIsReversible() {
        #expect(SafeText.display(Array("a\\x41".utf8)) == "a\\\\x41")
    }

    @Test func csvFormulaCellsAreDefused() {
        #expect(SafeText.csvCell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(SafeText.csvCell("+1") == "\"'+1\"")
        #expect(SafeText.csvCell("-1") == "\"'-1\"")
        #expect(SafeText.csvCell("@SUM(A1)") == "\"'@SUM(A1)\"")
        #expect(SafeText.csvCell("plain.jpg") == "plain.jpg")
        #expect(SafeText.csvCell("a,b") == "\"a,b\"")
    }

    @Test func htmlIsEscaped() {
        #expect(SafeText.html("<script>alert('x')</script>&") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;")
    }
}

@Suite struct ForensicPathTests {
    @Test func embeddedStreamsFollowABareBang() {
        let photo = ForensicPath(relativePath: Array("DCIM/a.zip".utf8)).appending(member: Array("x/photo.jpg".utf8))
        let thumbnail = photo.appending(embedded: Array("exif-thumbnail".utf8))
        #expect(thumbnail.display == "DCIM/a.zip!/x/photo.jpg!exif-thumbnail")
        #expect(thumbnail.depth == 2)
        #expect(ForensicPath(storedBytes: thumbnail.bytes) == thumbnail)
        // Only the registered names are embedded streams; any other `!` is part of a name.
        let odd = ForensicPath(storedBytes: Array("a!b.jpg".utf8))
        #expect(odd.depth == 0)
        // A member that is named like the marker stays a member.
        let member = ForensicPath(relativePath: Array("a.zip".utf8)).appending(member: Array("!exif-thumbnail".utf8))
        #expect(member.display == "a.zip!/!exif-thumbnail")
        #expect(!member.isEmbedded && thumbnail.isEmbedded)
        #expect(thumbnail.fileName == Array("exif-thumbnail".utf8))
    }

    @Test func containerChainRoundTrips() {
        let path = ForensicPath(relativePath: Array("DCIM/backup.zip".utf8))
            .appending(member: Array("2019/b.tar.gz".utf8)).appending(member: Array("x.jpg".utf8))
        #expect(path.display == "DCIM/backup.zip!/2019/b.tar.gz!/x.jpg")
        #expect(path.depth == 2)
        #expect(ForensicPath(storedBytes: path.bytes) == path)
    }

    @Test func extensionIsLowerCasedAndOptional() {
        #expect(ForensicPath(relativePath: Array("a/IMG.JPG".utf8)).fileExtension == "jpg")
        #expect(ForensicPath(relativePath: Array("a/README".utf8)).fileExtension == nil)
        #expect(ForensicPath(relativePath: Array("a/.hidden".utf8)).fileExtension == nil)
        #expect(ForensicPath(relativePath: Array("a.b/file".utf8)).fileExtension == nil)
    }

    @Test func rawBytesSurvive() {
        let bytes: [UInt8] = [0x66, 0xff, 0x2f, 0x80, 0x2e, 0x6a, 0x70, 0x67]
        #expect(ForensicPath(storedBytes: ForensicPath(relativePath: bytes).bytes).bytes == bytes)
    }
}

@Suite struct HexTests {
    @Test func roundTripAndCase() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite struct ResolutionTests {
    let a = KnownMatch(category: .a, basis: .exact, hashType: .md5, source: "s1")
    let c = KnownMatch(category: .c, basis: .exact, hashType: .sha1, source: "s2")

    @Test func agreeingMatchesCategorise() {
        #expect(Resolution.resolve(matches: [a, a], decision: nil) == Resolution(category: .a, basis: .exact))
    }

    @Test func conflictingMatchesStayPending() {
        let resolution = Resolution.resolve(matches: [a, c], decision: nil)
        #expect(resolution.isPending)
        #expect(resolution.conflict)
    }

    @Test func examinerDecisionWins() {
        #expect(Resolution.resolve(matches: [a], decision: .n) == Resolution(category: .n, basis: .examiner))
        #expect(Resolution.resolve(matches: [], decision: .b).basis == .examiner)
    }

    @Test func nothingIsPending() {
        #expect(Resolution.resolve(matches: [], decision: nil) == .pending)
    }

    @Test func severityOrder() {
        #expect(Category.a > Category.b && Category.b > Category.c && Category.c > Category.n)
        #expect(Category(letter: " b ") == .b)
        #expect(Category(letter: "D") == nil)
    }
}

@Suite struct UTCClockTests {
    @Test func fileTimesPrintExactlyInUTC() {
        #expect(UTCClock.string(nanoseconds: 0) == "1970-01-01T00:00:00.000000000Z")
        #expect(UTCClock.string(nanoseconds: 1_577_836_800_000_000_001) == "2020-01-01T00:00:00.000000001Z")
        #expect(UTCClock.string(nanoseconds: -1) == "1969-12-31T23:59:59.999999999Z")
    }
}
