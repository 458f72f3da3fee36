import CaseStore
import Foundation
import HashDatabase
import TriageCore

/// The Match and Record stages: looks media up in the hash database (perceptual matches arrive
/// with each result, found by the workers) and commits items to the
/// case in batches; the only writer of the case store during a scan.
///
/// `add` and `flush` run on the recorder thread. The walker thread calls `skipped` and reads
/// `failure`, so those (and the progress counts) are behind the lock.
final class Recorder: @unchecked Sendable {
    private let store: any CaseRecording
    private let lookup: any KnownHashLookup
    private let options: ScanOptions
    private let description: ScanDescription
    private let progressHandler: @Sendable (ScanProgress) -> Void
    private let lock = NSLock()
    private var scanID: Int64?
    private var batch: [RecordedItem] = []
    private var batchesCommitted = 0
    private var progress = ScanProgress()
    private let started = Date()
    private var lastReport = Date.distantPast
    private var failureValue: ScanError?

    /// The error that stopped the scan, if any. Read by the walker thread to stop early.
    var failure: ScanError? {
        get { lock.withLock { failureValue } }
        set { lock.withLock { failureValue = newValue } }
    }

    /// - Parameter startNow: record the scan's start at once; false when a finished scan of
    ///   the same roots exists, so that a re-run that finds nothing new writes nothing.
    init(store: any CaseRecording, lookup: any KnownHashLookup, options: ScanOptions,
         description: ScanDescription, startNow: Bool, progress: @escaping @Sendable (ScanProgress) -> Void) {
        self.store = store
        self.lookup = lookup
        self.options = options
        self.description = description
        progressHandler = progress
        if startNow { ensureStarted() }
    }

    func skipped() {
        lock.lock()
        progress.alreadyRecorded += 1
        lock.unlock()
    }

    /// - Parameter nearMatches: the item's perceptual matches (found by the worker); they count
    ///   only when no exact entry matches.
    func add(_ result: ItemResult, nearMatches: [KnownMatch], source: String) {
        guard failure == nil else { return }
        var matches: [KnownMatch] = []
        if result.kind.isMedia, let digests = result.digests {
            do {
                if case .found(let found) = try lookup.lookup(digests) { matches = found }
            } catch {
                // A failed lookup is never "not found": stop, so that a re-run can finish the job.
                failure = ScanError(message: "hash database lookup failed: \(error); the scan stopped (re-run it to continue)")
                return
            }
        }
        if matches.isEmpty { matches = nearMatches }
        lock.lock()
        progress.items += 1
        progress.bytes += result.digests != nil ? result.size : min(result.size, Int64(FileExaminer.headLength))
        if result.kind == .still { progress.stills += 1 }
        if result.kind == .moving { progress.videos += 1 }
        if !matches.isEmpty { progress.known += 1 }
        if matches.contains(where: { $0.basis == .perceptual }) { progress.perceptual += 1 }
        if result.disposition.isError { progress.errors += 1 }
        lock.unlock()
        batch.append(RecordedItem(result: result, matches: matches))
        if batch.count >= options.batchSize { flush(source: source) }
        if Date().timeIntervalSince(lastReport) >= 0.5 {
            lastReport = Date()
            progressHandler(snapshot())
        }
    }

    func flush(source: String) {
        guard failure == nil, !batch.isEmpty else { return }
        ensureStarted()
        guard let scanID else { return }
        do {
            try store.record(batch, exhibit: options.exhibit, source: source, scan: scanID)
            batch.removeAll(keepingCapacity: true)
            batchesCommitted += 1
            if let limit = options.simulateKillAfterBatches, batchesCommitted >= limit { _exit(137) }
        } catch {
            failure = ScanError(message: "cannot record results: \(error); the scan stopped (re-run it to continue)")
        }
    }

    func finish() throws -> ScanProgress {
        if let failure { throw failure }
        let final = snapshot()
        if let scanID {
            try store.finishScan(scanID, examiner: options.examiner, summary: [
                "items_recorded": final.items, "stills": final.stills, "videos": final.videos, "known": final.known,
                "known_perceptually": final.perceptual,
                "errors": final.errors, "already_recorded": final.alreadyRecorded,
            ])
        }
        progressHandler(final)
        return final
    }

    private func ensureStarted() {
        guard scanID == nil, failure == nil else { return }
        do {
            scanID = try store.beginScan(description)
        } catch {
            failure = ScanError(message: "cannot start the scan in the case: \(error)")
        }
    }

    private func snapshot() -> ScanProgress {
        lock.lock()
        defer { lock.unlock() }
        var copy = progress
        copy.seconds = Date().timeIntervalSince(started)
        return copy
    }
}
