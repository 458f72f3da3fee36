import Foundation
import GRDB
import TriageCore

/// What one examiner was shown unblurred: the exposure ledger, kept in the audit chain.
public struct Exposure: Sendable, Equatable {
    public var examiner: String
    /// How many times an item was revealed.
    public var reveals: Int
    /// How long items stayed revealed, in total.
    public var seconds: Double

    public init(examiner: String, reveals: Int, seconds: Double) {
        self.examiner = examiner
        self.reveals = reveals
        self.seconds = seconds
    }
}

extension CaseStore {
    /// Records that the examiner looked at content unblurred for `seconds` (an audit entry
    /// `reveal`, committed at once).
    @discardableResult
    public func recordReveal(sha256: [UInt8], seconds: Double, examiner: String) throws -> AuditEntry {
        try write { db in
            try AuditLog.append(db, actor: examiner, action: "reveal", detail: [
                "sha256": Hex.encode(sha256),
                // Milliseconds as an integer: the chain's JSON must not depend on float printing.
                "milliseconds": Int((seconds * 1000).rounded()),
            ])
        }
    }

    /// The exposure ledger per examiner, in name order, from the audit chain.
    public func exposure() throws -> [Exposure] {
        try read { db in
            var ledger: [String: Exposure] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT actor, detail FROM audit WHERE action = 'reveal' ORDER BY seq") {
                let examiner: String = row["actor"]
                let detail = try? JSONSerialization.jsonObject(with: Data((row["detail"] as String).utf8)) as? [String: Any]
                let milliseconds = (detail?["milliseconds"] as? NSNumber)?.doubleValue ?? 0
                ledger[examiner, default: Exposure(examiner: examiner, reveals: 0, seconds: 0)].reveals += 1
                ledger[examiner]!.seconds += milliseconds / 1000
            }
            return ledger.values.sorted { $0.examiner < $1.examiner }
        }
    }

    /// Every pending instance of one content, or nil when none is pending (a group for the
    /// review screen after an undo).
    public func pendingGroup(sha256: [UInt8]) throws -> PendingGroup? {
        let decision = try read { db in try Self.currentDecision(db, sha256: sha256) }
        var groups: [[UInt8]: PendingGroup] = [:]
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM items WHERE sha256 = ? ORDER BY exhibit, source, path", arguments: [Data(sha256)])
            for row in rows {
                let matches = try Row.fetchAll(db, sql: "SELECT * FROM matches WHERE item_id = ?", arguments: [row["id"] as Int64]).map(Self.match)
                Self.addIfPending(Self.item(row, matches: matches), decision: decision?.category, to: &groups)
            }
        }
        return groups[sha256]
    }
}
