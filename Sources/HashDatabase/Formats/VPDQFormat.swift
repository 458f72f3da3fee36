import Foundation
import TriageCore

/// vPDQ hash sets (ThreatExchange's video PDQ): one line per sampled frame,
/// `frame,quality,hash,timestamp` (frame number, PDQ quality 0–100, 64 hex digits, seconds; the
/// timestamp may be missing). A file is one video named after the file, or several, each after a
/// `# video NAME` line (as `hashdb export --format vpdq` writes them). Other `#` lines and blank
/// lines are ignored.
public enum VPDQFormat {
    public static let name = "vpdq"

    /// Larger files are refused: a vPDQ list of a ten-hour video at one frame per second is 3 MB.
    public static let maximumFileSize = 256 << 20

    /// Whether the first bytes look like a vPDQ list (for `--format auto`).
    public static func recognises(head: [UInt8]) -> Bool {
        guard let text = String(bytes: head.prefix(4096), encoding: .utf8) else { return false }
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        guard let first = lines.first else { return text.hasPrefix("# video ") }
        return frame(first) != nil
    }

    /// The videos in `bytes`; each damaged line goes to `problem` and is skipped.
    public static func read(_ bytes: [UInt8], defaultName: String, problem: (ImportProblem) -> Void) -> [(name: String, frames: [VideoFrameHash])] {
        var videos: [(name: String, frames: [VideoFrameHash])] = []
        var name = defaultName
        var frames: [VideoFrameHash] = []
        func finish() {
            if !frames.isEmpty { videos.append((name, frames)) }
            frames = []
        }
        // Split on bytes: in Swift a CRLF pair is one Character, which "\n" would not split.
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = Substring(String(decoding: raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw, as: UTF8.self))
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if text.hasPrefix("# video ") {
                finish()
                name = String(text.dropFirst("# video ".count))
                continue
            }
            if text.hasPrefix("#") { continue }
            guard let frame = frame(text) else {
                problem(ImportProblem(location: "line \(index + 1)", message: "not a vPDQ frame (frame,quality,hash,timestamp): \(SafeText.display(Array(text.utf8.prefix(80))))"))
                continue
            }
            frames.append(frame)
        }
        finish()
        return videos
    }

    static func frame(_ line: Substring) -> VideoFrameHash? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 3 || fields.count == 4, let frame = Int(fields[0]), frame >= 0,
              let quality = Int(fields[1]), (0...100).contains(quality), let hash = PDQHash(hex: fields[2]) else { return nil }
        var microseconds: Int64 = 0
        if fields.count == 4 {
            guard let seconds = Double(fields[3]), seconds >= 0, seconds < 1e9 else { return nil }
            microseconds = Int64((seconds * 1_000_000).rounded())
        }
        return VideoFrameHash(frame: frame, microseconds: microseconds, pdq: PDQSignature(hash: hash, quality: quality))
    }

    /// The lines of one video, as ThreatExchange's vpdq writes them.
    /// One video as a `# video NAME` block and its frame lines (what `read` takes back). The
    /// name is made safe to print and kept on one line.
    public static func block(name: String, frames: [VideoFrameHash]) -> String {
        "# video \(SafeText.display(name).replacingOccurrences(of: "\n", with: " "))\n" + lines(frames)
    }

    public static func lines(_ frames: [VideoFrameHash]) -> String {
        frames.map { "\($0.frame),\($0.pdq.quality),\($0.pdq.hash.hex),\(String(format: "%.3f", $0.seconds))\n" }.joined()
    }
}
