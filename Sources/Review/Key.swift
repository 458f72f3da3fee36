import TriageCore

/// What the examiner can ask of the review screen, one key each (Docs/review.md).
public enum ReviewKey: Sendable, Equatable {
    /// `a` `b` `c` `n` (the profile's keys): categorise the item (every content and instance in it).
    case categorise(Category)
    /// `s`: leave the item pending and go to the next pending one.
    case skip
    /// `u`: withdraw the examiner's latest decision (any number of times, across restarts).
    case undo
    /// `space`: show the item unblurred, or blur it again.
    case reveal
    /// `g`: colour or grey.
    case toggleGrey
    /// `←` `→`: the previous or next item, decided or not.
    case previous, next
    /// `x`: split a group of near-duplicates into one item per content.
    case split
    /// `d`: every path, size, time, MIME type, digest and match.
    case details
    /// `?`: the keys.
    case help
    /// `o`: open the item in the examiner's own viewer (`$TRIAGE_VIEWER`).
    case open
    /// `q`, `Ctrl-C`: leave (every decision is already saved).
    case quit
    /// The window changed size or needs drawing again (`Ctrl-L`).
    case redraw
    /// `,` `.`: the previous or next tile of a video's storyboard.
    case tilePrevious, tileNext
    /// `[` `]`: the selected tile starts or ends a segment of the video; a category key then
    /// decides that segment only.
    case segmentStart, segmentEnd
    /// `e`: clear the segment marks.
    case segmentClear
}

/// Turns the bytes a terminal sends into keys. Unknown bytes and sequences are ignored.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    private let single: [UInt8: ReviewKey]

    /// - Parameter profile: whose keys categorise (`a` `b` `c` `n`; Project VIC `1` `2` `3` `0`).
    public init(profile: CategoryProfile = .uk) {
        var single = Self.fixed
        for category in Category.allCases {
            if let key = profile.entry(category).key.utf8.first, profile.entry(category).key.utf8.count == 1 {
                single[key] = .categorise(category)
            }
        }
        self.single = single
    }

    /// Decodes what has arrived; an escape sequence cut between two reads is completed by the
    /// next call. A lone ESC with nothing after it is dropped by `flush()`.
    public mutating func decode(_ bytes: [UInt8]) -> [ReviewKey] {
        pending += bytes
        var keys: [ReviewKey] = []
        var index = 0
        while index < pending.count {
            let byte = pending[index]
            if byte == 0x1B {
                // CSI (ESC [) or SS3 (ESC O): parameters, then one final byte in 0x40–0x7E.
                guard index + 1 < pending.count else { break }
                let introducer = pending[index + 1]
                guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { index += 1; continue }
                var end = index + 2
                while end < pending.count, !(0x40...0x7E).contains(pending[end]) { end += 1 }
                guard end < pending.count else { break }
                switch pending[end] {
                case UInt8(ascii: "C"): keys.append(.next)
                case UInt8(ascii: "D"): keys.append(.previous)
                default: break
                }
                index = end + 1
                continue
            }
            if let key = single[byte] { keys.append(key) }
            index += 1
        }
        pending.removeFirst(index)
        return keys
    }

    /// Drops an incomplete sequence (a lone ESC) after the input went quiet.
    public mutating func flush() { pending.removeAll() }

    /// Every key but the categories (which come from the profile).
    private static let fixed: [UInt8: ReviewKey] = [
        UInt8(ascii: "s"): .skip, UInt8(ascii: "u"): .undo, UInt8(ascii: " "): .reveal,
        UInt8(ascii: "g"): .toggleGrey, UInt8(ascii: "x"): .split, UInt8(ascii: "d"): .details, UInt8(ascii: "?"): .help,
        UInt8(ascii: "o"): .open, UInt8(ascii: "q"): .quit, 0x03: .quit, 0x0C: .redraw,
        UInt8(ascii: "h"): .previous, UInt8(ascii: "l"): .next,
        UInt8(ascii: ","): .tilePrevious, UInt8(ascii: "."): .tileNext,
        UInt8(ascii: "["): .segmentStart, UInt8(ascii: "]"): .segmentEnd, UInt8(ascii: "e"): .segmentClear,
    ]
}
