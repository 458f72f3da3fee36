/// Decoder for Deflate64 ("enhanced deflate", zip method 9), which Windows Explorer and 7-Zip
/// write for large zips and which neither zlib nor Debian's libarchive 3.6 read.
///
/// Deflate64 is deflate (RFC 1951) with a 64 KiB window, length code 285 meaning 3 plus 16
/// extra bits, and distance codes 30 and 31 (14 extra bits). Hand-written because no packaged
/// library decodes it; written after the RFC in the plain style of zlib's `puff.c`, and
/// resumable so that a member of any size streams in constant memory.
final class Deflate64Decoder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Fills a buffer with the next compressed bytes; 0 at the end.
    typealias Input = (UnsafeMutableRawBufferPointer) throws -> Int

    private let input: Input
    private var inputBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var inputCount = 0
    private var inputPosition = 0
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0

    private var window = [UInt8](repeating: 0, count: 1 << 16)
    private var windowPosition = 0
    private var produced = 0

    private enum State {
        case blockHeader
        case stored(remaining: Int)
        case huffman(literals: Huffman, distances: Huffman)
        case finished
    }

    private var state = State.blockHeader
    /// The CRC-32 the zip declares, and the one of the bytes decoded so far.
    private let expectedCRC: UInt32?
    private var crc: UInt32 = 0xFFFF_FFFF
    private var lastBlock = false
    /// A match still being copied when the caller's buffer filled.
    private var pendingLength = 0
    private var pendingDistance = 0

    init(expectedCRC: UInt32? = nil, input: @escaping Input) {
        self.expectedCRC = expectedCRC
        self.input = input
    }

    /// Decodes up to `buffer.count` bytes; 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        func emit(_ byte: UInt8) {
            crc = Self.crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            buffer[filled] = byte
            filled += 1
            window[windowPosition] = byte
            windowPosition = (windowPosition + 1) & 0xFFFF
            produced += 1
        }
        while filled < buffer.count {
            if pendingLength > 0 {
                while pendingLength > 0, filled < buffer.count {
                    emit(window[(windowPosition - pendingDistance) & 0xFFFF])
                    pendingLength -= 1
                }
                continue
            }
            switch state {
            case .finished:
                if filled == 0, let expectedCRC, ~crc != expectedCRC {
                    throw Failure(description: "Deflate64: the decoded data's CRC-32 does not match the zip's (damaged data)")
                }
                return filled
            case .blockHeader:
                if lastBlock {
                    state = .finished
                    continue
                }
                lastBlock = try bits(1) == 1
                switch try bits(2) {
                case 0:
                    bitBuffer = 0  // stored: skip to the byte boundary
                    bitCount = 0
                    let length = try bits(16)
                    guard try bits(16) == ~length & 0xFFFF else { throw Failure(description: "Deflate64: stored block length check failed") }
                    state = .stored(remaining: length)
                case 1: state = .huffman(literals: Self.fixedLiterals, distances: Self.fixedDistances)
                case 2: state = try dynamicTables()
                default: throw Failure(description: "Deflate64: invalid block type")
                }
            case .stored(let remaining):
                if remaining == 0 {
                    state = .blockHeader
                    continue
                }
                emit(UInt8(try bits(8)))
                state = .stored(remaining: remaining - 1)
            case .huffman(let literals, let distances):
                let symbol = try decode(literals)
                if symbol < 256 {
                    emit(UInt8(symbol))
                } else if symbol == 256 {
                    state = .blockHeader
                } else {
                    let index = symbol - 257
                    guard index < Self.lengthBase.count else { throw Failure(description: "Deflate64: invalid length code") }
                    let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
                    let code = try decode(distances)
                    guard code < Self.distanceBase.count else { throw Failure(description: "Deflate64: invalid distance code") }
                    let distance = Self.distanceBase[code] + (try bits(Self.distanceExtra[code]))
                    guard distance <= produced else { throw Failure(description: "Deflate64: distance too far back") }
                    pendingLength = length
                    pendingDistance = distance
                }
            }
        }
        return filled
    }

    // MARK: Bits

    private func bits(_ count: Int) throws -> Int {
        while bitCount < count {
            if inputPosition == inputCount {
                inputCount = try inputBuffer.withUnsafeMutableBytes { try input($0) }
                inputPosition = 0
                guard inputCount > 0 else { throw Failure(description: "Deflate64: the compressed data ends early") }
            }
            bitBuffer |= UInt64(inputBuffer[inputPosition]) << UInt64(bitCount)
            inputPosition += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
        bitBuffer >>= UInt64(count)
        bitCount -= count
        return value
    }

    // MARK: Huffman codes (canonical, as RFC 1951 section 3.2.2)

    struct Huffman {
        /// Codes of each length (index 0 unused), and the symbols ordered by code.
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1...15 {
                left = left << 1 - counts[length]
                guard left >= 0 else { throw Failure(description: "Deflate64: over-subscribed code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private func decode(_ code: Huffman) throws -> Int {
        var value = 0, first = 0, index = 0
        for length in 1...15 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw Failure(description: "Deflate64: invalid Huffman code")
    }

    private func dynamicTables() throws -> State {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286 else { throw Failure(description: "Deflate64: too many length codes") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[Self.codeLengthOrder[index]] = try bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0...15: lengths.append(symbol)
            case 16:
                guard let last = lengths.last else { throw Failure(description: "Deflate64: repeat with no length") }
                lengths += Array(repeating: last, count: 3 + (try bits(2)))
            case 17: lengths += Array(repeating: 0, count: 3 + (try bits(3)))
            default: lengths += Array(repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else {
            throw Failure(description: "Deflate64: invalid code lengths")
        }
        return .huffman(literals: try Huffman(lengths: Array(lengths[0..<literalCount])),
                        distances: try Huffman(lengths: Array(lengths[literalCount...])))
    }

    // MARK: Tables (Deflate64's differ from deflate's in the last length and distance codes)

    /// CRC-32 (the zip polynomial, reflected), one entry per byte value.
    static let crcTable: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }

    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                             131, 163, 195, 227, 3]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 32769, 49153]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
                                13, 13, 14, 14]
    static let fixedLiterals = try! Huffman(lengths: Array(repeating: 8, count: 144) + Array(repeating: 9, count: 112)
                                                + Array(repeating: 7, count: 24) + Array(repeating: 8, count: 8))
    static let fixedDistances = try! Huffman(lengths: Array(repeating: 5, count: 32))
}
