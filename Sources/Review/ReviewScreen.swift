import CaseStore
import Foundation
import TriageCore

/// Draws the whole screen for the session's state: a header line, the picture (or the details,
/// help or break text over it), four lines about the item, a message line and the keys. Every
/// name and field from the evidence goes through `SafeText.terminal` first, so that nothing in a
/// file name can move the cursor, change colours or retitle the window.
public struct ReviewScreen {
    public var columns: Int
    public var rows: Int
    public var caseName: String
    public var mode: DisplayMode

    public init(columns: Int, rows: Int, caseName: String, mode: DisplayMode) {
        self.columns = columns
        self.rows = rows
        self.caseName = caseName
        self.mode = mode
    }

    /// Lines below the picture.
    static let footerRows = 6
    public static let minimumSize = (columns: 40, rows: 12)

    /// Where the picture goes.
    public func pictureArea(cellWidth: Int = 10, cellHeight: Int = 20) -> CellArea {
        CellArea(column: 1, row: 2, columns: columns, rows: max(1, rows - 1 - Self.footerRows), cellWidth: cellWidth, cellHeight: cellHeight)
    }

    /// The text of every line, top to bottom (the picture area is left blank unless an overlay
    /// covers it). Plain text, already safe; `frame` adds colours and positions.
    public func lines(for session: ReviewSession, pictureNote: String?) -> [String] {
        guard columns >= Self.minimumSize.columns, rows >= Self.minimumSize.rows else {
            return ["Window too small: triage review needs \(Self.minimumSize.columns)x\(Self.minimumSize.rows). q leaves."]
        }
        let area = pictureArea()
        var body = [String](repeating: "", count: area.rows)
        switch session.overlay {
        case .help: body = fit(Self.helpText(session.profile), rows: area.rows)
        case .details:
            body = fit(session.current.map { detailLines($0, profile: session.profile) + storyboardDetails(session) } ?? [], rows: area.rows)
        case .breakOffer: body = fit(["", "", session.breakText], rows: area.rows)
        case .none:
            if let pictureNote { body[area.rows / 2] = centred(pictureNote) }
        }
        return [header(session)] + body + footer(session)
    }

    private func header(_ session: ReviewSession) -> String {
        let position = session.items.isEmpty ? "no items" : "item \(session.position + 1) of \(session.items.count)"
        return " triage review · \(SafeText.display(caseName)) · \(SafeText.display(session.examiner)) · \(position) · \(session.pendingCount) pending"
    }

    private func footer(_ session: ReviewSession) -> [String] {
        guard let item = session.current else {
            return ["", "", "", "", session.message.map(SafeText.display) ?? "", Self.keyLine(session.profile)]
        }
        let first = item.first
        var state: String
        switch item.status {
        case .pending: state = "PENDING"
        case .decided(let category): state = "DECIDED \(session.profile.longLabel(category))"
        }
        state += session.isRevealed ? " · REVEALED" : " · blurred"
        state += session.isGrey ? " · grey" : " · colour"
        var counts = "\(item.instanceCount) instance\(item.instanceCount == 1 ? "" : "s")"
        if item.contents.count > 1 { counts += " of \(item.contents.count) near-duplicate contents (PDQ spread \(item.spread); x splits)" }
        let suggestion = item.suggestion.map {
            "Suggested \(session.profile.longLabel($0.category)) (not applied): PDQ distance \($0.distance) to \(SafeText.display($0.path)), \(SafeText.display($0.basis))"
        } ?? conflict(item, profile: session.profile) ?? ""
        var path = "\(SafeText.display(first.exhibit)): \(first.result.path.display)"
        if item.instanceCount > 1 { path += "  (+\(item.instanceCount - 1) more: d)" }
        var facts = [first.result.mime ?? "unknown type", Self.size(first.result.size)]
        if let image = first.result.image { facts.append("\(image.width)x\(image.height)") }
        if let modified = first.result.times.modified { facts.append("modified " + UTCClock.string(nanoseconds: modified)) }
        if first.result.disposition != .processed { facts.append(first.result.disposition.rawValue) }
        // A video's storyboard line takes the suggestion's place (videos have no PDQ of their own
        // to suggest from); a conflict, if any, is shown after the facts instead.
        var suggestionLine = suggestion
        if let storyboard = session.storyboard {
            if !suggestion.isEmpty { facts.append(suggestion) }
            suggestionLine = storyboardLine(storyboard, session: session)
        } else if let duration = first.result.video?.duration {
            facts.append("video " + VideoFrameHash.clock(VideoFrameHash.microseconds(seconds: duration)))
        }
        return [
            "\(state) · \(counts)",
            path,
            facts.joined(separator: " · "),
            suggestionLine,
            session.message.map(SafeText.display) ?? "",
            Self.keyLine(session.profile),
        ]
    }

    /// "video 0:00:07.000 · tile 4 of 20 at 0:00:01.050 (, . [ ]) · segment from 0:00:01.050"
    private func storyboardLine(_ storyboard: Storyboard, session: ReviewSession) -> String {
        var line = "video \(VideoFrameHash.clock(storyboard.duration)) · tile \(session.tile + 1) of \(storyboard.times.count)"
            + " at \(VideoFrameHash.clock(storyboard.times[session.tile])) (, . [ ])"
        if let segment = session.markedSegment {
            line += " · segment \(segment.description): a category key decides it"
        } else if let start = session.segmentStartTile {
            line += " · segment from \(VideoFrameHash.clock(storyboard.times[start]))"
        } else if let end = session.segmentEndTile {
            line += " · segment to \(VideoFrameHash.clock(storyboard.end(ofTile: end)))"
        }
        return line
    }

    private func conflict(_ item: ReviewItem, profile: CategoryProfile) -> String? {
        let matches = item.contents.flatMap(\.conflictingMatches)
        guard !matches.isEmpty else { return nil }
        let named = Set(matches.map { "\(profile.label($0.category)) (\($0.basis.rawValue), \(SafeText.display($0.source)))" }).sorted()
        return "Database conflict: " + named.joined(separator: " vs ")
    }

    /// Every path, size, time, MIME type, digest and match of the item.
    func detailLines(_ item: ReviewItem, profile: CategoryProfile) -> [String] {
        var lines = ["Details (d closes)", ""]
        for (index, content) in item.contents.enumerated() {
            let first = content.instances[0].result
            lines.append("Content \(index + 1) of \(item.contents.count): \(content.instances.count) instance\(content.instances.count == 1 ? "" : "s")")
            if let digests = first.digests {
                lines.append("  SHA-256 \(Hex.encode(digests.sha256))")
                lines.append("  SHA-1 \(Hex.encode(digests.sha1))  MD5 \(Hex.encode(digests.md5))")
            }
            var facts = "  \(first.mime ?? "unknown type") · \(Self.size(first.size))"
            if let image = first.image { facts += " · \(image.width)x\(image.height) (\(image.decoder))" }
            if let pdq = first.pdq { facts += " · PDQ \(pdq.hash.hex) quality \(pdq.quality)" }
            lines.append(facts)
            for match in content.conflictingMatches {
                var text = "  database: \(profile.label(match.category)) by \(match.basis.rawValue) \(match.hashType.rawValue) match, \(SafeText.display(match.source))"
                if let perceptual = match.perceptual { text += ", distance \(perceptual.distance)" }
                lines.append(text)
            }
            for instance in content.instances {
                let result = instance.result
                var times: [String] = []
                if let m = result.times.modified { times.append("m " + UTCClock.string(nanoseconds: m)) }
                if let a = result.times.accessed { times.append("a " + UTCClock.string(nanoseconds: a)) }
                if let c = result.times.changed { times.append("c " + UTCClock.string(nanoseconds: c)) }
                lines.append("  \(SafeText.display(instance.exhibit)): \(result.path.display)  \(times.joined(separator: " "))")
            }
        }
        if let suggestion = item.suggestion {
            lines.append("Suggested \(profile.longLabel(suggestion.category)): PDQ distance \(suggestion.distance) to \(SafeText.display(suggestion.path)) (\(SafeText.display(suggestion.basis)))")
        }
        return lines
    }

    /// A video's storyboard tiles with their times, and its sampling.
    private func storyboardDetails(_ session: ReviewSession) -> [String] {
        guard let storyboard = session.storyboard else { return [] }
        var lines = ["", "Storyboard: \(storyboard.times.count) frames, row by row (\(storyboard.columns) per row):"]
        for row in stride(from: 0, to: storyboard.times.count, by: storyboard.columns) {
            let times = storyboard.times[row..<min(row + storyboard.columns, storyboard.times.count)]
            lines.append("  " + times.enumerated().map { "\(row + $0.offset + 1): \(VideoFrameHash.clock($0.element))" }.joined(separator: "   "))
        }
        if let video = session.current?.first.result.video {
            lines.append("Scan sampling: \(video.sampling), a frame every \(String(format: "%.2f", video.interval)) s, \(session.current?.first.result.frames?.count ?? 0) frames hashed; \(video.codec) in \(video.container)")
        }
        return lines
    }

    /// The keys, with the profile's category keys ("a b c: category · n: not indecent" in the UK).
    static func keyLine(_ profile: CategoryProfile) -> String {
        let indecent = Category.indecent.map { profile.entry($0).key }.joined(separator: " ")
        return "\(indecent): category · \(profile.entry(.n).key): \(profile.entry(.n).description) · s: skip · u: undo · space: reveal · g: grey · x: split · d: details · ?: help · q: quit"
    }

    static func helpText(_ profile: CategoryProfile) -> [String] {
        ["Keys (? closes)", ""]
            + Category.allCases.map { category in
                let key = profile.entry(category).key
                return key + String(repeating: " ", count: max(1, 12 - key.count)) + profile.longLabel(category)
                    + (category == .a ? ": applies to every instance and near-duplicate shown" : "")
            }
            + [
                "s           skip: leave it pending, go to the next pending item",
                "u           undo your latest decision (again for the one before; works after a restart)",
                "space       reveal the item unblurred; it blurs again when you move on",
                "g           grey or colour",
                "← →  h l    previous or next item (decided items can be changed)",
                "x           split a group of near-duplicates into one item per content",
                "d           details: every path, size, time, MIME type, digest and match",
                "o           open in your viewer ($TRIAGE_VIEWER)",
                ", .         a video: the previous or next storyboard tile (the highlighted one)",
                "[ ]         a video: the highlighted tile starts or ends a segment; a category key then decides",
                "            that segment alone (the video takes its most severe segment); e clears the marks",
                "Ctrl-L      redraw",
                "q           quit: every decision is already saved; the next review resumes here",
            ]
    }

    private func fit(_ text: [String], rows: Int) -> [String] {
        var lines = Array(text.prefix(rows))
        if text.count > rows, rows > 0 { lines[rows - 1] = "… \(text.count - rows + 1) more lines (enlarge the window)" }
        return lines + [String](repeating: "", count: rows - lines.count)
    }

    private func centred(_ text: String) -> String {
        String(repeating: " ", count: max(0, (columns - text.count) / 2)) + text
    }

    static func size(_ bytes: Int64) -> String {
        bytes < 1024 ? "\(bytes) bytes" : bytes < 1 << 20 ? String(format: "%.1f KiB", Double(bytes) / 1024)
            : String(format: "%.1f MiB", Double(bytes) / 1048576)
    }

    /// The bytes that draw the text of the screen: each line cleared and cut to the width;
    /// the header and key lines in reverse video.
    public func frame(_ lines: [String]) -> [UInt8] {
        var out = Array("\u{1B}[H".utf8)
        for (index, line) in lines.enumerated() where index < rows {
            out += Escape.moveTo(row: index + 1, column: 1)
            let emphasised = index == 0 || index == rows - 1
            if emphasised { out += Array("\u{1B}[7m".utf8) }
            let cut = String(line.prefix(columns))
            out += Array(cut.utf8)
            out += Array("\u{1B}[K".utf8)
            if emphasised { out += Escape.reset }
        }
        return out
    }
}
