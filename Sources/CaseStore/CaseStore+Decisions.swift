import Foundation
import GRDB
import TriageCore

/// An examiner's categorisation of one content (SHA-256), applying to every instance.
public struct Decision: Sendable, Equatable {
    public var id: Int64
    public var sha256: [UInt8]
    public var category: Category
    /// The category the content had before (from a database match or an earlier decision).
    public var previous: Category?
    public var examiner: String
    public var time: String
    public var note: String?
    public var auditSequence: Int64

    init(_ row: Row) {
        let sha256: Data = row["sha256"]
        id = row["id"]
        self.sha256 = Array(sha256)
        category = Category(rawValue: row["category"]) ?? .n
        previous = (row["previous"] as String?).flatMap(Category.init(rawValue:))
        examiner = row["examiner"]
        time = row["time"]
        note = row["note"]
        auditSequence = row["audit_seq"]
    }
}

/// What a categorisation changed.
public struct DecisionOutcome: Sendable {
    public var decision: Decision
    /// How many items (instances) carry this content.
    public var instances: Int
}

extension CaseStore {
    /// Records a decision for content, committed at once together with its audit entry.
    ///
    /// - Throws: `CaseStoreError` if no image or video in the case has this SHA-256.
    public func categorise(sha256: [UInt8], as category: Category, examiner: String, note: String?) throws -> DecisionOutcome {
        try write { db in
            let instances = try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE sha256 = ? AND kind != 'other'",
                                             arguments: [Data(sha256)]) ?? 0
            guard instances > 0 else {
                throw CaseStoreError("no image or video in the case has SHA-256 \(Hex.encode(sha256)); check the digest with `triage queue --case \(directory)`")
            }
            let previousDecision = try Row.fetchOne(db, sql: "SELECT category FROM decisions WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                                                   arguments: [Data(sha256)]).map { $0["category"] as String }
            var previous = previousDecision.flatMap(Category.init(rawValue:))
            if previous == nil {
                let matches = try Row.fetchAll(db, sql: """
                    SELECT DISTINCT m.category, m.basis, m.hash_type, m.source FROM matches m JOIN items i ON i.id = m.item_id
                    WHERE i.sha256 = ?
                    """, arguments: [Data(sha256)]).map(Self.match)
                previous = Resolution.resolve(matches: matches, decision: nil).category
            }
            var detail: [String: Any] = ["sha256": Hex.encode(sha256), "category": category.rawValue,
                                         "previous": previous?.rawValue ?? "pending", "instances": instances]
            if let note { detail["note"] = note }
            let audit = try AuditLog.append(db, actor: examiner, action: "decision", detail: detail)
            let time = audit.time
            try db.execute(sql: """
                INSERT INTO decisions(sha256, category, previous, examiner, time, note, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Data(sha256), category.rawValue, previous?.rawValue, examiner, time, note, audit.sequence])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [db.lastInsertedRowID])!
            return DecisionOutcome(decision: Decision(row), instances: instances)
        }
    }

    /// Records a decision for the content of one item.
    public func categorise(itemID: Int64, as category: Category, examiner: String, note: String?) throws -> DecisionOutcome {
        guard let item = try item(id: itemID) else {
            throw CaseStoreError("no item \(itemID) in the case; `triage queue --case \(directory)` lists the pending items and their ids")
        }
        guard item.result.kind.isMedia, let digests = item.result.digests else {
            throw CaseStoreError("item \(itemID) (\(item.result.path.display)) is not an image or video, so it has no category")
        }
        return try categorise(sha256: digests.sha256, as: category, examiner: examiner, note: note)
    }
}
