import Crypto
import Foundation
import GRDB
import TriageCore

extension CaseStore {
    /// Records in the audit chain that a report was produced: its format, file and SHA-256.
    @discardableResult
    public func recordReport(format: String, file: String?, sha256: String, actor: String) throws -> AuditEntry {
        try write { db in
            try AuditLog.append(db, actor: actor, action: "report",
                                detail: ["format": format, "file": file ?? "(standard output)", "sha256": sha256])
        }
    }

    /// SHA-256 over the case's content: every item and its matches (hashed as the batch seals
    /// hash them), every decision and undo, and the audit chain's head. It depends on the content only,
    /// not on how SQLite lays out its file (a checkpoint or VACUUM leaves it unchanged).
    public func contentDigest() throws -> String {
        try read { db in
            var hasher = SHA256()
            let range = try Row.fetchOne(db, sql: "SELECT min(id) AS low, max(id) AS high FROM items")
            if let low: Int64 = range?["low"], let high: Int64 = range?["high"] {
                hasher.update(data: Data(try Self.itemsDigest(db, from: low, to: high).utf8))
            }
            for decision in try Row.fetchAll(db, sql: "SELECT * FROM decisions ORDER BY id").map(Decision.init) {
                let fields: [Any] = [decision.id, Hex.encode(decision.sha256), decision.category.rawValue,
                                     decision.previous?.rawValue ?? "", decision.examiner, decision.time, decision.note ?? "",
                                     decision.auditSequence] + (decision.batch.map { [$0] } ?? [])
                    + (decision.segmentDetail.map { ["segment", $0] } ?? [])
                hasher.update(data: try JSONSerialization.data(withJSONObject: fields))
            }
            for undo in try Row.fetchAll(db, sql: "SELECT decision_id, audit_seq FROM undos ORDER BY decision_id") {
                let fields: [Any] = ["undo", undo["decision_id"] as Int64, undo["audit_seq"] as Int64]
                hasher.update(data: try JSONSerialization.data(withJSONObject: fields))
            }
            hasher.update(data: Data((try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1") ?? AuditEntry.genesis).utf8))
            return Hex.encode(hasher.finalize())
        }
    }
}
