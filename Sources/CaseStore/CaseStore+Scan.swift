import Crypto
import Foundation
import GRDB
import TriageCore

/// One item as the scan records it: what the pipeline found and what the database matched.
public struct RecordedItem: Sendable {
    public var result: ItemResult
    public var matches: [KnownMatch]

    public init(result: ItemResult, matches: [KnownMatch]) {
        self.result = result
        self.matches = matches
    }
}

/// What a scan run records about itself.
public struct ScanDescription: Sendable {
    public var exhibit: String
    public var roots: [String]
    public var examiner: String
    public var hashDatabasePath: String
    public var hashDatabaseFingerprint: String
    public var hashDatabaseEntries: Int
    public var hashDatabaseSources: [String]
    /// Settings that affect results (limits, flags, versions), recorded for the report.
    public var settings: [String: String]

    public init(exhibit: String, roots: [String], examiner: String, hashDatabasePath: String, hashDatabaseFingerprint: String,
                hashDatabaseEntries: Int, hashDatabaseSources: [String], settings: [String: String]) {
        self.exhibit = exhibit
        self.roots = roots
        self.examiner = examiner
        self.hashDatabasePath = hashDatabasePath
        self.hashDatabaseFingerprint = hashDatabaseFingerprint
        self.hashDatabaseEntries = hashDatabaseEntries
        self.hashDatabaseSources = hashDatabaseSources
        self.settings = settings
    }
}

/// What a scan needs of a case store: the narrow interface that a PostgreSQL store can also
/// implement (DESIGN.md "Storage"). SQL stays inside the store.
public protocol CaseRecording: AnyObject, Sendable {
    func recordedPaths(exhibit: String, source: String) throws -> Set<[UInt8]>
    func hasFinishedScan(exhibit: String, roots: [String]) throws -> Bool
    func beginScan(_ scan: ScanDescription) throws -> Int64
    func record(_ items: [RecordedItem], exhibit: String, source: String, scan: Int64) throws
    func finishScan(_ scan: Int64, examiner: String, summary: [String: Int]) throws
    /// Every scan run, oldest first.
    func scans() throws -> [ScanRecord]
}

extension CaseStore: CaseRecording {
    /// Paths already recorded for one exhibit and root: a resumed scan skips them.
    public func recordedPaths(exhibit: String, source: String) throws -> Set<[UInt8]> {
        try read { db in
            var paths = Set<[UInt8]>()
            let cursor = try Data.fetchCursor(db, sql: "SELECT path FROM items WHERE exhibit = ? AND source = ?", arguments: [exhibit, source])
            while let path = try cursor.next() { paths.insert(Array(path)) }
            return paths
        }
    }

    /// True when a finished scan of this exhibit covered exactly these roots (in any order).
    public func hasFinishedScan(exhibit: String, roots: [String]) throws -> Bool {
        let rootsJSON = AuditLog.canonicalJSON(["roots": roots.sorted()])
        return try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM scans WHERE exhibit = ? AND roots = ? AND finished IS NOT NULL)",
                              arguments: [exhibit, rootsJSON]) ?? false
        }
    }

    /// Starts a scan run: the exhibit, a `scans` row and a `scan-start` audit entry, committed.
    public func beginScan(_ scan: ScanDescription) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO exhibits(ref, created) VALUES (?, ?)", arguments: [scan.exhibit, Self.timestamp()])
            let resumed = try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE exhibit = ?", arguments: [scan.exhibit]) ?? 0
            try db.execute(sql: """
                INSERT INTO scans(exhibit, roots, examiner, started, hashdb_path, hashdb_fingerprint, hashdb_entries, hashdb_sources, settings)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [scan.exhibit, AuditLog.canonicalJSON(["roots": scan.roots.sorted()]), scan.examiner, Self.timestamp(),
                                 scan.hashDatabasePath, scan.hashDatabaseFingerprint, scan.hashDatabaseEntries,
                                 AuditLog.canonicalJSON(["sources": scan.hashDatabaseSources]),
                                 AuditLog.canonicalJSON(scan.settings)])
            let id = db.lastInsertedRowID
            try AuditLog.append(db, actor: scan.examiner, action: "scan-start", detail: [
                "scan": id, "exhibit": scan.exhibit, "roots": scan.roots, "items_already_recorded": resumed,
                "hashdb_fingerprint": scan.hashDatabaseFingerprint, "hashdb_entries": scan.hashDatabaseEntries,
                "settings": scan.settings,
            ])
            return id
        }
    }

    /// Records one batch of items and their matches in one transaction: a killed scan loses at
    /// most the batch in flight.
    public func record(_ items: [RecordedItem], exhibit: String, source: String, scan: Int64) throws {
        guard !items.isEmpty else { return }
        try write { db in
            let insertItem = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO items(exhibit, source, path, depth, size, mtime, atime, ctime, disposition, reason, mime, kind,
                    extension_mismatch, md5, sha1, sha256, link_target, scan_id, decoder, width, height, scale, pdq, pdq_quality, dihedral,
                    parent_pdq_distance, video, frames)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertMatch = try db.makeStatement(sql: """
                INSERT INTO matches(item_id, category, basis, hash_type, source, distance, known_pdq, variant, frames, known_video)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var inserted = 0
            var firstID: Int64?
            var lastID: Int64 = 0
            for item in items {
                let r = item.result
                var path = r.path.bytes
                var reason = r.reason
                func bind() {
                    insertItem.setUncheckedArguments([
                        exhibit, source, Data(path), r.path.depth, r.size, r.times.modified, r.times.accessed, r.times.changed,
                        r.disposition.rawValue, reason, r.mime, r.kind.rawValue, r.extensionMismatch,
                        r.digests.map { Data($0.md5) }, r.digests.map { Data($0.sha1) }, r.digests.map { Data($0.sha256) },
                        r.linkTarget.map { Data($0) }, scan,
                        r.image?.decoder, r.image?.width, r.image?.height, r.image?.scaleDenominator,
                        r.pdq.map { Data($0.hash.bytes) }, r.pdq?.quality, r.dihedral.map { Data($0.flatMap(\.bytes)) },
                        r.parentDistance, r.video.map(Self.json), r.frames.map { Data(VideoFrameHash.pack($0)) },
                    ])
                }
                bind()
                try insertItem.execute()
                if db.changesCount == 0 {
                    // The path is recorded already. By an earlier run: a resumed scan meets again
                    // what it had recorded, and skips it. By this run: another item whose path
                    // reads the same (a file named `photo.jpg!exif-thumbnail` beside the photo's
                    // thumbnail; a folder `a!` beside a zip `a`): kept, with the path made unique.
                    let recordedBy = try Int64.fetchOne(db, sql: "SELECT scan_id FROM items WHERE exhibit = ? AND source = ? AND path = ?",
                                                        arguments: [exhibit, source, Data(path)])
                    guard recordedBy == scan else { continue }
                    var copy = 2
                    repeat {
                        path = r.path.bytes + Array(" (same path as another item, \(copy))".utf8)
                        copy += 1
                    } while try Bool.fetchOne(db, sql: "SELECT 1 FROM items WHERE exhibit = ? AND source = ? AND path = ?",
                                              arguments: [exhibit, source, Data(path)]) == true
                    let note = "its path reads the same as another item's (a name holding `!`), so \"(same path as another item, \(copy - 1))\" was added to it; it cannot be read back by this path"
                    reason = reason.map { $0 + "; " + note } ?? note
                    bind()
                    try insertItem.execute()
                }
                inserted += 1
                let itemID = db.lastInsertedRowID
                if firstID == nil { firstID = itemID }
                lastID = itemID
                for match in item.matches {
                    insertMatch.setUncheckedArguments([itemID, match.category.rawValue, match.basis.rawValue, match.hashType.rawValue, match.source,
                                                       match.perceptual?.distance, match.perceptual.map { Data($0.knownHash.bytes) },
                                                       match.perceptual?.variant.rawValue, match.frames.map(Self.frameList),
                                                       match.knownVideo.map(Self.json)])
                    try insertMatch.execute()
                }
            }
            try db.execute(sql: "UPDATE scans SET items_recorded = items_recorded + ? WHERE id = ?", arguments: [inserted, scan])
            // The batch's rows, as stored, are sealed in the audit chain: `verify` recomputes
            // the digest, so an edited, added or deleted item or match is found.
            if let firstID {
                try AuditLog.append(db, actor: "triage", action: "record", detail: [
                    "scan": scan, "first_item": firstID, "last_item": lastID, "items": inserted,
                    "digest": try Self.itemsDigest(db, from: firstID, to: lastID),
                    ])
            }
        }
    }

    /// A video's facts (or a known-video match) as stored: JSON with sorted keys, so the sealed bytes are stable.
    static func json(_ facts: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(facts)) ?? Data(), as: UTF8.self)
    }

    /// Frame times as stored on a match: microseconds, comma-separated.
    static func frameList(_ times: [Int64]) -> String { times.map(String.init).joined(separator: ",") }

    /// SHA-256 over the stored items with ids in `from...to` and their matches, in id order.
    /// Computed from the database both when a batch is recorded and when `verify` checks it,
    /// so the two can only differ if the rows changed. Every value is written with a type tag
    /// and a length, so no content can be mistaken for a field boundary.
    static func itemsDigest(_ db: Database, from: Int64, to: Int64) throws -> String {
        var hasher = SHA256()
        var line: [UInt8] = []
        func field(_ value: DatabaseValue) {
            switch value.storage {
            case .null: line += Array("n;".utf8)
            case .int64(let number): line += Array("i\(number);".utf8)
            case .double(let number): line += Array("d\(number);".utf8)
            case .string(let text): line += Array("s\(text.utf8.count):".utf8) + Array(text.utf8) + [UInt8(ascii: ";")]
            case .blob(let data): line += Array("b\(data.count):".utf8) + Array(data) + [UInt8(ascii: ";")]
            }
        }
        // Columns added by later migrations are sealed by name and only when set, so batches
        // recorded before them keep their digest.
        func laterFields(_ row: Row, _ columns: [String]) {
            for column in columns {
                let value: DatabaseValue = row[column]
                guard !value.isNull else { continue }
                line += Array("\(column)=".utf8)
                field(value)
            }
        }
        let itemColumns = "id, exhibit, source, path, depth, size, mtime, atime, ctime, disposition, reason, mime, kind, "
            + "extension_mismatch, md5, sha1, sha256, link_target, scan_id"
        let laterItemColumns = ["decoder", "width", "height", "scale", "pdq", "pdq_quality", "dihedral", "parent_pdq_distance",
                                "video", "frames"]
        let laterMatchColumns = ["distance", "known_pdq", "variant", "frames", "known_video"]
        let items = try Row.fetchCursor(db, sql: """
            SELECT \(itemColumns), \(laterItemColumns.joined(separator: ", ")) FROM items WHERE id BETWEEN ? AND ? ORDER BY id
            """, arguments: [from, to])
        let matches = try Row.fetchAll(db, sql: """
            SELECT item_id, category, basis, hash_type, source, \(laterMatchColumns.joined(separator: ", ")) FROM matches
            WHERE item_id BETWEEN ? AND ?
            ORDER BY item_id, category, basis, hash_type, source, distance, known_pdq, variant, frames, known_video
            """, arguments: [from, to])
        var next = matches.startIndex
        while let row = try items.next() {
            line.removeAll(keepingCapacity: true)
            for value in row.databaseValues.prefix(19) { field(value) }
            laterFields(row, laterItemColumns)
            let id: Int64 = row["id"]
            while next < matches.endIndex, matches[next]["item_id"] as Int64 == id {
                line += Array("m".utf8)
                for value in matches[next].databaseValues.dropFirst().prefix(4) { field(value) }
                laterFields(matches[next], laterMatchColumns)
                next += 1
            }
            line.append(UInt8(ascii: "\n"))
            line.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return Hex.encode(hasher.finalize())
    }

    /// Ends a scan run with a `scan-end` audit entry carrying its counts.
    public func finishScan(_ scan: Int64, examiner: String, summary: [String: Int]) throws {
        try write { db in
            try db.execute(sql: "UPDATE scans SET finished = ? WHERE id = ?", arguments: [Self.timestamp(), scan])
            var detail: [String: Any] = ["scan": scan]
            for (key, value) in summary { detail[key] = value }
            try AuditLog.append(db, actor: examiner, action: "scan-end", detail: detail)
        }
    }
}

/// A scan run as recorded.
public struct ScanRecord: Sendable {
    public var id: Int64
    public var exhibit: String
    public var roots: [String]
    public var examiner: String
    public var started: String
    public var finished: String?
    public var hashDatabasePath: String?
    public var hashDatabaseFingerprint: String?
    public var hashDatabaseEntries: Int?
    public var hashDatabaseSources: [String]
    public var settings: [String: String]
    public var itemsRecorded: Int
}

extension [ScanRecord] {
    /// Runs that stopped before the end and whose exhibit no later run finished: the work a
    /// re-run of the scan still has to do.
    public var unfinished: [ScanRecord] {
        filter { scan in
            scan.finished == nil && !contains { later in
                later.id > scan.id && later.exhibit == scan.exhibit && later.roots == scan.roots && later.finished != nil
            }
        }
    }
}

extension CaseStore {
    /// Every scan run, oldest first.
    public func scans() throws -> [ScanRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM scans ORDER BY id").map { row in
                func json(_ column: String) -> [String: Any] {
                    let text: String = row[column] ?? "{}"
                    return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
                }
                return ScanRecord(
                    id: row["id"], exhibit: row["exhibit"], roots: json("roots")["roots"] as? [String] ?? [],
                    examiner: row["examiner"], started: row["started"], finished: row["finished"],
                    hashDatabasePath: row["hashdb_path"], hashDatabaseFingerprint: row["hashdb_fingerprint"],
                    hashDatabaseEntries: row["hashdb_entries"], hashDatabaseSources: json("hashdb_sources")["sources"] as? [String] ?? [],
                    settings: json("settings") as? [String: String] ?? [:], itemsRecorded: row["items_recorded"])
            }
        }
    }
}
