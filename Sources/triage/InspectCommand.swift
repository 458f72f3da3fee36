import ArgumentParser
import Foundation
import HashDatabase
import Scanning
import TriageCore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What triage sees in single files: MIME type, kind, digests, disposition, matches.")

    @Argument(help: "Files to inspect.") var files: [String]
    @Option(name: .customLong("db"), help: "Also look the files up in this hash database (default: the default database, if it exists).")
    var database: String?
    @Flag(help: "Print as JSON.") var json = false
    @OptionGroup var perceptual: PerceptualFlags
    @OptionGroup var expansion: ExpansionFlags

    func validate() throws {
        try perceptual.validate()
        try expansion.validate()
    }

    struct Entry: Encodable {
        var path: String
        var mime: String?
        var kind: String
        var size: Int64
        var md5: String?
        var sha1: String?
        var sha256: String?
        var disposition: String
        var reason: String?
        var extensionMismatch: Bool
        var decoder: String?
        var width: Int?
        var height: Int?
        var decodeScale: Int?
        var pdq: String?
        var pdqQuality: Int?
        var dihedral: [String: String]?
        var parentDistance: Int?
        var video: VideoFacts?
        /// vPDQ-style: one object per sampled frame.
        var frames: [Frame]?
        var matches: [String]

        struct Frame: Encodable {
            var frame: Int
            var timestamp: String
            var quality: Int
            var pdq: String
            var sceneChange: Bool

            enum CodingKeys: String, CodingKey {
                case frame, timestamp, quality, pdq
                case sceneChange = "scene_change"
            }
        }

        enum CodingKeys: String, CodingKey {
            case path, mime, kind, size, md5, sha1, sha256, disposition, reason, matches, decoder, width, height, pdq, dihedral, video, frames
            case extensionMismatch = "extension_mismatch"
            case parentDistance = "parent_pdq_distance"
            case decodeScale = "decode_scale"
            case pdqQuality = "pdq_quality"
        }
    }

    func run() throws {
        let inspector = try Console.setup { () throws -> Inspector in
            let path = database ?? SQLiteHashDatabase.defaultPath()
            let lookup = database != nil || FileManager.default.fileExists(atPath: path)
                ? try SQLiteHashDatabase(path: path, readOnly: true) : nil
            let options = perceptual.options
            let index = options.enabled ? try lookup.map { try $0.perceptualIndex(qualityFloor: options.qualityFloor) } ?? PDQIndex([]) : PDQIndex([])
            let videos = options.enabled ? try lookup.map { try $0.knownVideoIndex(qualityFloor: options.qualityFloor) } : nil
            return try Inspector(hashDatabase: lookup, perceptualIndex: index, knownVideos: videos ?? KnownVideoIndex([], qualityFloor: 0),
                                 options: options, expansion: expansion.options)
        }
        var entries: [Entry] = []
        var failed = false
        for file in files {
            for (result, matches) in try Console.setup({ try inspector.inspect(file) }) {
                if result.disposition.isError || (result.disposition == .notRegularFile && result.path.depth == 0) { failed = true }
                entries.append(Entry(path: result.path.display, mime: result.mime, kind: result.kind.rawValue, size: result.size,
                                     md5: result.digests.map { Hex.encode($0.md5) }, sha1: result.digests.map { Hex.encode($0.sha1) },
                                     sha256: result.digests.map { Hex.encode($0.sha256) }, disposition: result.disposition.rawValue,
                                     reason: result.reason, extensionMismatch: result.extensionMismatch,
                                     decoder: result.image?.decoder, width: result.image?.width, height: result.image?.height,
                                     decodeScale: result.image?.scaleDenominator, pdq: result.pdq?.hash.hex, pdqQuality: result.pdq?.quality,
                                     dihedral: result.dihedral.map { hashes in
                                         Dictionary(uniqueKeysWithValues: zip(Dihedral.allCases.map(\.rawValue), hashes.map(\.hex)))
                                     },
                                     parentDistance: result.parentDistance, video: result.video,
                                     frames: result.frames?.map { Entry.Frame(frame: $0.frame, timestamp: String(format: "%.3f", $0.seconds), quality: $0.pdq.quality,
                                                                               pdq: $0.pdq.hash.hex, sceneChange: $0.sceneChange) },
                                     matches: matches.map(Self.describe)))
            }
        }
        if json {
            Console.out(Console.json(entries))
        } else {
            for entry in entries {
                var out = "\(entry.path)\n  kind \(entry.kind), \(entry.mime ?? "no type"), \(entry.size) bytes, \(entry.disposition)"
                if let reason = entry.reason { out += " (\(reason))" }
                if entry.extensionMismatch { out += "\n  the name's extension disagrees with the content" }
                if let md5 = entry.md5 { out += "\n  md5 \(md5)\n  sha1 \(entry.sha1!)\n  sha256 \(entry.sha256!)" }
                if let decoder = entry.decoder {
                    out += "\n  decoded by \(decoder): \(entry.width!)x\(entry.height!)"
                    if let scale = entry.decodeScale, scale > 1 { out += " (1/\(scale) scale)" }
                }
                if let pdq = entry.pdq { out += "\n  pdq \(pdq) quality \(entry.pdqQuality!)" }
                for variant in Dihedral.allCases.dropFirst() {
                    if let hash = entry.dihedral?[variant.rawValue] { out += "\n  pdq \(variant.rawValue) \(hash)" }
                }
                if let distance = entry.parentDistance { out += "\n  \(distance) bits from the PDQ of the image it is embedded in" }
                if let video = entry.video {
                    out += "\n  video \(video.codec) in \(video.container), " + (video.duration.map { String(format: "%.3f s", $0) } ?? "duration unknown")
                    out += "; \(entry.frames?.count ?? 0) frames sampled (\(video.sampling == "seek" ? "a seek per sample" : "one decoding pass"))"
                    for frame in entry.frames ?? [] {
                        out += "\n  frame \(frame.frame) at \(frame.timestamp) s: pdq \(frame.pdq) quality \(frame.quality)\(frame.sceneChange ? " (scene change)" : "")"
                    }
                }
                if !entry.matches.isEmpty { out += "\n  known: \(entry.matches.joined(separator: "; "))" }
                Console.out(out + "\n")
            }
        }
        if failed { throw ExitCode(1) }
    }

    static func describe(_ match: KnownMatch) -> String {
        var text = "\(match.category.rawValue) (\(match.hashType.rawValue)"
        if let near = match.perceptual {
            text += " distance \(near.distance)" + (near.variant == .original ? "" : " as \(near.variant.rawValue)")
        }
        if let video = match.knownVideo { text += " as known video \(video.description)" }
        if let frames = match.frames { text += " in frames at " + frames.map(VideoFrameHash.clock).joined(separator: ", ") }
        return text + " in \(SafeText.display(match.source)))"
    }
}
