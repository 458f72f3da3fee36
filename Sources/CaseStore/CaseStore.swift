import Foundation
import GRDB
import Glibc
import TriageCore

/// The case: one directory holding `case.sqlite` (mode 0600) with every item, match, decision
/// and the audit chain. Only the `Record` step of a scan and the decision commands write it.
public final class CaseStore: @unchecked Sendable {
    public static let fileName = "case.sqlite"

    public let directory: String
    public let path: String
    let queue: DatabaseQueue
    /// Set inside `snapshot`: every read goes through this one read transaction.
    private var pinned: Database?

    /// Opens the case in `directory`.
    ///
    /// - Parameters:
    ///   - create: make the directory and the store if they do not exist (`scan`);
    ///     otherwise a missing case is an error that says how to make one.
    ///   - profile: the category profile (`CategoryProfile`) a new case is locked to (default
    ///     `uk`); for an existing case, a different profile is refused.
    public init(directory: String, create: Bool, profile: String? = nil) throws {
        self.directory = directory
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw CaseStoreError("--case \(directory) is a file, not a case directory; give a directory path (it is created by the first scan)")
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw CaseStoreError("no case at \(directory) (no \(Self.fileName)); run `triage scan ROOT --case \(directory) --exhibit REF` first")
            }
            if !exists {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                } catch {
                    throw CaseStoreError("cannot create case directory \(directory): \(Self.reason(error)); check the parent folder's permissions")
                }
            }
            // Created by hand so that the store is never, even briefly, readable by others.
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw CaseStoreError("cannot create \(path): \(String(cString: strerror(errno))); the case directory must be writable")
            }
            close(fd)
        }
        if create, access(directory, W_OK) != 0 {
            throw CaseStoreError("case directory \(directory) is read-only (\(String(cString: strerror(errno)))); the scan must record its results there: make it writable or choose another --case")
        }
        var configuration = Configuration()
        configuration.label = "case"
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
            try queue.write { db in
                if try String.fetchOne(db, sql: "SELECT value FROM case_info WHERE key = 'name'") == nil {
                    let name = ((directory as NSString).standardizingPath as NSString).lastPathComponent
                    for (key, value) in [("name", name), ("profile", profile ?? CategoryProfile.defaultName), ("created", Self.timestamp())] {
                        try db.execute(sql: "INSERT INTO case_info(key, value) VALUES (?, ?)", arguments: [key, value])
                    }
                } else if let profile,
                          let locked = try String.fetchOne(db, sql: "SELECT value FROM case_info WHERE key = 'profile'"), locked != profile {
                    throw CaseStoreError("the case \(directory) is locked to the category profile \(locked); it cannot be scanned or reviewed under \(profile) (one case, one way of counting). Leave out --profile, or use a new --case")
                }
            }
        } catch {
            throw CaseStoreError.wrapping(error, path: path)
        }
    }

    /// The category profile the case is locked to.
    public func profile() throws -> CategoryProfile {
        let name = try info().profile
        guard let profile = CategoryProfile.named(name) else {
            throw CaseStoreError("the case uses the category profile \(name), which this triage does not have (it has \(CategoryProfile.names.joined(separator: ", ")))")
        }
        return profile
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE case_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE exhibits (ref TEXT PRIMARY KEY, created TEXT NOT NULL);
                CREATE TABLE scans (
                    id INTEGER PRIMARY KEY,
                    exhibit TEXT NOT NULL REFERENCES exhibits(ref),
                    roots TEXT NOT NULL,
                    examiner TEXT NOT NULL,
                    started TEXT NOT NULL,
                    finished TEXT,
                    hashdb_path TEXT,
                    hashdb_fingerprint TEXT,
                    hashdb_entries INTEGER,
                    hashdb_sources TEXT,
                    settings TEXT NOT NULL,
                    items_recorded INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE items (
                    id INTEGER PRIMARY KEY,
                    exhibit TEXT NOT NULL REFERENCES exhibits(ref),
                    source TEXT NOT NULL,
                    path BLOB NOT NULL,
                    depth INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    mtime INTEGER, atime INTEGER, ctime INTEGER,
                    disposition TEXT NOT NULL,
                    reason TEXT,
                    mime TEXT,
                    kind TEXT NOT NULL CHECK (kind IN ('still','moving','other')),
                    extension_mismatch INTEGER NOT NULL DEFAULT 0,
                    md5 BLOB, sha1 BLOB, sha256 BLOB,
                    link_target BLOB,
                    scan_id INTEGER NOT NULL REFERENCES scans(id),
                    UNIQUE (exhibit, source, path)
                );
                CREATE INDEX items_sha256 ON items(sha256) WHERE sha256 IS NOT NULL;
                CREATE TABLE matches (
                    item_id INTEGER NOT NULL REFERENCES items(id),
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    basis TEXT NOT NULL CHECK (basis IN ('exact','perceptual','examiner')),
                    hash_type TEXT NOT NULL CHECK (hash_type IN ('sha256','sha1','md5')),
                    source TEXT NOT NULL
                );
                CREATE INDEX matches_item ON matches(item_id);
                CREATE TABLE decisions (
                    id INTEGER PRIMARY KEY,
                    sha256 BLOB NOT NULL,
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    previous TEXT CHECK (previous IS NULL OR previous IN ('A','B','C','N')),
                    examiner TEXT NOT NULL,
                    time TEXT NOT NULL,
                    note TEXT,
                    audit_seq INTEGER NOT NULL
                );
                CREATE INDEX decisions_sha256 ON decisions(sha256);
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    time TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: perceptual") { db in
            // Decoded-image facts and PDQ on items; perceptual evidence on matches (whose
            // hash_type CHECK gains 'pdq', so the table is rebuilt).
            try db.execute(sql: """
                ALTER TABLE items ADD COLUMN decoder TEXT;
                ALTER TABLE items ADD COLUMN width INTEGER;
                ALTER TABLE items ADD COLUMN height INTEGER;
                ALTER TABLE items ADD COLUMN scale INTEGER;
                ALTER TABLE items ADD COLUMN pdq BLOB;
                ALTER TABLE items ADD COLUMN pdq_quality INTEGER;
                ALTER TABLE items ADD COLUMN dihedral BLOB;
                CREATE TABLE matches_v2 (
                    item_id INTEGER NOT NULL REFERENCES items(id),
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    basis TEXT NOT NULL CHECK (basis IN ('exact','perceptual','examiner')),
                    hash_type TEXT NOT NULL CHECK (hash_type IN ('sha256','sha1','md5','pdq')),
                    source TEXT NOT NULL,
                    distance INTEGER,
                    known_pdq BLOB,
                    variant TEXT
                );
                INSERT INTO matches_v2(item_id, category, basis, hash_type, source)
                    SELECT item_id, category, basis, hash_type, source FROM matches;
                DROP TABLE matches;
                ALTER TABLE matches_v2 RENAME TO matches;
                CREATE INDEX matches_item ON matches(item_id);
                """)
        }
        migrator.registerMigration("v3: embedded") { db in
            // Distance between an embedded thumbnail's PDQ and its parent image's.
            try db.execute(sql: "ALTER TABLE items ADD COLUMN parent_pdq_distance INTEGER")
        }
        migrator.registerMigration("v4: review") { db in
            // Decisions taken together on a group of near-duplicates share a batch (undone
            // together); an undo marks decisions as withdrawn, never deletes them.
            try db.execute(sql: """
                ALTER TABLE decisions ADD COLUMN batch INTEGER;
                CREATE TABLE undos (
                    decision_id INTEGER PRIMARY KEY REFERENCES decisions(id),
                    audit_seq INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5: known-good") { db in
            // Matches gain the basis 'known-good' (NSRL): the table is rebuilt for its CHECK,
            // rows copied unchanged, so the batch digests still hold.
            try db.execute(sql: """
                CREATE TABLE matches_v5 (
                    item_id INTEGER NOT NULL REFERENCES items(id),
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    basis TEXT NOT NULL CHECK (basis IN ('exact','perceptual','examiner','known-good')),
                    hash_type TEXT NOT NULL CHECK (hash_type IN ('sha256','sha1','md5','pdq')),
                    source TEXT NOT NULL,
                    distance INTEGER,
                    known_pdq BLOB,
                    variant TEXT
                );
                INSERT INTO matches_v5 SELECT item_id, category, basis, hash_type, source, distance, known_pdq, variant FROM matches ORDER BY rowid;
                DROP TABLE matches;
                ALTER TABLE matches_v5 RENAME TO matches;
                CREATE INDEX matches_item ON matches(item_id);
                """)
        }
        migrator.registerMigration("v6: video") { db in
            // Videos: how the stream was sampled (JSON), the sampled frames' PDQ hashes (46
            // bytes each, `VideoFrameHash.pack`), and on a match the times of the frames that
            // found it (microseconds, comma-separated) and, for a known video (vPDQ), its name
            // and the shares of frames found both ways (JSON). A decision may be about a segment
            // of a video (microseconds from its start).
            try db.execute(sql: """
                ALTER TABLE items ADD COLUMN video TEXT;
                ALTER TABLE items ADD COLUMN frames BLOB;
                ALTER TABLE matches ADD COLUMN frames TEXT;
                ALTER TABLE matches ADD COLUMN known_video TEXT;
                ALTER TABLE decisions ADD COLUMN segment_start INTEGER;
                ALTER TABLE decisions ADD COLUMN segment_end INTEGER;
                """)
        }
        return migrator
    }

    // MARK: Case facts

    public struct CaseInfo: Sendable {
        public var name: String
        public var profile: String
        public var created: String
        public var examiners: [String]
        public var exhibits: [String]
    }

    public func info() throws -> CaseInfo {
        try read { db in
            let values = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM case_info").map {
                ($0["key"] as String, $0["value"] as String)
            })
            let examiners = try String.fetchAll(db, sql: """
                SELECT examiner FROM scans UNION SELECT examiner FROM decisions ORDER BY 1
                """)
            return CaseInfo(name: values["name"] ?? "", profile: values["profile"] ?? "uk", created: values["created"] ?? "",
                            examiners: examiners, exhibits: try String.fetchAll(db, sql: "SELECT ref FROM exhibits ORDER BY ref"))
        }
    }

    // MARK: Helpers

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let pinned { return try body(pinned) }
        do { return try queue.read(body) } catch { throw CaseStoreError.wrapping(error, path: path) }
    }

    /// Runs `body` with every read of this store inside one read transaction: in WAL mode a
    /// consistent snapshot of the case, whatever a running scan or another screen commits
    /// meanwhile (a report during a scan). Reads only: a write inside it is a programming error.
    /// While it runs, every read of this store object goes through that one connection: other
    /// threads must use their own `CaseStore` (the report builds on one thread).
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        precondition(pinned == nil, "snapshots do not nest")
        do {
            return try queue.read { db in
                pinned = db
                defer { pinned = nil }
                return try body()
            }
        } catch {
            throw CaseStoreError.wrapping(error, path: path)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch { throw CaseStoreError.wrapping(error, path: path) }
    }

    static func timestamp() -> String { UTCClock.now() }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
