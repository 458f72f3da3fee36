import Crypto
import Foundation
import GRDB
import TriageCore

/// One entry of the hash-chained audit log.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64
    /// UTC, ISO 8601.
    public var time: String
    /// Who: the examiner's name.
    public var actor: String
    /// What: `scan-start`, `scan-end`, `decision`, …
    public var action: String
    /// The details, as canonical JSON (sorted keys).
    public var detail: String
    public var previousHash: String
    public var hash: String

    /// SHA-256 over the previous hash and every field, encoded as one JSON array (so that no
    /// field's content can be mistaken for a boundary): changing any field of any entry
    /// changes its hash and breaks the link to the next.
    static func chainHash(previous: String, sequence: Int64, time: String, actor: String, action: String, detail: String) -> String {
        let fields: [Any] = [previous, sequence, time, actor, action, detail]
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.withoutEscapingSlashes])
        return Hex.encode(SHA256.hash(data: data))
    }

    static let genesis = String(repeating: "0", count: 64)
}

/// Appends to and checks the audit chain (DESIGN.md rule 4).
enum AuditLog {
    /// Appends one entry, chained to the last, inside the caller's transaction.
    @discardableResult
    static func append(_ db: Database, actor: String, action: String, detail: [String: Any]) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        let sequence: Int64 = (last?["seq"] ?? 0) + 1
        let previous: String = last?["hash"] ?? AuditEntry.genesis
        let time = CaseStore.timestamp()
        let detailJSON = canonicalJSON(detail)
        let hash = AuditEntry.chainHash(previous: previous, sequence: sequence, time: time, actor: actor, action: action, detail: detailJSON)
        try db.execute(sql: "INSERT INTO audit(seq, time, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [sequence, time, actor, action, detailJSON, previous, hash])
        return AuditEntry(sequence: sequence, time: time, actor: actor, action: action, detail: detailJSON, previousHash: previous, hash: hash)
    }

    static func canonicalJSON(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func entries(_ db: Database) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq").map { row in
            AuditEntry(sequence: row["seq"], time: row["time"], actor: row["actor"], action: row["action"],
                       detail: row["detail"], previousHash: row["prev_hash"], hash: row["hash"])
        }
    }
}
