/// Chooses the display mode for the terminal triage runs in (Docs/review.md).
public enum TerminalProbe {
    /// What was chosen and why (shown by `review --display-info`, and in the help).
    public struct Choice: Sendable, Equatable {
        public var mode: DisplayMode
        /// 24-bit colour for half-blocks; else the 256-colour palette.
        public var trueColour: Bool
        /// Graphics must be wrapped for tmux (kitty or iTerm2 forced under tmux).
        public var throughTmux: Bool
        public var reason: String
    }

    /// Under tmux or screen: half-blocks (tmux 3.3 drops sixel, shows a bare kitty sequence in
    /// the pane title, and passes graphics only wrapped and with `allow-passthrough on`).
    /// Elsewhere: what the environment names, else what the terminal answers to a kitty
    /// graphics query and a DA1 request within 200 ms.
    ///
    /// - Parameters:
    ///   - forced: `--display`, which always wins.
    ///   - ask: writes a query and returns what the terminal answered before the timeout.
    public static func choose(forced: DisplayMode?, environment: [String: String], ask: ([UInt8], Int) -> [UInt8]) -> Choice {
        let term = environment["TERM"] ?? ""
        let multiplexed = !(environment["TMUX"] ?? "").isEmpty || !(environment["STY"] ?? "").isEmpty
            || term.hasPrefix("screen") || term.hasPrefix("tmux")
        let colourTerm = (environment["COLORTERM"] ?? "").lowercased()
        let trueColour = colourTerm == "truecolor" || colourTerm == "24bit"
        if let forced {
            return Choice(mode: forced, trueColour: trueColour || forced == .kitty || forced == .iterm,
                          throughTmux: multiplexed && (forced == .kitty || forced == .iterm), reason: "--display \(forced.rawValue)")
        }
        if term == "dumb" { return Choice(mode: .none, trueColour: false, throughTmux: false, reason: "TERM=dumb") }
        if multiplexed {
            return Choice(mode: .blocks, trueColour: trueColour, throughTmux: false,
                          reason: "inside tmux or screen: half-blocks (\(trueColour ? "24-bit" : "256") colour)")
        }
        if term == "xterm-kitty" || environment["KITTY_WINDOW_ID"] != nil {
            return Choice(mode: .kitty, trueColour: true, throughTmux: false, reason: "kitty (TERM or KITTY_WINDOW_ID)")
        }
        if environment["TERM_PROGRAM"] == "iTerm.app" {
            return Choice(mode: .iterm, trueColour: true, throughTmux: false, reason: "iTerm2 (TERM_PROGRAM)")
        }
        let answer = ask(Array("\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\\u{1B}[c".utf8), 200)
        if contains(answer, "\u{1B}_Gi=31;OK") {
            return Choice(mode: .kitty, trueColour: true, throughTmux: false, reason: "the terminal answered the kitty graphics query")
        }
        if deviceAttributes(answer).contains(4) {
            return Choice(mode: .sixel, trueColour: trueColour, throughTmux: false, reason: "the terminal reports sixel graphics (DA1 attribute 4)")
        }
        return Choice(mode: .blocks, trueColour: trueColour, throughTmux: false,
                      reason: "no graphics protocol answered: half-blocks (\(trueColour ? "24-bit" : "256") colour)")
    }

    /// The attributes of a DA1 answer `ESC [ ? 62 ; 4 ; 22 c`.
    static func deviceAttributes(_ answer: [UInt8]) -> [Int] {
        guard let start = find(answer, "\u{1B}[?") else { return [] }
        var end = start + 3
        while end < answer.count, answer[end] != UInt8(ascii: "c") { end += 1 }
        return String(decoding: answer[(start + 3)..<end], as: UTF8.self).split(separator: ";").compactMap { Int($0) }
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool { find(bytes, text) != nil }

    private static func find(_ bytes: [UInt8], _ text: String) -> Int? {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }
}
