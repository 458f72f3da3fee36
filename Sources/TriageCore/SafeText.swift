import Foundation

/// Turns untrusted names (file names, archive entries, hash-set fields) into text that is safe
/// in each output medium (DESIGN.md rule 5: file names are data, never code).
///
/// `display` is the one printable form, and it is reversible: valid UTF-8 passes through, except
/// that control characters, format characters (bidirectional controls, zero-width marks, tags),
/// line and paragraph separators, private-use and unassigned scalars and invalid bytes are
/// written as `\xNN` or `\u{N…}` escapes, and the backslash itself as `\\`. Each medium then escapes `display` for its syntax.
public enum SafeText {
    /// The printable, reversible form of a byte string.
    public static func display<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let bytes = Array(bytes)
        var out = ""
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = decodeScalar(bytes, at: index) {
                append(scalar, to: &out)
                index += length
            } else {
                out += "\\x" + hex2(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// `display` of a string from an untrusted source (an exhibit reference, a hash-set field).
    public static func display(_ text: String) -> String { display(Array(text.utf8)) }

    /// One well-formed UTF-8 scalar at `index` (no overlongs, no surrogates), or nil.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        var minimum: UInt32
        switch lead {
        case 0x00...0x7f: return (Unicode.Scalar(lead), 1)
        case 0xc2...0xdf: length = 2; value = UInt32(lead & 0x1f); minimum = 0x80
        case 0xe0...0xef: length = 3; value = UInt32(lead & 0x0f); minimum = 0x800
        case 0xf0...0xf4: length = 4; value = UInt32(lead & 0x07); minimum = 0x10000
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xc0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3f)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// For a terminal: the display form (no escape sequence can reach the terminal).
    public static func terminal(_ bytes: [UInt8]) -> String { display(bytes) }

    /// A CSV cell (RFC 4180), with formula injection defused: a cell that a spreadsheet would
    /// evaluate (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`.
    public static func csvCell(_ text: String) -> String {
        var cell = text
        if let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            cell = "'" + cell
        }
        let needsQuotes = cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "'" })
        guard needsQuotes else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// HTML text or attribute content.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        let value = scalar.value
        let isControl = value < 0x20 || (0x7f...0x9f).contains(value)
        // Format characters (bidirectional controls, zero-width marks, tags), line and
        // paragraph separators, private-use and unassigned scalars: invisible or able to
        // reorder or split what a reader sees.
        let isBidiOrInvisible: Bool
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate: isBidiOrInvisible = true
        default: isBidiOrInvisible = false
        }
        if scalar == "\\" {
            out += "\\\\"
        } else if isControl && value < 0x80 {
            out += "\\x" + hex2(UInt8(value))
        } else if isControl || isBidiOrInvisible {
            out += "\\u{" + String(value, radix: 16) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }

    private static func hex2(_ byte: UInt8) -> String {
        Hex.encode([byte])
    }
}

