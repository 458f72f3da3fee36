import Foundation
import TriageCore

/// Reads hash-set files into a known-hash store: detects the format, maps category codes
/// through the profile's table, and reports every refused record with its location.
public struct HashSetImporter {
    public var store: any KnownHashStore
    /// The profile whose category table maps numeric codes (VICS) to categories.
    public var profile: String

    public init(store: any KnownHashStore, profile: String = "uk") {
        self.store = store
        self.profile = profile
    }

    /// The outcome of importing one file.
    public struct Outcome: Sendable {
        public var record: ImportRecord
        public var format: String
        /// The first problems found (at most `problemLimit`); `record.counts.rejected` has them all.
        public var problems: [ImportProblem]
    }

    public static let problemLimit = 1000

    /// Imports one file as one transaction.
    ///
    /// - Parameters:
    ///   - format: a name from `HashSetFormats`, or nil to detect it from the content.
    ///   - category: the category of records that carry none (digest lists, hashdeep).
    ///   - source: the name stored with each entry; the file name by default.
    ///   - knownGood: import as a known-good set (category N, basis `known-good`, never
    ///     queued); always so for NSRL formats.
    /// - Throws: `HashDatabaseError` when the file cannot be read as the format at all; then
    ///   nothing from it is kept.
    public func importFile(_ path: String, format: String? = nil, category: Category? = nil,
                           source: String? = nil, knownGood: Bool = false) throws -> Outcome {
        // One pass over the file: detection, reading and its SHA-256 all come from one reader.
        let reader = try ChunkReader(path: path)
        let head = try reader.peek()
        let formatType: any HashSetFormat.Type
        if let format {
            guard let named = HashSetFormats.named(format) else {
                throw HashDatabaseError("unknown hash-set format \(format); known: \(HashSetFormats.names.joined(separator: ", "))", isUsage: true)
            }
            formatType = named
        } else {
            guard let detected = HashSetFormats.detect(head: head) else {
                throw HashDatabaseError("\(path): cannot tell the hash-set format from its content (it is not VICS JSON, hashdeep, an EnCase .hash, NSRL NSRLFile.txt or RDSv3, HashKeeper, an md5sum/sha1sum/sha256sum list or a PDQ list); give --format (csv and icse are never guessed)")
            }
            formatType = detected
        }
        let knownGood = knownGood || formatType.isKnownGood
        if knownGood, let category, category != .n {
            throw HashDatabaseError("a known-good set is category N (not indecent); --category \(category.rawValue) contradicts it", isUsage: true)
        }
        let category = knownGood ? Category.n : category
        if !formatType.carriesCategories && category == nil {
            throw HashDatabaseError("\(path) is a \(formatType.name) list, which carries no categories: give --category A|B|C|N", isUsage: true)
        }
        let map = try store.categoryMap(profile: profile)
        let sourceName = source ?? (path as NSString).lastPathComponent
        var problems: [ImportProblem] = []
        // The smallest record of any format is a bare MD5 line, 33 bytes.
        let expected = reader.regularFileSize.map { Int($0 / 33) }
        let description = ImportDescription(fileName: path, format: formatType.name, source: sourceName, expectedRecords: expected)
        // Reading and parsing run on a second thread, inserting on this one (SQLite's connection
        // stays on the thread that opened the transaction): on two cores an import takes about as
        // long as the slower of the two instead of their sum.
        let reading = ReadingThread(reader: reader, format: formatType, map: map, category: category, knownGood: knownGood,
                                    source: sourceName, profile: profile)
        let record = try store.importing(description) { add in
            reading.start()
            var counts = ImportCounts()
            do {
                while let batch = reading.batches.pop() {
                    for entry in batch {
                        if try add(entry) { counts.added += 1 } else { counts.alreadyPresent += 1 }
                    }
                }
            } catch {
                reading.stop()
                throw error
            }
            try reading.finish()
            counts.read = reading.read
            counts.rejected = reading.rejected
            problems = reading.problems
            // The file's own SHA-256 goes into the import history, so the exact release is on record.
            counts.fileSHA256 = try reader.finishDigest()
            return counts
        }
        return Outcome(record: record, format: formatType.name, problems: problems)
    }
}

/// The reading half of an import: parses the file on a thread of its own and hands entries over
/// in batches. Its counts and problems are read only after `finish`.
private final class ReadingThread: @unchecked Sendable {  // state handed over by `finish` (a join)
    let batches = BlockingQueue<[KnownEntry]>(capacity: 8)
    private(set) var read = 0
    private(set) var rejected = 0
    private(set) var problems: [ImportProblem] = []
    private var failure: Error?
    private var stopped = false
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private let reader: ChunkReader
    private let format: any HashSetFormat.Type
    private let map: CategoryMap
    private let category: Category?
    private let knownGood: Bool
    private let source: String
    private let profile: String

    static let batchSize = 4096

    init(reader: ChunkReader, format: any HashSetFormat.Type, map: CategoryMap, category: Category?, knownGood: Bool,
         source: String, profile: String) {
        self.reader = reader
        self.format = format
        self.map = map
        self.category = category
        self.knownGood = knownGood
        self.source = source
        self.profile = profile
    }

    func start() {
        let thread = Thread { [self] in
            run()
            batches.close()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The inserting side failed: reading stops at the next record.
    func stop() {
        lock.withLock { stopped = true }
        // Unblock a push waiting on a full queue.
        while batches.pop() != nil {}
        done.wait()
    }

    /// Waits for the reading thread; rethrows what stopped it.
    func finish() throws {
        done.wait()
        if let failure { throw failure }
    }

    private struct Stopped: Error {}

    private func run() {
        var batch: [KnownEntry] = []
        batch.reserveCapacity(Self.batchSize)
        func reject(_ problem: ImportProblem) {
            rejected += 1
            if problems.count < HashSetImporter.problemLimit { problems.append(problem) }
        }
        do {
            try format.read(reader, record: { item in
                read += 1
                let resolved: Category?
                if knownGood {
                    resolved = .n
                } else if let code = item.categoryCode, !code.isEmpty {
                    resolved = map.category(forCode: code)
                    if resolved == nil {
                        reject(ImportProblem(location: item.location, message: "category code \(SafeText.display(Array(code.utf8.prefix(20)))) has no mapping in profile \(profile); map it with `triage hashdb map`"))
                        return
                    }
                } else {
                    resolved = category
                    if resolved == nil {
                        reject(ImportProblem(location: item.location, message: "no category in the record; give --category"))
                        return
                    }
                }
                batch.append(KnownEntry(md5: item.md5, sha1: item.sha1, sha256: item.sha256, pdq: item.pdq, pdqQuality: item.pdqQuality,
                                        category: resolved!, source: source, knownGood: knownGood))
                if batch.count == Self.batchSize {
                    if lock.withLock({ stopped }) { throw Stopped() }
                    batches.push(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }, problem: { problem in
                read += 1  // a damaged record is still a record read
                reject(problem)
            })
            if !batch.isEmpty { batches.push(batch) }
        } catch is Stopped {
        } catch {
            failure = error
        }
    }
}
