import Foundation
import GRDB
import TriageCore

/// The result of `triage verify`.
public struct VerificationReport: Sendable {
    public var auditEntries: Int
    public var decisions: Int
    public var head: String?
    /// Every problem found; empty means the case is intact.
    public var problems: [String]
    public var isIntact: Bool { problems.isEmpty }
}

extension CaseStore {
    /// Recomputes the audit chain, checks that every decision is the one its audit entry
    /// recorded, and runs SQLite's integrity check.
    public func verify() throws -> VerificationReport {
        try read { db in
            var problems: [String] = []
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { problems.append("SQLite integrity check: " + integrity.joined(separator: "; ")) }

            let entries = try AuditLog.entries(db)
            var previous = AuditEntry.genesis
            var expectedSequence: Int64 = 1
            for entry in entries {
                if entry.sequence != expectedSequence {
                    problems.append("audit entry \(expectedSequence) is missing (next is \(entry.sequence)): the chain was cut")
                    break
                }
                if entry.previousHash != previous {
                    problems.append("audit entry \(entry.sequence) (\(SafeText.display(entry.action)), \(SafeText.display(entry.time))) does not link to entry \(entry.sequence - 1): the chain is broken there")
                    break
                }
                let recomputed = AuditEntry.chainHash(previous: entry.previousHash, sequence: entry.sequence, time: entry.time,
                                                      actor: entry.actor, action: entry.action, detail: entry.detail)
                if recomputed != entry.hash {
                    problems.append("audit entry \(entry.sequence) (\(SafeText.display(entry.action)), \(SafeText.display(entry.time))) was edited: its hash does not match its content")
                    break
                }
                previous = entry.hash
                expectedSequence += 1
            }

            // Every decision must be exactly what its audit entry says, and every decision entry
            // must still have its decision.
            let decisions = try Row.fetchAll(db, sql: "SELECT * FROM decisions ORDER BY id").map(Decision.init)
            let bySequence = Dictionary(entries.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
            for decision in decisions {
                guard let entry = bySequence[decision.auditSequence], entry.action == "decision",
                      let detail = try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: Any] else {
                    problems.append("decision \(decision.id) has no audit entry \(decision.auditSequence)")
                    continue
                }
                if detail["sha256"] as? String != Hex.encode(decision.sha256) || detail["category"] as? String != decision.category.rawValue
                    || detail["previous"] as? String != (decision.previous?.rawValue ?? "pending")
                    || detail["note"] as? String != decision.note || entry.actor != decision.examiner || entry.time != decision.time
                    || (detail["batch"] as? Int64) != decision.batch || detail["segment"] as? String != decision.segmentDetail {
                    problems.append("decision \(decision.id) differs from its audit entry \(decision.auditSequence): the decisions table was edited")
                }
            }
            // Every withdrawn decision must be listed by the undo entry that withdrew it, and
            // every undo entry's decisions must still be marked withdrawn.
            let undos = try Row.fetchAll(db, sql: "SELECT decision_id, audit_seq FROM undos ORDER BY decision_id")
            var withdrawnBy: [Int64: Int64] = [:]
            for undo in undos { withdrawnBy[undo["decision_id"]] = undo["audit_seq"] }
            for entry in entries where entry.action == "undo" {
                let detail = try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: Any]
                for id in detail?["decisions"] as? [Int64] ?? [] where withdrawnBy.removeValue(forKey: id) != entry.sequence {
                    problems.append("decision \(id) was withdrawn by audit entry \(entry.sequence) but is not marked so: the undos table was edited")
                }
            }
            for (id, sequence) in withdrawnBy.sorted(by: { $0.key < $1.key }) {
                problems.append("decision \(id) is marked withdrawn by audit entry \(sequence), which does not list it: the undos table was edited")
            }
            // The decision in force is the one with the highest id: ids must follow the audit order.
            for (earlier, later) in zip(decisions, decisions.dropFirst()) where later.auditSequence <= earlier.auditSequence {
                problems.append("decisions \(earlier.id) and \(later.id) are out of audit order: the decisions table was renumbered")
            }
            // Every recorded item and match must be exactly what its batch's audit entry sealed,
            // and no item may exist outside a sealed batch.
            var sealed = 0
            for entry in entries where entry.action == "record" {
                guard let detail = try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: Any],
                      let first = (detail["first_item"] as? NSNumber)?.int64Value, let last = (detail["last_item"] as? NSNumber)?.int64Value,
                      let digest = detail["digest"] as? String else {
                    problems.append("audit entry \(entry.sequence) (record) is unreadable")
                    continue
                }
                sealed += (detail["items"] as? NSNumber)?.intValue ?? 0
                if try Self.itemsDigest(db, from: first, to: last) != digest {
                    problems.append("items \(first)–\(last) (or their matches) differ from what audit entry \(entry.sequence) recorded: the items or matches table was edited")
                }
            }
            let items = try Int.fetchOne(db, sql: "SELECT count(*) FROM items") ?? 0
            if items != sealed {
                problems.append("the case holds \(items) items but the audit log recorded \(sealed): items were added or removed outside triage")
            }
            let decisionEntries = entries.filter { $0.action == "decision" }.count
            if decisionEntries != decisions.count {
                problems.append("the audit log records \(decisionEntries) decisions but the case holds \(decisions.count): decisions were added or removed outside triage")
            }
            return VerificationReport(auditEntries: entries.count, decisions: decisions.count, head: entries.last?.hash, problems: problems)
        }
    }

    /// The audit log, oldest first.
    public func auditEntries() throws -> [AuditEntry] {
        try read { db in try AuditLog.entries(db) }
    }
}
