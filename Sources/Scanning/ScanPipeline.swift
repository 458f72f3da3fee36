import CaseStore
import Evidence
import Foundation
import HashDatabase
import Identification
import Imaging
import TriageCore

/// Settings of one scan run.
public struct ScanOptions: Sendable {
    public var roots: [String]
    public var exhibit: String
    public var examiner: String
    /// Worker threads for reading, identifying and hashing.
    public var jobs: Int
    /// Hash every file, not only images and videos.
    public var hashAll: Bool
    /// Items per committed batch: a killed scan loses at most this many.
    public var batchSize: Int
    /// For tests of resumption: end the process abruptly (as `kill -9` would) once this many
    /// batches are committed.
    public var simulateKillAfterBatches: Int?
    /// Decoding, PDQ and perceptual matching.
    public var perceptual: PerceptualOptions
    /// Opening archives and documents, and its limits.
    public var expansion: ExpansionOptions
    /// Seconds a worker may go without progress (a library call that does not return) before
    /// its item is recorded as `stalled` and another worker takes over; 0: never.
    public var stallLimit: Double
    /// For tests of the watchdog: decoding an image of this file name never returns.
    public var simulateStallOnName: String?

    public static let defaultStallLimit: Double = 900

    public init(roots: [String], exhibit: String, examiner: String, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                hashAll: Bool = false, batchSize: Int = 500, simulateKillAfterBatches: Int? = nil,
                perceptual: PerceptualOptions = PerceptualOptions(), expansion: ExpansionOptions = ExpansionOptions(),
                stallLimit: Double = ScanOptions.defaultStallLimit, simulateStallOnName: String? = nil) {
        self.perceptual = perceptual
        self.expansion = expansion
        self.stallLimit = max(0, stallLimit)
        self.simulateStallOnName = simulateStallOnName
        self.roots = roots
        self.exhibit = exhibit
        self.examiner = examiner
        self.jobs = max(1, jobs)
        self.hashAll = hashAll
        self.batchSize = max(1, batchSize)
        self.simulateKillAfterBatches = simulateKillAfterBatches
    }
}

/// Counts of a scan run, reported as it goes and at the end.
public struct ScanProgress: Sendable, Equatable {
    /// Items recorded by this run.
    public var items = 0
    /// Bytes read by this run.
    public var bytes: Int64 = 0
    public var stills = 0
    public var videos = 0
    /// Media the database knew (exactly or perceptually).
    public var known = 0
    /// Of those, images known only by a perceptual match.
    public var perceptual = 0
    /// Items that could not be examined (unreadable, identification failed).
    public var errors = 0
    /// Items an earlier run already recorded, skipped now.
    public var alreadyRecorded = 0
    public var seconds: Double = 0

    public init() {}
}

/// A failure that stops the whole scan (not a per-item failure, which is recorded).
public struct ScanError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Runs the pipeline over evidence roots: Walk → Identify → Hash → Match → Record.
///
/// The calling thread walks; `jobs` worker threads each read, identify and hash one file at a
/// time; one recorder thread looks each medium up in the hash database and commits batches to
/// the case. Queues between them are bounded, so memory does not grow with the evidence.
public final class ScanPipeline {
    /// What the scan records about the hash database it matched against.
    public struct DatabaseFacts: Sendable {
        public var path: String
        public var fingerprint: String
        public var entries: Int
        public var sources: [String]
        /// The category-code tables the database used, "profile uk: 0→N, 1→A, 2→B, 3→C".
        public var categoryCodes: String?
        /// Entries from known-good sets (NSRL).
        public var knownGoodEntries: Int

        public init(path: String, fingerprint: String, entries: Int, sources: [String], categoryCodes: String? = nil, knownGoodEntries: Int = 0) {
            self.path = path
            self.fingerprint = fingerprint
            self.entries = entries
            self.sources = sources
            self.categoryCodes = categoryCodes
            self.knownGoodEntries = knownGoodEntries
        }
    }

    public let options: ScanOptions
    let hashDatabase: any KnownHashLookup
    let hashDatabaseFacts: DatabaseFacts
    let store: any CaseRecording
    /// The database's PDQ hashes (quality at or above the floor), for perceptual matches.
    let perceptualIndex: PDQIndex
    /// The database's known videos (vPDQ), for matching videos' frames.
    let knownVideos: KnownVideoIndex

    public init(options: ScanOptions, hashDatabase: any KnownHashLookup, facts: DatabaseFacts, store: any CaseRecording,
                perceptualIndex: PDQIndex = PDQIndex([]), knownVideos: KnownVideoIndex = KnownVideoIndex([], qualityFloor: 0)) {
        self.options = options
        self.hashDatabase = hashDatabase
        hashDatabaseFacts = facts
        self.store = store
        self.perceptualIndex = perceptualIndex
        self.knownVideos = knownVideos
    }

    /// A scan against a SQLite hash database, whose facts are read from it.
    public convenience init(options: ScanOptions, hashDatabase: SQLiteHashDatabase, store: any CaseRecording) throws {
        let info = try hashDatabase.info()
        let floor = options.perceptual.qualityFloor
        let index = options.perceptual.enabled ? try hashDatabase.perceptualIndex(qualityFloor: floor) : PDQIndex([])
        let videos = options.perceptual.enabled ? try hashDatabase.knownVideoIndex(qualityFloor: floor) : KnownVideoIndex([], qualityFloor: floor)
        self.init(options: options, hashDatabase: hashDatabase,
                  facts: DatabaseFacts(path: hashDatabase.path, fingerprint: info.fingerprint, entries: info.entries,
                                       sources: info.sources.keys.sorted(),
                                       categoryCodes: info.categoryMaps.map { "profile \($0.profile): \($0.summary)" }.joined(separator: "; "),
                                       knownGoodEntries: info.knownGoodEntries),
                  store: store, perceptualIndex: index, knownVideos: videos)
    }

    /// Runs the scan. `progress` is called from the recorder thread about twice a second and
    /// once at the end.
    public func run(progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }) throws -> ScanProgress {
        let roots = try Self.openRoots(options.roots)
        let alreadyComplete = try store.hasFinishedScan(exhibit: options.exhibit, roots: options.roots)
        let decodeCache = DecodeCache()
        let makeExaminer = { @Sendable [options] () throws(IdentificationError) -> FileExaminer in
            let examiner = try FileExaminer(hashAll: options.hashAll, perceptual: options.perceptual, expansion: options.expansion,
                                            decodeCache: decodeCache)
            examiner.stallOnName = options.simulateStallOnName.map { Array($0.utf8) }
            return examiner
        }
        // One examiner per worker slot, for every root; the watchdog replaces a stuck one.
        let examiners: Protected<[FileExaminer]>
        do {
            examiners = Protected(try (0..<options.jobs).map { _ throws(IdentificationError) in try makeExaminer() })
        } catch {
            throw ScanError(message: "cannot start libmagic: \(error.message); is libmagic's database (libmagic-mgc) installed?")
        }

        let recorder = Recorder(store: store, lookup: hashDatabase, options: options, description: ScanDescription(
            exhibit: options.exhibit, roots: options.roots, examiner: options.examiner, hashDatabasePath: hashDatabaseFacts.path,
            hashDatabaseFingerprint: hashDatabaseFacts.fingerprint, hashDatabaseEntries: hashDatabaseFacts.entries,
            hashDatabaseSources: hashDatabaseFacts.sources, settings: settings()), startNow: !alreadyComplete, progress: progress)

        for root in roots {
            let recorded = try store.recordedPaths(exhibit: options.exhibit, source: root.path)
            let work = BlockingQueue<WalkEntry>(capacity: 1024)
            // The recorder is woken for every 64 results: it keeps up, so it would otherwise sleep
            // and wake for each.
            let results = BlockingQueue<(ItemResult, near: [KnownMatch])>(capacity: 1024, wakeAt: 64)
            let matcher = PerceptualMatcher(index: perceptualIndex, videos: knownVideos, options: options.perceptual)
            let workersDone = DispatchGroup()
            let watches = Protected<[WorkerWatch]>([])
            let startWorker = { @Sendable (slot: Int) in
                let examiner = examiners.value[slot]
                let watch = WorkerWatch(slot: slot)
                watches.mutate { $0.append(watch) }
                examiner.working = { watch.working(on: $0) }
                examiner.progressed = { watch.alive() }
                // Perceptual lookups run here, on every worker, not on the single recorder thread:
                // against a national hash set each costs a fraction of a millisecond.
                let thread = Thread { [work, results] in
                    while let entry = work.pop() {
                        watch.begin(entry)
                        examiner.examine(entry, in: root) { result in
                            watch.deliver(result) {
                                // Members an earlier, killed run recorded before it reached their container's end.
                                if result.path.depth > 0, recorded.contains(result.path.bytes) { return recorder.skipped() }
                                results.push((result, matcher.matches(for: result)))
                            }
                        }
                        // Given up by the watchdog, which left the group for this thread.
                        if watch.isAbandoned { return }
                    }
                    workersDone.leave()
                }
                workersDone.enter()
                // Nested containers run libarchive, zlib and qpdf several levels deep on this stack.
                thread.stackSize = 8 << 20
                thread.start()
            }
            (0..<options.jobs).forEach(startWorker)
            let recorderDone = DispatchSemaphore(value: 0)
            let recorderThread = Thread { [results] in
                while let (result, near) = results.pop() { recorder.add(result, nearMatches: near, source: root.path) }
                recorder.flush(source: root.path)
                recorderDone.signal()
            }
            recorderThread.start()

            // Once a second: a worker with no progress for the stall limit is given up; its item
            // is recorded and a new worker, with a new examiner (the stuck thread still uses the
            // old one), takes its slot. It joins the group before the stuck one leaves it, so the
            // group never looks finished early.
            let workersFinished = DispatchSemaphore(value: 0)
            let watchdogDone = DispatchSemaphore(value: 0)
            let watchdogThread = Thread { [work, results, options] in
                var watchdog = Watchdog(limit: options.stallLimit)
                while true {
                    watchdog.resting()
                    guard workersFinished.wait(timeout: .now() + 1) == .timedOut else { break }
                    for givenUp in watchdog.look(at: watches.value) {
                        let watch = givenUp.watch
                        // Members an earlier run recorded stay as they were (as in the workers).
                        for result in givenUp.stalled where !(result.path.depth > 0 && recorded.contains(result.path.bytes)) {
                            results.push((result, matcher.matches(for: result)))
                        }
                        if let sha256 = givenUp.stuckDecoding { decodeCache.keepStalled(forSHA256: sha256) }
                        do {
                            let fresh = try makeExaminer()
                            examiners.mutate { $0[watch.slot] = fresh }
                            startWorker(watch.slot)
                        } catch {
                            recorder.failure = ScanError(message: "a worker stalled and no other could start (\(error)); the scan stopped (re-run it to continue)")
                            work.close()
                        }
                        workersDone.leave()
                    }
                }
                watchdogDone.signal()
            }
            watchdogThread.start()

            // A failure that stops the scan (a lookup or a commit) also stops the walk.
            Walker(root: root).walk(until: { recorder.failure != nil }) { entry in
                if recorded.contains(entry.relativePath) {
                    recorder.skipped()
                } else if entry.kind == .regularFile {
                    work.push(entry)
                } else {
                    results.push((entry.unreadResult(), []))
                }
            }
            work.close()
            workersDone.wait()
            workersFinished.signal()
            watchdogDone.wait()
            results.close()
            recorderDone.wait()
            if let failure = recorder.failure { throw failure }
        }
        return try recorder.finish()
    }

    /// What an examiner must know before this run continues an unfinished one: a different
    /// hash database or different settings would make one exhibit's items inconsistent.
    public func resumeWarnings() throws -> [String] {
        let roots = options.roots.sorted()
        let current = settings()
        var warnings: [String] = []
        for scan in try store.scans().unfinished where scan.exhibit == options.exhibit && scan.roots == roots {
            if let fingerprint = scan.hashDatabaseFingerprint, fingerprint != hashDatabaseFacts.fingerprint {
                warnings.append("run \(scan.id) of this exhibit stopped before the end and was matched against another hash database (fingerprint \(fingerprint), now \(hashDatabaseFacts.fingerprint)); items it recorded keep its matches")
            }
            let changed = current.keys.filter { $0 != "clock" && scan.settings[$0] != nil && scan.settings[$0] != current[$0] }.sorted()
            if !changed.isEmpty {
                warnings.append("run \(scan.id) of this exhibit stopped before the end with other settings (\(changed.joined(separator: ", "))); items it recorded keep them")
            }
        }
        return warnings
    }

    /// Opens every evidence root, or says which one cannot be read (before anything is written).
    public static func openRoots(_ paths: [String]) throws -> [EvidenceRoot] {
        do {
            return try paths.map { path throws(SystemError) in try EvidenceRoot(path: path) }
        } catch {
            throw ScanError(message: "cannot read evidence root \(error.path): \(error.message); check the path")
        }
    }

    /// "1", "0.5": a setting's number without a trailing ".0".
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The settings that affect results, recorded with the scan and shown in reports.
    func settings() -> [String: String] {
        var settings = [
            "hash_all": String(options.hashAll),
            "libmagic": ContentIdentifier.libraryVersion,
            "libmagic_flags": "0x" + String(ContentIdentifier.flags, radix: 16),
            "libmagic_database": ContentIdentifier.Database.configured.description,
            "identify_head_bytes": String(FileExaminer.headLength),
            "match": "exact: sha256, sha1 and md5 all looked up; disagreeing categories leave the item pending",
            "perceptual": options.perceptual.modeDescription,
        ]
        if options.perceptual.enabled {
            settings["pdq"] = "library semantics (whole image, no 512x512 pre-resize)"
            settings["pdq_threshold"] = String(options.perceptual.threshold)
            settings["pdq_quality_floor"] = String(options.perceptual.qualityFloor)
            settings["pdq_dihedral"] = String(options.perceptual.dihedral)
            settings["decode_max_pixels"] = String(options.perceptual.decode.maxPixels)
            settings["decode_max_side"] = String(DecodeOptions.maxSide)
            settings["decode_max_bytes"] = String(options.perceptual.maxDecodeBytes)
            settings["decoders"] = ImageDecoders.libraryVersions
            settings["pdq_index_entries"] = String(perceptualIndex.count)
            if !knownVideos.isEmpty {
                settings["known_videos"] = String(knownVideos.videos.count)
                settings["known_video_share"] = Self.number(KnownVideoIndex.defaultMinimumShare * 100)
            }
            settings["video_frames_per_second"] = Self.number(options.perceptual.video.framesPerSecond)
            settings["video_scene_threshold"] = Self.number(options.perceptual.video.sceneThreshold)
            settings["video_max_frames"] = String(options.perceptual.video.maxFrames)
            settings["video_time_limit"] = Self.number(options.perceptual.video.timeLimit)
            settings["video_decoder"] = "FFmpeg (\(VideoReader.versions))"
        }
        settings["stall_limit"] = options.stallLimit > 0 ? Self.number(options.stallLimit) : "none"
        settings.merge(options.expansion.settings) { $1 }
        if let codes = hashDatabaseFacts.categoryCodes, !codes.isEmpty { settings["category_codes"] = codes }
        if hashDatabaseFacts.knownGoodEntries > 0 { settings["known_good_entries"] = String(hashDatabaseFacts.knownGoodEntries) }
        if options.expansion.enabled { settings["containers"] = ContainerFormats.libraryVersions }
        // A pinned clock (for reproducible tests) must never pass unnoticed in casework.
        if let fixed = ProcessInfo.processInfo.environment["TRIAGE_FIXED_TIME"], !fixed.isEmpty {
            settings["clock"] = "fixed by TRIAGE_FIXED_TIME to \(fixed)"
        }
        return settings
    }
}
