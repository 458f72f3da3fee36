/// Lower-case hexadecimal, the one spelling of digests in every output.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes upper- or lower-case hex; nil on an odd length or any other character.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    /// Decodes hex given as ASCII bytes (no String needed on bulk paths such as imports).
    /// Inlinable, so that an import's parser gets it specialised for its own byte collection.
    @inlinable
    public static func decode<Bytes: RandomAccessCollection>(bytes utf8: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        guard utf8.count % 2 == 0 else { return nil }
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: utf8.count / 2) { buffer, initialized in
            var index = utf8.startIndex
            for position in 0..<buffer.count {
                let high = nibble(utf8[index])
                index = utf8.index(after: index)
                let low = nibble(utf8[index])
                index = utf8.index(after: index)
                guard high | low < 16 else { valid = false; return }
                buffer[position] = high << 4 | low
                initialized = position + 1
            }
        }
        return valid ? out : nil
    }

    /// The value of one hex digit (either case), or 0xFF for any other byte.
    @inlinable
    static func nibble(_ c: UInt8) -> UInt8 {
        let digit = c &- UInt8(ascii: "0")
        if digit < 10 { return digit }
        let letter = (c | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter + 10 : 0xFF
    }
}
