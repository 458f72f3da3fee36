import CaseStore
import Foundation
import Imaging
import Review
import Testing
import TriageCore
import TriageTestSupport

@Suite struct ReviewScreenTests {
    let temp = TemporaryDirectory()

    /// A case of one real JPEG on disk whose name carries a terminal escape sequence (an OSC
    /// that would retitle the window, and a CSI that would clear the screen).
    func hostileCase() throws -> (ReviewSession, String) {
        let evidence = temp.url("evidence")
        try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        let name = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J.jpg"
        let jpeg = try #require(JPEGEncoder.encode(rgb: gradient(width: 64, height: 48).pixels, width: 64, height: 48))
        _ = FileManager.default.createFile(atPath: evidence + "/" + name, contents: Data(jpeg))
        let store = try CaseStore(directory: temp.url("case"), create: true)
        var result = ItemResult(path: ForensicPath(relativePath: Array(name.utf8)), size: Int64(jpeg.count), disposition: .processed,
                                mime: "image/jpeg", kind: .still)
        result.digests = Digests(md5: [UInt8](repeating: 1, count: 16), sha1: [UInt8](repeating: 1, count: 20), sha256: Array(sha256(jpeg)))
        let scan = try store.beginScan(ScanDescription(exhibit: "EX\u{1B}[31m/1", roots: [evidence], examiner: "T", hashDatabasePath: "/db",
                                                       hashDatabaseFingerprint: "f", hashDatabaseEntries: 0, hashDatabaseSources: [], settings: [:]))
        try store.record([RecordedItem(result: result, matches: [])], exhibit: "EX\u{1B}[31m/1", source: evidence, scan: scan)
        try store.finishScan(scan, examiner: "T", summary: [:])
        return (ReviewSession(items: try ReviewQueue.load(from: store), store: store, examiner: "J\u{1B}[5mSmith"), evidence)
    }

    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        let file = temp.url("digest-input")
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let output = shell("sha256sum '\(file)'").output
        return Hex.decode(String(output.prefix(64)))!
    }

    @Test func namesFromTheEvidenceCannotReachTheTerminalAsSequences() throws {
        let (session, _) = try hostileCase()
        for overlay in [false, true] {
            if overlay { try session.handle(.details) }
            let frame = ReviewTerminal.frame(session: session, caseName: "case", columns: 120, rows: 30, pixelWidth: 0, pixelHeight: 0,
                                             renderer: HalfBlockRenderer(trueColour: true), mode: .blocks, loader: PreviewLoader(),
                                             composer: PictureComposer())
            let text = String(decoding: frame, as: UTF8.self)
            #expect(!text.contains("\u{1B}]0;"), "an OSC from a file name reached the terminal")
            #expect(!text.contains("\u{1B}[2J") && !text.contains("\u{1B}[31m") && !text.contains("\u{1B}[5m"))
            #expect(text.contains("evil\\x1b]0;pwned\\x07\\x1b[2J.jpg"))
        }
    }

    /// The preview keeps the scan's pixel limit: an image the scan would refuse is not decoded
    /// for the screen either (64x48 is over a limit of 1,000 pixels).
    @Test func thePreviewKeepsTheScansPixelLimit() throws {
        let (session, _) = try hostileCase()
        let refused = PreviewLoader(maxPixels: 1000).preview(of: session.current!.first)
        guard case .failure(.unreadable(let reason)) = refused else { Issue.record("decoded: \(refused)"); return }
        #expect(reason.contains("over the limit of 1000 pixels"), "\(reason)")
        guard case .success = PreviewLoader(maxPixels: 64 * 48).preview(of: session.current!.first) else { Issue.record("not decoded"); return }
    }

    @Test func theItemIsReadBackDecodedAndDrawnBlurred() throws {
        let (session, _) = try hostileCase()
        let frame = ReviewTerminal.frame(session: session, caseName: "case", columns: 100, rows: 30, pixelWidth: 0, pixelHeight: 0,
                                         renderer: HalfBlockRenderer(trueColour: true), mode: .blocks, loader: PreviewLoader(),
                                         composer: PictureComposer())
        let text = String(decoding: frame, as: UTF8.self)
        // 64x48 fitted into 100x46 half-block pixels: 61 columns, 23 rows of cells.
        #expect(text.components(separatedBy: "▀").count - 1 == 61 * 23)
        #expect(text.contains("PENDING · blurred · grey · 1 instance"))
        // Grey: every colour in the picture has equal channels.
        let colours = text.matches(of: /\[38;2;(\d+);(\d+);(\d+)m/).map { ($0.1, $0.2, $0.3) }
        #expect(!colours.isEmpty && colours.allSatisfy { $0.0 == $0.1 && $0.1 == $0.2 })
    }

    @Test func aMissingFileIsAMessageNotACrash() throws {
        let (session, evidence) = try hostileCase()
        try FileManager.default.removeItem(atPath: evidence)
        let frame = ReviewTerminal.frame(session: session, caseName: "case", columns: 100, rows: 30, pixelWidth: 0, pixelHeight: 0,
                                         renderer: HalfBlockRenderer(trueColour: true), mode: .blocks, loader: PreviewLoader(),
                                         composer: PictureComposer())
        #expect(String(decoding: frame, as: UTF8.self).contains("No picture:"))
    }

    @Test func aTinyWindowSaysSo() throws {
        let (session, _) = try hostileCase()
        let frame = ReviewTerminal.frame(session: session, caseName: "case", columns: 30, rows: 8, pixelWidth: 0, pixelHeight: 0,
                                         renderer: HalfBlockRenderer(trueColour: true), mode: .blocks, loader: PreviewLoader(),
                                         composer: PictureComposer())
        #expect(String(decoding: frame, as: UTF8.self).contains("Window too small"))
    }
}
