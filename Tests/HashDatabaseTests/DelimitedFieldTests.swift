@testable import HashDatabase
import Testing

/// The delimited-text splitter (NSRL, HashKeeper, ICSE, CSV): RFC 4180 quoting, with a quote
/// opening quoting only at a field's start.
@Suite struct DelimitedFieldTests {
    @Test(arguments: [
        (#""a","b",c"#, ["a", "b", "c"]),
        (#""a,b",c"#, ["a,b", "c"]),
        (#""say ""hi""",x"#, [#"say "hi""#, "x"]),
        (#""",,"""#, ["", "", ""]),
        (#"""x"y""#, [#"x"y""#]),
        (#""""b""#, [#""b"#]),
        (#"ab"c,d""#, [#"ab"c"#, #"d""#]),
        (#""x"y,z"#, ["xy", "z"]),
        (#""unclosed,still"#, ["unclosed,still"]),
        (",,", ["", "", ""]),
        ("", [""]),
    ])
    func splitsLikeRFC4180(line: String, fields: [String]) {
        #expect(CSVHashSetFormat.split(Array(line.utf8), by: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) } == fields)
    }
}
