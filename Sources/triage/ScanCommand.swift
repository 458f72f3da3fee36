import ArgumentParser
import CaseStore
import Foundation
import HashDatabase
import Imaging
import Scanning
import TriageCore

/// Decoding and perceptual-matching settings, shared by `scan` and `inspect`.
struct PerceptualFlags: ParsableArguments {
    enum DecodeMode: String, ExpressibleByArgument, CaseIterable {
        case exact, fast
    }

    @Flag(name: .customLong("no-perceptual"), help: "Do not decode images or compute PDQ: exact digests only.") var off = false
    @Option(name: .customLong("pdq-threshold"), help: "A PDQ within this many bits (of 256) of a known one is a match.")
    var threshold = PerceptualOptions.defaultThreshold
    @Option(name: .customLong("pdq-quality-floor"), help: "PDQ hashes of lower quality (0-100), on either side, are never matched.")
    var qualityFloor = PerceptualOptions.defaultQualityFloor
    @Flag(help: "Also match the 8 rotations and mirrors of each image.") var dihedral = false
    @Option(help: "exact: decode every image at full size; fast: decode large JPEGs at 1/2, 1/4 or 1/8 scale (short side kept ≥ 512 px).")
    var decode: DecodeMode = .exact
    @Option(help: "Refuse to decode images and video frames whose width x height exceeds this (disposition dimension-limit).")
    var maxPixels = DecodeOptions.defaultMaxPixels
    @Option(help: "Video frames sampled per second of video (plus scene changes).")
    var framesPerSecond = VideoOptions.defaultFramesPerSecond
    @Option(help: "At most this many frames per video; a longer video is sampled more sparsely.")
    var maxVideoFrames = VideoOptions.defaultMaxFrames
    @Option(help: "A frame whose mean luma differs from the previous decoded one by this much (0-255) is sampled too; 0: off.")
    var sceneThreshold = VideoOptions.defaultSceneThreshold

    func validate() throws {
        if !(0...256).contains(threshold) { throw ValidationError("--pdq-threshold must be between 0 and 256") }
        if !(0...100).contains(qualityFloor) { throw ValidationError("--pdq-quality-floor must be between 0 and 100") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
        if !(framesPerSecond > 0 && framesPerSecond <= 120) { throw ValidationError("--frames-per-second must be above 0 and at most 120") }
        if maxVideoFrames < 1 { throw ValidationError("--max-video-frames must be at least 1") }
        if !(0...255).contains(sceneThreshold) { throw ValidationError("--scene-threshold must be between 0 and 255") }
    }

    var options: PerceptualOptions {
        PerceptualOptions(enabled: !off, threshold: threshold, qualityFloor: qualityFloor, dihedral: dihedral,
                          decode: DecodeOptions(maxPixels: maxPixels,
                                                jpegMinimumShortSide: decode == .fast ? PerceptualOptions.fastModeShortSide : nil),
                          video: VideoOptions(framesPerSecond: framesPerSecond, sceneThreshold: sceneThreshold, maxFrames: maxVideoFrames,
                                              maxPixels: maxPixels))
    }
}

/// The Expand stage's switches and limits, shared by `scan` and `inspect`.
struct ExpansionFlags: ParsableArguments {
    @Flag(name: .customLong("no-expand"), help: "Do not open archives and documents: treat them as plain files.") var off = false
    @Option(help: "Containers nested deeper than this are hashed but not opened (disposition max-depth).")
    var maxDepth = ExpansionOptions().maxDepth
    @Option(help: "Bytes that may be expanded from one evidence file, at every depth (disposition expansion-limit).")
    var maxExpandedBytes = ExpansionOptions().maxExpandedBytes
    @Option(help: "A container from which more than this many times its size comes out is a bomb (disposition ratio-limit).")
    var maxRatio = ExpansionOptions().maxRatio
    @Option(help: "Entries (members and directories) listed per container (disposition entry-limit).")
    var maxEntries = ExpansionOptions().maxEntries

    func validate() throws {
        if !(0...64).contains(maxDepth) { throw ValidationError("--max-depth must be between 0 and 64") }
        if maxExpandedBytes < 1 { throw ValidationError("--max-expanded-bytes must be at least 1") }
        if maxRatio < 1 { throw ValidationError("--max-ratio must be at least 1") }
        if maxEntries < 1 { throw ValidationError("--max-entries must be at least 1") }
    }

    var options: ExpansionOptions {
        ExpansionOptions(enabled: !off, maxDepth: maxDepth, maxExpandedBytes: maxExpandedBytes, maxRatio: maxRatio, maxEntries: maxEntries)
    }
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Triage evidence into the case: walk, identify, hash, match, record.",
        discussion: "Resumable: a killed scan continues where it stopped when the same command is run again.")

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, none, json
    }

    @Argument(help: "Evidence roots (mounted read-only).") var roots: [String]
    @OptionGroup var caseOption: CaseOption
    @Option(help: "The exhibit reference, e.g. ABC/1.") var exhibit: String
    @OptionGroup var database: DatabaseOption
    @Option(help: "Examiner name (default $TRIAGE_EXAMINER, else the login name).") var examiner: String?
    @Option(help: "Category profile of a new case: \(CategoryProfile.names.joined(separator: ", ")) (default uk). A case is locked to its profile.")
    var profile: String?
    @Option(help: "Worker threads (default: the number of cores).") var jobs = min(ProcessInfo.processInfo.activeProcessorCount, 256)
    @Flag(help: "Hash every file, not only images and videos.") var hashAll = false
    @OptionGroup var perceptual: PerceptualFlags
    @OptionGroup var expansion: ExpansionFlags
    @Option(help: "Progress on stderr: auto (a line when stderr is a terminal), none, or json (one JSON object per line).")
    var progress: ProgressMode = .auto
    @Flag(help: "Print the final summary as JSON.") var json = false
    @Option(help: ArgumentHelp("Items per committed batch.", visibility: .hidden)) var batchSize = 500
    @Option(help: ArgumentHelp("Tests only: exit abruptly after this many batches.", visibility: .hidden))
    var simulateKillAfterBatches: Int?
    @Option(help: "Seconds a worker may make no progress (a library call that does not return) before its item is recorded as stalled and another worker takes over; 0: never.")
    var stallLimit = ScanOptions.defaultStallLimit
    @Option(help: ArgumentHelp("Tests only: decoding an image of this file name never returns.", visibility: .hidden))
    var simulateStallOn: String?

    func validate() throws {
        if !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256") }
        if exhibit.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--exhibit must not be empty") }
        // The watchdog looks once a second.
        if !(stallLimit == 0 || (stallLimit >= 1 && stallLimit.isFinite)) { throw ValidationError("--stall-limit must be 0 (never) or at least 1 second") }
        try validateProfile(profile)
        try perceptual.validate()
        try expansion.validate()
    }

    func run() throws {
        let name = examinerName(examiner) ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let absoluteRoots = roots.map { ($0 as NSString).isAbsolutePath ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            .map { ($0 as NSString).standardizingPath }
        let (scanner, store) = try Console.setup { () throws -> (ScanPipeline, CaseStore) in
            let hashDatabase = try SQLiteHashDatabase(path: database.path ?? SQLiteHashDatabase.defaultPath(), readOnly: true)
            _ = try ScanPipeline.openRoots(absoluteRoots)  // before the case is created
            let caseDirectory = ((caseOption.directory as NSString).isAbsolutePath ? caseOption.directory
                : FileManager.default.currentDirectoryPath + "/" + caseOption.directory) as NSString
            if let root = absoluteRoots.first(where: { (caseDirectory.standardizingPath + "/").hasPrefix($0 == "/" ? "/" : $0 + "/") }) {
                throw SetupError("the case directory \(caseOption.directory) is inside the evidence root \(root): triage never writes to the evidence; choose a --case outside it")
            }
            let store = try CaseStore(directory: caseOption.directory, create: true, profile: profile?.lowercased())
            return (try ScanPipeline(options: ScanOptions(roots: absoluteRoots, exhibit: exhibit, examiner: name, jobs: jobs, hashAll: hashAll,
                                                       batchSize: batchSize, simulateKillAfterBatches: simulateKillAfterBatches,
                                                       perceptual: perceptual.options, expansion: expansion.options,
                                                       stallLimit: stallLimit, simulateStallOnName: simulateStallOn),
                               hashDatabase: hashDatabase, store: store), store)
        }
        // Held while the scan runs, so that a report made meanwhile says it is interim.
        let scanLock = try Console.setup { try store.holdScanLock() }
        defer { withExtendedLifetime(scanLock) {} }
        for warning in try Console.setup({ try scanner.resumeWarnings() }) { Console.err("triage: warning: \(warning)\n") }
        let mode = progress == .auto ? (Console.stderrIsTerminal ? ProgressMode.auto : .none) : progress
        let summary = try Console.setup {
            try scanner.run { snapshot in
                switch mode {
                case .none: break
                case .auto:
                    let rate = snapshot.seconds > 0 ? Double(snapshot.items) / snapshot.seconds : 0
                    let megabytes = snapshot.seconds > 0 ? Double(snapshot.bytes) / snapshot.seconds / 1e6 : 0
                    Console.err(String(format: "\r%d items (%.0f/s, %.1f MB/s), %d images, %d videos, %d known, %d errors   ",
                                       snapshot.items, rate, megabytes, snapshot.stills, snapshot.videos, snapshot.known, snapshot.errors))
                case .json:
                    Console.err(Console.json(ProgressLine(snapshot)).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "  ", with: "") + "\n")
                }
            }
        }
        if mode == .auto { Console.err("\n") }
        // The exit status covers the exhibit, not only this run: a resumed scan must not turn
        // the errors of the run that was killed into a clean status.
        let exhibitErrors = try Console.setup { try store.errorCount(exhibit: exhibit) }
        if json {
            Console.out(Console.json(ProgressLine(summary)))
        } else {
            Console.out(String(format: "exhibit %@: %d items recorded (%d still images, %d videos, %d known to the database, %d of them perceptually), %d errors; %d already recorded by an earlier run; %.1f s\n",
                               SafeText.display(exhibit), summary.items, summary.stills, summary.videos, summary.known, summary.perceptual, summary.errors,
                               summary.alreadyRecorded, summary.seconds))
            if exhibitErrors > 0 {
                Console.out("\(exhibitErrors) items of this exhibit could not be examined: `triage report --case \(caseOption.directory) --format text` lists them with reasons\n")
            }
        }
        if exhibitErrors > 0 { throw ExitCode(1) }
    }
}

/// One progress or summary object for scripts.
struct ProgressLine: Encodable {
    var items: Int
    var bytes: Int64
    var stills: Int
    var videos: Int
    var known: Int
    var knownPerceptually: Int
    var errors: Int
    var alreadyRecorded: Int
    var seconds: Double

    init(_ progress: ScanProgress) {
        items = progress.items
        bytes = progress.bytes
        stills = progress.stills
        videos = progress.videos
        known = progress.known
        knownPerceptually = progress.perceptual
        errors = progress.errors
        alreadyRecorded = progress.alreadyRecorded
        seconds = (progress.seconds * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey {
        case items, bytes, stills, videos, known, errors, seconds
        case alreadyRecorded = "already_recorded"
        case knownPerceptually = "known_perceptually"
    }
}
