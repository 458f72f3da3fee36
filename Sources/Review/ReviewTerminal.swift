import CTerminal
import CaseStore
import Foundation
import Glibc
import Imaging
import Scanning
import TriageCore

/// Settings of the screen (`triage review` options).
public struct ReviewDisplayOptions: Sendable {
    public var display: DisplayMode?
    public var blurStrength: Int
    /// `$TRIAGE_VIEWER`: a program and its arguments, split on spaces; the file is added as
    /// one more argument, never through a shell.
    public var viewer: String?
    /// How the scan opened containers, so that members are read back the same way.
    public var expansion: ExpansionOptions
    /// The scan's pixel limit (`decode_max_pixels`): a preview never decodes what the scan refused.
    public var maxPixels: Int

    public init(display: DisplayMode? = nil, blurStrength: Int = 6, viewer: String? = nil, expansion: ExpansionOptions = ExpansionOptions(),
                maxPixels: Int = DecodeOptions.defaultMaxPixels) {
        self.display = display
        self.blurStrength = blurStrength
        self.viewer = viewer
        self.expansion = expansion
        self.maxPixels = maxPixels
    }
}

/// The thin terminal layer over `ReviewSession`: raw keyboard input, drawing, resizes, and
/// the terminal restored however the screen ends (`q`, Ctrl-C, SIGTERM, SIGHUP, a crash).
public final class ReviewTerminal {
    private let session: ReviewSession
    private let caseName: String
    private let options: ReviewDisplayOptions
    private let input: Int32 = STDIN_FILENO
    private let output: Int32 = STDOUT_FILENO
    private let loader: PreviewLoader
    private let composer: PictureComposer
    private var renderer: (any PictureRenderer)?
    private(set) public var choice: TerminalProbe.Choice?
    private var keys: KeyDecoder

    public init(session: ReviewSession, caseName: String, options: ReviewDisplayOptions) {
        self.session = session
        self.caseName = caseName
        self.options = options
        composer = PictureComposer(blurStrength: options.blurStrength)
        keys = KeyDecoder(profile: session.profile)
        loader = PreviewLoader(locator: ContentLocator(expansion: options.expansion), maxPixels: options.maxPixels)
    }

    /// Runs until the examiner quits or the process is told to stop.
    public func run() throws {
        guard isatty(input) == 1, isatty(output) == 1 else {
            throw ReviewError("triage review needs a terminal (standard input and output); use `triage queue` and `triage categorise` in scripts")
        }
        guard term_enter(input, "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[2J", "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l") == 0 else {
            throw ReviewError("cannot set up the terminal: \(String(cString: strerror(errno)))")
        }
        defer {
            if let renderer { write(renderer.clear) }
            term_leave()
        }
        let choice = TerminalProbe.choose(forced: options.display, environment: ProcessInfo.processInfo.environment,
                                          ask: { self.ask($0, timeout: $1) })
        self.choice = choice
        renderer = Self.renderer(for: choice)
        draw()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !session.hasQuit {
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: term_events(), events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { break }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let count = read(term_events(), &buffer, buffer.count)
                let events = buffer.prefix(max(0, count))
                if events.contains(UInt8(ascii: "T")) { _ = try? session.handle(.quit); break }
                if events.contains(UInt8(ascii: "W")) { draw() }
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                let count = read(input, &buffer, buffer.count)
                if count <= 0 { _ = try? session.handle(.quit); break }  // the terminal went away
                var decoded = keys.decode(Array(buffer.prefix(count)))
                if decoded.isEmpty, buffer[count - 1] == 0x1B, !hasInput(within: 50) { keys.flush() }
                while !decoded.isEmpty {
                    let key = decoded.removeFirst()
                    do {
                        if case .open(let itemID) = try session.handle(key) { openInViewer(itemID) }
                    } catch {
                        // The session already says NOT SAVED; the screen stays up.
                    }
                    if session.hasQuit { break }
                    // Keys typed ahead while drawing are not dropped, but only the last state is drawn.
                    if decoded.isEmpty { draw() }
                }
            }
        }
    }

    static func renderer(for choice: TerminalProbe.Choice) -> (any PictureRenderer)? {
        switch choice.mode {
        case .kitty: KittyRenderer(throughTmux: choice.throughTmux)
        case .iterm: ITermRenderer(throughTmux: choice.throughTmux)
        case .sixel: SixelRenderer()
        case .blocks: HalfBlockRenderer(trueColour: choice.trueColour)
        case .none: nil
        }
    }

    // MARK: Drawing

    /// Draws the screen for the session's current state, in one write.
    func draw() {
        var columns: Int32 = 80, rows: Int32 = 24, pixelWidth: Int32 = 0, pixelHeight: Int32 = 0
        _ = term_size(output, &columns, &rows, &pixelWidth, &pixelHeight)
        let frame = Self.frame(session: session, caseName: caseName, columns: Int(columns), rows: Int(rows),
                               pixelWidth: Int(pixelWidth), pixelHeight: Int(pixelHeight),
                               renderer: renderer, mode: choice?.mode ?? .none, loader: loader, composer: composer)
        write(frame)
    }

    /// The bytes of one whole screen (also used by the benchmark, which times exactly this).
    public static func frame(session: ReviewSession, caseName: String, columns: Int, rows: Int, pixelWidth: Int, pixelHeight: Int,
                             renderer: (any PictureRenderer)?, mode: DisplayMode, loader: PreviewLoader, composer: PictureComposer) -> [UInt8] {
        let screen = ReviewScreen(columns: columns, rows: rows, caseName: caseName, mode: mode)
        let cellWidth = pixelWidth > 0 && columns > 0 ? pixelWidth / columns : 10
        let cellHeight = pixelHeight > 0 && rows > 0 ? pixelHeight / rows : 20
        let area = screen.pictureArea(cellWidth: cellWidth, cellHeight: cellHeight)
        var picture: [UInt8] = []
        var note: String?
        let large = columns >= ReviewScreen.minimumSize.columns && rows >= ReviewScreen.minimumSize.rows
        if large, session.overlay == .none, let item = session.current {
            switch loader.preview(of: item.first) {
            case .success(let preview):
                session.showStoryboard(loader.storyboard(of: item.first))
                if let renderer {
                    var raster = composer.compose(preview, for: renderer, in: area, revealed: session.isRevealed, grey: session.isGrey)
                    if let storyboard = session.storyboard { raster = storyboard.markingTile(session.tile, on: raster) }
                    picture = renderer.render(raster, in: area)
                } else {
                    note = "Display none: o opens the item in your viewer"
                }
            case .failure(let failure):
                note = failure.note
            }
        }
        return (renderer?.clear ?? []) + screen.frame(screen.lines(for: session, pictureNote: note)) + picture
    }

    // MARK: Terminal I/O

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
            offset += written
        }
    }

    private func hasInput(within milliseconds: Int32) -> Bool {
        var fd = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, milliseconds) > 0
    }

    /// Writes a query and collects the answer until DA1's final `c` or the timeout (keys
    /// pressed in those 200 ms at start-up are dropped with the answer).
    private func ask(_ query: [UInt8], timeout milliseconds: Int) -> [UInt8] {
        write(query)
        var answer: [UInt8] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        var buffer = [UInt8](repeating: 0, count: 256)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let left = Int32((deadline - DispatchTime.now().uptimeNanoseconds) / 1_000_000) + 1
            guard hasInput(within: left) else { break }
            let count = read(input, &buffer, buffer.count)
            guard count > 0 else { break }
            answer += buffer.prefix(count)
            if let start = answer.lastIndex(of: 0x1B), answer[start...].contains(UInt8(ascii: "c")),
               answer[start...].starts(with: Array("\u{1B}[?".utf8)) { break }
        }
        return answer
    }

    /// `o`: the examiner's viewer gets a private copy of the item (mode 0600 in a private
    /// folder, removed afterwards), never the evidence itself, with the terminal restored.
    private func openInViewer(_ itemID: Int64) {
        guard let command = options.viewer?.split(separator: " ").map(String.init), let program = command.first else {
            setMessage("No viewer: set TRIAGE_VIEWER to a program (for example `feh` or `eog`); the file is passed as its last argument.")
            return
        }
        guard let item = session.current?.contents.flatMap(\.instances).first(where: { $0.id == itemID }) else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("triage-view-\(getpid())-\(itemID)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let bytes = try loader.contents(of: item)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            // The extension comes from the evidence: only letters and digits of it name the copy.
            let safeExtension = item.result.path.fileExtension.map { String($0.unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.prefix(10)) }
            let name = safeExtension.flatMap { $0.isEmpty ? nil : "item.\($0)" } ?? "item"
            let file = (folder as NSString).appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw ReviewError("cannot write a copy in \(folder)")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program.contains("/") ? program : "/usr/bin/env")
            process.arguments = (program.contains("/") ? [] : [program]) + command.dropFirst() + [file]
            term_leave()
            defer { _ = term_enter(input, "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[2J", "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l") }
            try process.run()
            process.waitUntilExit()
        } catch {
            setMessage("Cannot open the item: \(error)")
        }
    }

    private func setMessage(_ text: String) { session.note(text) }
}
