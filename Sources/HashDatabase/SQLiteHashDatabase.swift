import Crypto
import Foundation
import GRDB
import GRDBSQLite
import TriageCore

/// The known-hash database in one SQLite file (through GRDB).
///
/// Digests are stored as binary BLOBs with an index per type; missing digests are NULL. The same
/// digests with the same category from the same source are stored once; the same digest with
/// a different category is kept as a second entry and reported as a conflict.
public final class SQLiteHashDatabase: KnownHashStore, PerceptualLookup, @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// An import that may hold this many records, and at least a quarter as many as the
    /// database, is bulk-loaded: indexes dropped, rows appended, duplicates removed by one
    /// sort, indexes built again by sorting (see `importing`).
    let bulkImportMinimum: Int
    /// Whether `entries` has the `known_good` column: a database made before migration v4,
    /// opened read-only, has not. Read once at open, not on every lookup.
    private let hasKnownGood: Bool

    /// Opens (or, unless `readOnly`, creates) the database at `path`.
    ///
    /// - Parameter bulkImportMinimum: for tests, which exercise the bulk load on small files.
    public init(path: String, readOnly: Bool = false, bulkImportMinimum: Int = 1_000_000) throws {
        self.path = path
        self.bulkImportMinimum = bulkImportMinimum
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "hashdb"
        // A scan may read while an import writes: wait for the lock rather than fail at once.
        configuration.busyMode = .timeout(30)
        if readOnly, !FileManager.default.fileExists(atPath: path) {
            throw HashDatabaseError("no hash database at \(path): run `triage hashdb import FILE` first, or give --db PATH (or set $TRIAGE_HASHDB)")
        }
        do {
            if !readOnly {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if readOnly {
                try queue.read { db in
                    guard try db.tableExists("entries") else {
                        throw HashDatabaseError("\(path) is a SQLite file but not a triage hash database (no entries table); check --db or $TRIAGE_HASHDB")
                    }
                }
            } else {
                try Self.migrator.migrate(queue)
            }
            hasKnownGood = try queue.read { db in try Self.hasKnownGoodColumn(db) }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    /// The default location: `$TRIAGE_HASHDB`, else `~/.local/share/triage/hashdb.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["TRIAGE_HASHDB"], !path.isEmpty { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/triage/hashdb.sqlite"
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE imports (
                    id INTEGER PRIMARY KEY,
                    time TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    file_sha256 TEXT,
                    format TEXT NOT NULL,
                    source TEXT NOT NULL,
                    records_read INTEGER NOT NULL DEFAULT 0,
                    added INTEGER NOT NULL DEFAULT 0,
                    already_present INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE entries (
                    id INTEGER PRIMARY KEY,
                    md5 BLOB,
                    sha1 BLOB,
                    sha256 BLOB,
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    source TEXT NOT NULL,
                    import_id INTEGER NOT NULL REFERENCES imports(id)
                );
                CREATE INDEX entries_md5 ON entries(md5) WHERE md5 IS NOT NULL;
                CREATE INDEX entries_sha1 ON entries(sha1) WHERE sha1 IS NOT NULL;
                CREATE INDEX entries_sha256 ON entries(sha256) WHERE sha256 IS NOT NULL;
                CREATE UNIQUE INDEX entries_identity ON entries(
                    ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), category, source);
                CREATE TABLE category_map (
                    profile TEXT NOT NULL,
                    code TEXT NOT NULL,
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    PRIMARY KEY (profile, code)
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
            for (code, category) in CategoryMap.ukDefault.codes {
                try db.execute(sql: "INSERT INTO category_map(profile, code, category) VALUES (?, ?, ?)",
                               arguments: [CategoryMap.ukDefault.profile, code, category.rawValue])
            }
        }
        migrator.registerMigration("v2: conflicts") { db in
            // Digests known under more than one category, found when an import created the clash.
            try db.execute(sql: """
                CREATE TABLE conflicts (
                    hash_type TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    import_id INTEGER NOT NULL REFERENCES imports(id),
                    PRIMARY KEY (hash_type, digest)
                );
                """)
        }
        migrator.registerMigration("v3: perceptual hashes") { db in
            // PDQ hashes (32 bytes, the reference's hex order) with their quality when known. The
            // identity index is rebuilt to include them, so PDQ-only entries stay distinct.
            try db.execute(sql: """
                ALTER TABLE entries ADD COLUMN pdq BLOB;
                ALTER TABLE entries ADD COLUMN pdq_quality INTEGER;
                CREATE INDEX entries_pdq ON entries(pdq) WHERE pdq IS NOT NULL;
                DROP INDEX entries_identity;
                CREATE UNIQUE INDEX entries_identity ON entries(
                    ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source);
                """)
            try Self.storeFingerprint(db)
        }
        migrator.registerMigration("v4: known-good") { db in
            // Entries from known-good sets (NSRL): category N, matched as `known-good`. The
            // identity includes the flag, so the same digest can be both, from the same source.
            try db.execute(sql: """
                ALTER TABLE entries ADD COLUMN known_good INTEGER NOT NULL DEFAULT 0;
                DROP INDEX entries_identity;
                CREATE UNIQUE INDEX entries_identity ON entries(
                    ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source, known_good);
                """)
        }
        migrator.registerMigration("v5: profiles") { db in
            // Every shipped profile's VICS code table (US: Project VIC 0–3), where the database
            // has no row for that code yet (an examiner's own mapping stays).
            for profile in CategoryProfile.all.values {
                for (code, category) in profile.vicsCodes {
                    try db.execute(sql: "INSERT OR IGNORE INTO category_map(profile, code, category) VALUES (?, ?, ?)",
                                   arguments: [profile.name, code, category.rawValue])
                }
            }
        }
        migrator.registerMigration("v6: digest indexes with category") { db in
            // Each digest index also holds the category, so that finding the digests known
            // under two categories reads the index alone (after a bulk import, every digest).
            try db.execute(sql: """
                DROP INDEX entries_md5;
                DROP INDEX entries_sha1;
                DROP INDEX entries_sha256;
                DROP INDEX entries_pdq;
                CREATE INDEX entries_md5 ON entries(md5, category) WHERE md5 IS NOT NULL;
                CREATE INDEX entries_sha1 ON entries(sha1, category) WHERE sha1 IS NOT NULL;
                CREATE INDEX entries_sha256 ON entries(sha256, category) WHERE sha256 IS NOT NULL;
                CREATE INDEX entries_pdq ON entries(pdq, category) WHERE pdq IS NOT NULL;
                """)
        }
        migrator.registerMigration("v7: known videos") { db in
            // Videos from vPDQ hash sets: their frames packed as `VideoFrameHash.pack` writes
            // them; one video is one row, identified by the SHA-256 of its packed frames.
            try db.execute(sql: """
                CREATE TABLE videos (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    category TEXT NOT NULL CHECK (category IN ('A','B','C','N')),
                    source TEXT NOT NULL,
                    frames BLOB NOT NULL,
                    frame_count INTEGER NOT NULL,
                    frames_sha256 BLOB NOT NULL,
                    import_id INTEGER NOT NULL REFERENCES imports(id),
                    UNIQUE (frames_sha256, category, source)
                );
                """)
        }
        migrator.registerMigration("v8: no MD5 index") { db in
            // The identity index leads with ifnull(md5, x'') and serves every MD5 query (see
            // `indexed`): one index fewer to keep, and to build after a bulk import.
            try db.execute(sql: "DROP INDEX IF EXISTS entries_md5")
        }
        return migrator
    }

    /// How a query names a digest column so that SQLite finds it through an index. MD5 has no
    /// index of its own (v8): its queries use the identity index's leading expression.
    static func indexed(_ column: String, of table: String? = nil) -> String {
        let qualified = table.map { "\($0).\(column)" } ?? column
        return column == "md5" ? "ifnull(\(qualified), x'')" : qualified
    }

    /// "The digest is present", in the form `indexed` gives (no digest is ever stored empty).
    static func present(_ column: String) -> String {
        column == "md5" ? "ifnull(md5, x'') > x''" : "\(column) IS NOT NULL"
    }

    // MARK: Lookup

    public func lookup(_ digests: Digests) throws -> LookupResult {
        do {
            return try queue.read { db in
                // One cached statement per lookup: the scan's recorder calls this for every medium.
                let knownGood = hasKnownGood ? "known_good" : "0"
                let statement = try db.cachedStatement(sql: """
                    SELECT DISTINCT 0 AS strength, category, source, \(knownGood) AS known_good FROM entries WHERE sha256 = ?
                    UNION SELECT DISTINCT 1, category, source, \(knownGood) FROM entries WHERE sha1 = ?
                    UNION SELECT DISTINCT 2, category, source, \(knownGood) FROM entries WHERE \(Self.indexed("md5")) = ?
                    ORDER BY strength, category, source, known_good
                    """)
                // An absent digest is bound as NULL, which equals nothing: an empty MD5 would
                // otherwise equal ifnull(md5, x'') of every entry without one.
                func bound(_ digest: [UInt8]) -> Data? { digest.isEmpty ? nil : Data(digest) }
                let rows = try Row.fetchAll(statement, arguments: [bound(digests.sha256), bound(digests.sha1), bound(digests.md5)])
                let matches = try rows.map { row in
                    KnownMatch(category: try Self.category(row), basis: row["known_good"] as Bool ? .knownGood : .exact,
                               hashType: MatchHash(HashType.allCases[row["strength"]]), source: row["source"])
                }
                return matches.isEmpty ? .notFound : .found(matches)
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    // MARK: Perceptual

    public func perceptualIndex(qualityFloor: Int) throws -> PDQIndex {
        do {
            return try queue.read { db in
                var entries: [PDQIndex.Entry] = []
                guard try Self.hasPDQColumn(db) else { return PDQIndex([]) }
                // Known-good sets say "this exact file is harmless", never "things like it are".
                let notKnownGood = try Self.hasKnownGoodColumn(db) ? "AND NOT known_good" : ""
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT pdq, category, source FROM entries
                    WHERE pdq IS NOT NULL AND length(pdq) = 32 AND (pdq_quality IS NULL OR pdq_quality >= ?) \(notKnownGood)
                    ORDER BY id
                    """, arguments: [qualityFloor])
                // Row order (the order of import) fixes the index's tie order; no sort needed.
                var lastSource = ""
                while let row = try cursor.next() {
                    let hash = try row.withUnsafeData(atIndex: 0) { data -> PDQHash in
                        guard let data, data.count == 32 else { throw HashDatabaseError("a PDQ hash in the database is not 32 bytes") }
                        return data.withUnsafeBytes { raw in
                            func word(_ i: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
                            return PDQHash(words: (word(0), word(1), word(2), word(3)))
                        }
                    }
                    // Sources repeat: keep one copy of each string.
                    let source: String = row[2]
                    if source != lastSource { lastSource = source }
                    entries.append(PDQIndex.Entry(hash: hash, category: try Self.category(row), source: lastSource))
                }
                return PDQIndex(entries)
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    /// A database last written before migration v4, opened read-only, has no known-good entries.
    static func hasKnownGoodColumn(_ db: Database) throws -> Bool {
        try db.columns(in: "entries").contains { $0.name == "known_good" }
    }

    /// A database last written before migration v3, opened read-only, has no PDQ column yet:
    /// it simply holds no PDQ hashes (any import or `hashdb map` migrates it).
    static func hasPDQColumn(_ db: Database) throws -> Bool {
        try db.columns(in: "entries").contains { $0.name == "pdq" }
    }

    // MARK: Import

    public func importing(_ description: ImportDescription,
                          _ body: (_ add: (KnownEntry) throws -> Bool) throws -> ImportCounts) throws -> ImportRecord {
        do {
            return try queue.writeWithoutTransaction { db in
                // Every entry's import_id is the imports row made at the start of the same
                // transaction, so the foreign-key check, a lookup per row, can only pass: it is off
                // for the import (5 % of a bulk load's time). It can be switched only between
                // transactions.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                var record: ImportRecord?
                try db.inTransaction {
                    record = try importRows(db, description, body)
                    return .commit
                }
                return record!
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    /// One import's rows, inside its transaction.
    private func importRows(_ db: Database, _ description: ImportDescription,
                            _ body: (_ add: (KnownEntry) throws -> Bool) throws -> ImportCounts) throws -> ImportRecord {
        // 32 MiB of page cache while rows go in, so memory stays bounded whatever the size
        // of the set; a bulk load's index builds use less (below).
        try db.execute(sql: "PRAGMA cache_size = -32768")
        let time = Self.now()
        try db.execute(sql: "INSERT INTO imports(time, file_name, file_sha256, format, source) VALUES (?, ?, ?, ?, ?)",
                       arguments: [time, description.fileName, description.fileSHA256, description.format, description.source])
        let importID = db.lastInsertedRowID
        let lastEntryBefore = try Int64.fetchOne(db, sql: "SELECT ifnull(max(id), 0) FROM entries") ?? 0
        let entriesBefore = try Int.fetchOne(db, sql: "SELECT count(*) FROM entries") ?? 0
        let bulk = (description.expectedRecords ?? 0) >= max(bulkImportMinimum, entriesBefore / 4)
        // Inserting into five B-trees at random places is what makes a large import slow:
        // in bulk, the indexes go, rows are appended, and the indexes come back sorted.
        let indexes = bulk ? try Self.dropEntryIndexes(db) : []
        let insert = try db.makeStatement(sql: """
            INSERT \(bulk ? "" : "OR IGNORE") INTO entries(md5, sha1, sha256, pdq, pdq_quality, category, source, import_id, known_good)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let connection = db.sqliteConnection
        let read = try body { entry in
            try Self.insert(entry, importID: importID, with: insert.sqliteStatement, on: connection)
            // In bulk every row goes in; the duplicates are counted when they are removed.
            return bulk || sqlite3_changes(connection) > 0
        }
        var final = read
        if bulk {
            // The index builds sort best in a small cache (2 MB: the sorter's runs stay in
            // the CPU's caches) with helper threads sorting and merging runs while the table
            // is read: on 10 million entries about 17 s instead of 44 s with the 32 MiB above
            // and no helpers (two helpers gained another second over one).
            try db.execute(sql: "PRAGMA cache_size = -2000")
            try db.execute(sql: "PRAGMA threads = 2")
            defer {
                try? db.execute(sql: "PRAGMA cache_size = -32768")
                try? db.execute(sql: "PRAGMA threads = 0")
            }
            let duplicates = try Self.rebuildIndexes(indexes, db, removingDuplicatesAfter: lastEntryBefore)
            final.added -= duplicates
            final.alreadyPresent += duplicates
        }
        let counts = final
        try db.execute(sql: """
            UPDATE imports SET records_read = ?, added = ?, already_present = ?, rejected = ?, file_sha256 = ifnull(?, file_sha256)
            WHERE id = ?
            """, arguments: [counts.read, counts.added, counts.alreadyPresent, counts.rejected, counts.fileSHA256, importID])
        let conflicts = try Self.conflicts(db, sinceID: lastEntryBefore, scanning: bulk)
        for conflict in conflicts {
            try db.execute(sql: "INSERT OR IGNORE INTO conflicts(hash_type, digest, import_id) VALUES (?, ?, ?)",
                           arguments: [conflict.hashType.rawValue, conflict.digest, importID])
        }
        try Self.storeFingerprint(db)
        return ImportRecord(id: importID, time: time, fileName: description.fileName, format: description.format,
                            source: description.source, counts: counts, conflicts: conflicts)
    }

    /// One row, bound straight from the entry's bytes without copies: SQLite is told the bytes
    /// stay put (`SQLITE_STATIC`, a null destructor), which holds because each is bound inside
    /// the closure that lends it, and the row is written before any closure returns. This runs
    /// once per record of a national-scale set; copying made four allocations per row.
    private static func insert(_ entry: KnownEntry, importID: Int64, with statement: OpaquePointer, on connection: OpaquePointer?) throws {
        func blob(_ index: Int32, _ bytes: [UInt8]?, then next: () -> Int32) -> Int32 {
            guard let bytes else { sqlite3_bind_null(statement, index); return next() }
            return bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob(statement, index, raw.baseAddress, Int32(raw.count), nil)
                return next()
            }
        }
        func text(_ index: Int32, _ value: String, then next: () -> Int32) -> Int32 {
            value.withCString { pointer in
                sqlite3_bind_text(statement, index, pointer, -1, nil)
                return next()
            }
        }
        let status = blob(1, entry.md5) {
            blob(2, entry.sha1) {
                blob(3, entry.sha256) {
                    blob(4, entry.pdq?.bytes) {
                        text(6, entry.category.rawValue) {
                            text(7, entry.source) {
                                if let quality = entry.pdqQuality { sqlite3_bind_int64(statement, 5, Int64(quality)) } else { sqlite3_bind_null(statement, 5) }
                                sqlite3_bind_int64(statement, 8, importID)
                                sqlite3_bind_int64(statement, 9, entry.knownGood ? 1 : 0)
                                let status = sqlite3_step(statement)
                                sqlite3_reset(statement)
                                return status
                            }
                        }
                    }
                }
            }
        }
        guard status == SQLITE_DONE else {
            throw HashDatabaseError("SQLite refused an entry: \(String(cString: sqlite3_errmsg(connection)))")
        }
    }

    /// Builds the dropped indexes again, the unique identity index first: when it cannot be
    /// built, the import repeated entries, which are removed (one sort) before it is built
    /// again. Returns how many were removed.
    static func rebuildIndexes(_ indexes: [String], _ db: Database, removingDuplicatesAfter after: Int64) throws -> Int {
        var duplicates = 0
        for sql in indexes.sorted(by: { $0.hasPrefix("CREATE UNIQUE") && !$1.hasPrefix("CREATE UNIQUE") }) {
            guard sql.hasPrefix("CREATE UNIQUE") else { try db.execute(sql: sql); continue }
            do {
                try db.inSavepoint {
                    try db.execute(sql: sql)
                    return .commit
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                duplicates += try removeDuplicateEntries(db, after: after)
                try db.execute(sql: sql)
            }
        }
        return duplicates
    }

    /// Drops every index of `entries` and returns the statements that make them again (as
    /// SQLite stored them, so they follow the migrations exactly). Inside the import's
    /// transaction: a failed import rolls the drop back.
    static func dropEntryIndexes(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL")
        for row in rows { try db.execute(sql: "DROP INDEX \"\(row["name"] as String)\"") }
        return rows.map { $0["sql"] }
    }

    /// Removes entries after row `after` that repeat an entry's identity (digests, category,
    /// source, known-good): one sort over the table keeps the earliest of each. Returns how
    /// many went.
    static func removeDuplicateEntries(_ db: Database, after: Int64) throws -> Int {
        let knownGood = try hasKnownGoodColumn(db) ? ", known_good" : ""
        try db.execute(sql: """
            DELETE FROM entries WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (
                        PARTITION BY ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source\(knownGood)
                        ORDER BY id) AS copy
                    FROM entries)
                WHERE copy > 1 AND id > ?)
            """, arguments: [after])
        return db.changesCount
    }

    /// Digests among the entries added after row `sinceID` that the database holds under more
    /// than one category. Each probe uses the digest's index, so the cost follows the size of
    /// the import, not of the database.
    ///
    /// - Parameter scanning: read each digest index from end to end instead of probing it once
    ///   per new entry: the cheaper way after a bulk load, when most entries are new.
    static func conflicts(_ db: Database, sinceID: Int64, scanning: Bool = false) throws -> [CategoryConflict] {
        var found: [CategoryConflict] = []
        // The same PDQ hash under two categories is a conflict too; near (not equal) PDQ hashes
        // of different categories can only be judged per image, at scan time.
        for type in MatchHash.allCases {
            let column = type.rawValue
            let digests = scanning ? try conflictingDigests(db, column: column, sinceID: sinceID) : try Data.fetchAll(db, sql: """
                SELECT DISTINCT e.\(column) FROM entries e
                JOIN entries other ON \(indexed(column, of: "other")) = e.\(column) AND other.category != e.category
                WHERE e.id > ? AND e.\(column) IS NOT NULL
                ORDER BY e.\(column)
                """, arguments: [sinceID])
            let details = try db.makeStatement(sql: """
                SELECT json_group_array(DISTINCT category) AS categories, json_group_array(DISTINCT source) AS sources
                FROM entries WHERE \(indexed(column)) = ?
                """)
            for digest in digests {
                guard let row = try Row.fetchOne(details, arguments: [digest]) else { continue }
                func strings(_ column: String) -> [String] {
                    (try? JSONSerialization.jsonObject(with: Data((row[column] as String).utf8))) as? [String] ?? []
                }
                found.append(CategoryConflict(hashType: type, digest: Hex.encode(digest),
                                              categories: strings("categories").compactMap(Category.init(rawValue:)).sorted(by: >),
                                              sources: strings("sources").sorted()))
            }
        }
        return found
    }

    /// The digests of one type known under more than one category, one of them in a row after
    /// `sinceID`, by reading the digest's index (for MD5 the identity index) once from end to end.
    /// A plain ordered walk in Swift: SQLite's `GROUP BY … HAVING count(DISTINCT …)` over the
    /// same index was five times slower on ten million entries.
    private static func conflictingDigests(_ db: Database, column: String, sinceID: Int64) throws -> [Data] {
        var found: [Data] = []
        var started = false
        var digest: [UInt8] = []  // of the current run of equal digests
        var category: UInt8 = 0   // the run's first category
        var mixed = false         // the run has a second category
        var newest: Int64 = 0     // the run's highest row id
        func endRun() {
            if started, mixed, newest > sinceID { found.append(Data(digest)) }
        }
        try db.forEachRawRow("SELECT \(indexed(column)), category, id FROM entries WHERE \(present(column)) ORDER BY \(indexed(column))",
                             purpose: "reading the \(column) index for conflicts") { statement in
            let bytes = columnBytes(statement, 0)
            let rowCategory = columnBytes(statement, 1).first ?? 0
            let id = sqlite3_column_int64(statement, 2)
            if started, bytes.elementsEqual(digest) {
                mixed = mixed || rowCategory != category
                newest = max(newest, id)
            } else {
                endRun()
                started = true
                digest.removeAll(keepingCapacity: true)
                digest.append(contentsOf: bytes)
                category = rowCategory
                mixed = false
                newest = id
            }
        }
        endRun()
        return found
    }

    // MARK: Fingerprint and listing

    public func fingerprint() throws -> String {
        do {
            return try queue.read { db in
                if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'fingerprint'") {
                    return stored
                }
                return try Self.computeFingerprint(db)
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    static func storeFingerprint(_ db: Database) throws {
        let fingerprint = try computeFingerprint(db)
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprint', ?)", arguments: [fingerprint])
    }

    /// One line per entry, `md5,sha1,sha256,pdq,category,N:source\n` (digests in lower-case hex,
    /// empty when absent; the source prefixed by its length in bytes, so that no character in a
    /// name can blur the fields), in the order of the `entries_identity` index (so no sort is
    /// needed, whatever the size of the database); hashed.
    ///
    /// The query selects exactly the identity index's expressions, so SQLite reads the index
    /// alone (a covering scan) and never the table; the lines are built in one reused buffer.
    private static func computeFingerprint(_ db: Database) throws -> String {
        let knownGood = try hasKnownGoodColumn(db)
        let sql = """
            SELECT ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source\(knownGood ? ", known_good" : ", 0")
            FROM entries ORDER BY ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source\(knownGood ? ", known_good" : "")
            """
        var hasher = SHA256()
        // Lines are gathered in a buffer of about 64 KiB and hashed a buffer at a time (the
        // digest is the same as line by line; ten million calls are not).
        var lines: [UInt8] = []
        lines.reserveCapacity(1 << 16 + 512)
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        func appendHex(_ statement: OpaquePointer, _ index: Int32) {
            for byte in columnBytes(statement, index) { lines.append(hexDigits[Int(byte >> 4)]); lines.append(hexDigits[Int(byte & 15)]) }
        }
        try db.forEachRawRow(sql, purpose: "reading the entries for the fingerprint") { statement in
            for column: Int32 in 0..<4 {
                appendHex(statement, column)
                lines.append(UInt8(ascii: ","))
            }
            let category = columnBytes(statement, 4)
            guard category.count == 1, "ABCN".utf8.contains(category[0]) else {
                throw HashDatabaseError("an entry has category \(SafeText.display(String(decoding: category, as: UTF8.self))), which is not A, B, C or N: the hash database is damaged or not triage's")
            }
            lines.append(category[0])
            lines.append(UInt8(ascii: ","))
            // The source, prefixed by its length in bytes.
            let source = columnBytes(statement, 5)
            appendDecimal(source.count, to: &lines)
            lines.append(UInt8(ascii: ":"))
            lines.append(contentsOf: source)
            // Known-good entries are marked; other lines are as before the flag existed.
            if sqlite3_column_int64(statement, 6) != 0 { lines.append(contentsOf: ",known-good".utf8) }
            lines.append(UInt8(ascii: "\n"))
            if lines.count >= 1 << 16 {
                lines.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                lines.removeAll(keepingCapacity: true)
            }
        }
        lines.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        // Known videos, after the entries (a database without any keeps its fingerprint).
        if try db.tableExists("videos") {
            for row in try Row.fetchAll(db, sql: "SELECT frames_sha256, category, source FROM videos ORDER BY frames_sha256, category, source") {
                let source: String = row["source"]
                let digest: Data = row["frames_sha256"]
                let text = "video,\(Hex.encode(Array(digest))),\(row["category"] as String),\(source.utf8.count):\(source)\n"
                hasher.update(data: Array(text.utf8))
            }
        }
        return Hex.encode(hasher.finalize())
    }

    /// `number` in decimal ASCII digits.
    private static func appendDecimal(_ number: Int, to bytes: inout [UInt8]) {
        if number >= 10 { appendDecimal(number / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(number % 10))
    }

    public func forEachEntry(_ visit: (KnownEntry) throws -> Void) throws {
        do {
            try queue.read { db in try Self.forEachEntry(db, visit) }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    /// Every entry in identity order: MD5, SHA-1, SHA-256, PDQ (missing first), category, source.
    private static func forEachEntry(_ db: Database, _ visit: (KnownEntry) throws -> Void) throws {
        let knownGood = try hasKnownGoodColumn(db)
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT ifnull(md5, x'') AS md5, ifnull(sha1, x'') AS sha1, ifnull(sha256, x'') AS sha256, ifnull(pdq, x'') AS pdq,
                   pdq_quality, category, source, \(knownGood ? "known_good" : "0") AS known_good
            FROM entries ORDER BY ifnull(md5, x''), ifnull(sha1, x''), ifnull(sha256, x''), ifnull(pdq, x''), category, source\(knownGood ? ", known_good" : "")
            """)
        while let row = try cursor.next() {
            func digest(_ column: String) -> [UInt8]? {
                let data: Data = row[column]
                return data.isEmpty ? nil : Array(data)
            }
            let pdq = digest("pdq").flatMap { $0.count == 32 ? PDQHash(bytes: $0) : nil }
            try visit(KnownEntry(md5: digest("md5"), sha1: digest("sha1"), sha256: digest("sha256"), pdq: pdq,
                                 pdqQuality: pdq == nil ? nil : row["pdq_quality"], category: try Self.category(row), source: row["source"],
                                 knownGood: row["known_good"]))
        }
    }

    public func forEachDigest(_ type: HashType, category: Category?, _ visit: (DigestListing) throws -> Void) throws {
        do {
            try queue.read { db in
                let column = type.rawValue
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT \(Self.indexed(column)) AS digest, category, json_group_array(DISTINCT source) AS sources FROM entries
                    WHERE \(Self.present(column)) AND (?1 IS NULL OR category = ?1)
                    GROUP BY \(Self.indexed(column)), category ORDER BY \(Self.indexed(column)), category
                    """, arguments: [category?.rawValue])
                while let row = try cursor.next() {
                    let digest: Data = row["digest"]
                    let sources = (try? JSONSerialization.jsonObject(with: Data((row["sources"] as String).utf8))) as? [String] ?? []
                    try visit(DigestListing(digest: Array(digest), category: try Self.category(row), sources: sources.sorted()))
                }
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    public func count(missing type: HashType, category: Category?) throws -> Int {
        do {
            return try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE \(type.rawValue) IS NULL AND (?1 IS NULL OR category = ?1)",
                                 arguments: [category?.rawValue]) ?? 0
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    public func forEachPDQ(category: Category?, _ visit: (PDQListing) throws -> Void) throws {
        do {
            try queue.read { db in
                guard try Self.hasPDQColumn(db) else { return }
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT pdq, max(pdq_quality) AS quality, category, json_group_array(DISTINCT source) AS sources FROM entries
                    WHERE pdq IS NOT NULL AND length(pdq) = 32 AND (?1 IS NULL OR category = ?1)
                    GROUP BY pdq, category ORDER BY pdq, category
                    """, arguments: [category?.rawValue])
                while let row = try cursor.next() {
                    let hash: Data = row["pdq"]
                    let sources = (try? JSONSerialization.jsonObject(with: Data((row["sources"] as String).utf8))) as? [String] ?? []
                    try visit(PDQListing(hash: PDQHash(bytes: Array(hash)), quality: row["quality"], category: try Self.category(row),
                                         sources: sources.sorted()))
                }
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    public func countMissingPDQ(category: Category?) throws -> Int {
        do {
            return try queue.read { db in
                let missing = try Self.hasPDQColumn(db) ? "pdq IS NULL" : "1"
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE \(missing) AND (?1 IS NULL OR category = ?1)",
                                        arguments: [category?.rawValue]) ?? 0
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    // MARK: Info and category maps

    public func info() throws -> HashDatabaseInfo {
        do {
            return try queue.read { db in
                var perCategory: [Category: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT category, count(*) AS n FROM entries GROUP BY category") {
                    perCategory[try Self.category(row)] = row["n"]
                }
                var perHashType: [HashType: Int] = [:]
                for type in HashType.allCases {
                    perHashType[type] = try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE \(Self.present(type.rawValue))") ?? 0
                }
                var sources: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT source, count(*) AS n FROM entries GROUP BY source") {
                    sources[row["source"]] = row["n"]
                }
                let imports = try Row.fetchAll(db, sql: "SELECT * FROM imports ORDER BY id").map { row in
                    var counts = ImportCounts()
                    counts.read = row["records_read"]
                    counts.added = row["added"]
                    counts.alreadyPresent = row["already_present"]
                    counts.rejected = row["rejected"]
                    return ImportRecord(id: row["id"], time: row["time"], fileName: row["file_name"], format: row["format"],
                                        source: row["source"], counts: counts, conflicts: [])
                }
                let profiles = try String.fetchAll(db, sql: "SELECT DISTINCT profile FROM category_map ORDER BY profile")
                return HashDatabaseInfo(
                    path: path,
                    entries: try Int.fetchOne(db, sql: "SELECT count(*) FROM entries") ?? 0,
                    perCategory: perCategory, perHashType: perHashType,
                    pdqEntries: try Self.hasPDQColumn(db)
                        ? Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE pdq IS NOT NULL") ?? 0 : 0,
                    knownGoodEntries: try Self.hasKnownGoodColumn(db)
                        ? Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE known_good") ?? 0 : 0,
                    sources: sources, imports: imports,
                    // A database made before migration v2, opened read-only, has no conflicts table yet.
                    conflicts: try db.tableExists("conflicts") ? Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts") ?? 0 : 0,
                    fingerprint: try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'fingerprint'") ?? Self.computeFingerprint(db),
                    categoryMaps: try profiles.map { try Self.categoryMap(db, profile: $0) },
                    knownVideos: try db.tableExists("videos") ? Int.fetchOne(db, sql: "SELECT count(*) FROM videos") ?? 0 : 0)
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    public func categoryMap(profile: String) throws -> CategoryMap {
        do {
            return try queue.read { db in try Self.categoryMap(db, profile: profile) }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    private static func categoryMap(_ db: Database, profile: String) throws -> CategoryMap {
        var codes: [String: Category] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, category FROM category_map WHERE profile = ?", arguments: [profile]) {
            codes[row["code"]] = Category(rawValue: row["category"])
        }
        return CategoryMap(profile: profile, codes: codes)
    }

    public func setCategoryCode(_ code: String, to category: Category?, profile: String) throws {
        do {
            try queue.write { db in
                if let category {
                    try db.execute(sql: "INSERT OR REPLACE INTO category_map(profile, code, category) VALUES (?, ?, ?)",
                                   arguments: [profile, code, category.rawValue])
                } else {
                    try db.execute(sql: "DELETE FROM category_map WHERE profile = ? AND code = ?", arguments: [profile, code])
                }
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    static func now() -> String { UTCClock.now() }

    /// A row's category; a value outside A/B/C/N (a foreign or damaged database) is an error,
    /// never a crash and never a guess.
    static func category(_ row: Row) throws -> Category {
        let text: String? = row["category"]
        guard let text, let category = Category(rawValue: text) else {
            throw HashDatabaseError("an entry has category \(SafeText.display(text ?? "NULL")), which is not A, B, C or N: the hash database is damaged or not triage's")
        }
        return category
    }
}

