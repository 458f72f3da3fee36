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
    /// Decisions taken together on a group of near-duplicates share a batch (the first one's
    /// id); nil for a decision on one content.
    public var batch: Int64?
    /// For a video: the part of it the decision is about; nil for the whole content.
    public var segment: VideoSegment?
    /// In `currentDecisions`: every decision in force for the content, one per segment (the
    /// whole video counting as one); `category` is then the most severe of them.
    public var inForce: [Decision] = []

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
        batch = row["batch"]
        if let start: Int64 = row["segment_start"], let end: Int64 = row["segment_end"] {
            segment = VideoSegment(start: start, end: end)
        }
    }

    /// What the decision is about, as reports show it: "0:00:02.000–0:00:05.000" or "whole video".
    public var part: String { segment?.description ?? "whole video" }

    /// The form the audit entry records a segment in.
    var segmentDetail: String? { segment.map { "\($0.start)-\($0.end)" } }
}

/// A part of a video, in microseconds from its start.
public struct VideoSegment: Sendable, Hashable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// "0:00:12.000–0:00:45.500"
    public var description: String { "\(VideoFrameHash.clock(start))–\(VideoFrameHash.clock(end))" }

    /// Parses "0:12-0:45", "12-45.5", "1:02:03-1:05:00" (hours, minutes and seconds; the
    /// seconds may have a fraction); nil unless start < end.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.microseconds(parts[0]), let end = Self.microseconds(parts[1]), start < end else { return nil }
        self.init(start: start, end: end)
    }

    static func microseconds(_ text: Substring) -> Int64? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard let seconds = Double(fields.last!), seconds >= 0, seconds.isFinite else { return nil }
        var total = seconds
        switch fields.count {
        case 1: break
        case 2:
            guard let minutes = Int(fields[0]), minutes >= 0, seconds < 60 else { return nil }
            total += Double(minutes) * 60
        case 3:
            guard let hours = Int(fields[0]), hours >= 0, let minutes = Int(fields[1]), (0..<60).contains(minutes), seconds < 60 else { return nil }
            total += Double(hours) * 3600 + Double(minutes) * 60
        default: return nil
        }
        return total < 1e9 ? Int64((total * 1_000_000).rounded()) : nil
    }
}

/// What a categorisation changed.
public struct DecisionOutcome: Sendable {
    public var decision: Decision
    /// How many items (instances) carry this content.
    public var instances: Int
    /// The content's category with this decision in force: the decision's own, or for a
    /// segment of a video, the most severe of the video's decisions in force.
    public var category: Category
}

/// What an undo withdrew.
public struct UndoOutcome: Sendable {
    /// The withdrawn decisions (one, or a whole group's batch).
    public var decisions: [Decision]
    public var auditSequence: Int64
}

extension CaseStore {
    /// Records a decision for content, committed at once together with its audit entry.
    ///
    /// - Throws: `CaseStoreError` if no image or video in the case has this SHA-256.
    public func categorise(sha256: [UInt8], as category: Category, examiner: String, note: String?,
                           segment: VideoSegment? = nil) throws -> DecisionOutcome {
        try categorise(contents: [sha256], as: category, examiner: examiner, note: note, segment: segment)[0]
    }

    /// Records one decision for several contents (a group of near-duplicates) in one
    /// transaction: one audit entry each, all in one batch, so that one undo withdraws them all.
    ///
    /// With `segment`, the decision is about that part of a video only: a video's category is
    /// the most severe of the decisions in force (`inForce`: a whole-video decision replaces every
    /// earlier one, a segment decision those about the same segment or a part of it).
    public func categorise(contents: [[UInt8]], as category: Category, examiner: String, note: String?,
                           segment: VideoSegment? = nil) throws -> [DecisionOutcome] {
        precondition(!contents.isEmpty)
        return try write { db in
            var outcomes: [DecisionOutcome] = []
            var batch: Int64?
            for sha256 in contents {
                let instances = try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE sha256 = ? AND kind != 'other'",
                                                 arguments: [Data(sha256)]) ?? 0
                guard instances > 0 else {
                    throw CaseStoreError("no image or video in the case has SHA-256 \(Hex.encode(sha256)); check the digest with `triage queue --case \(directory)`")
                }
                if segment != nil, try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE sha256 = ? AND kind = 'moving'",
                                                    arguments: [Data(sha256)]) != instances {
                    throw CaseStoreError("SHA-256 \(Hex.encode(sha256)) is not a video: only a video's decision can be about a segment")
                }
                var previous = try Self.currentDecision(db, sha256: sha256)?.category
                if previous == nil {
                    // Every column: a video's frame matches resolve by their own rule (most severe).
                    let matches = try Row.fetchAll(db, sql: """
                        SELECT m.* FROM matches m JOIN items i ON i.id = m.item_id WHERE i.sha256 = ?
                        """, arguments: [Data(sha256)]).map(Self.match)
                    previous = Resolution.resolve(matches: matches, decision: nil).category
                }
                var detail: [String: Any] = ["sha256": Hex.encode(sha256), "category": category.rawValue,
                                             "previous": previous?.rawValue ?? "pending", "instances": instances]
                if let note { detail["note"] = note }
                if let segment { detail["segment"] = "\(segment.start)-\(segment.end)" }
                if contents.count > 1 {
                    // The batch is the first decision's id, known before its insert.
                    let next = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM decisions") ?? 0) + 1
                    batch = batch ?? next
                    detail["batch"] = batch
                }
                let audit = try AuditLog.append(db, actor: examiner, action: "decision", detail: detail)
                try db.execute(sql: """
                    INSERT INTO decisions(sha256, category, previous, examiner, time, note, audit_seq, batch, segment_start, segment_end)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Data(sha256), category.rawValue, previous?.rawValue, examiner, audit.time, note, audit.sequence, batch,
                                     segment?.start, segment?.end])
                let row = try Row.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [db.lastInsertedRowID])!
                let now = segment == nil ? category : try Self.currentDecision(db, sha256: sha256)?.category ?? category
                outcomes.append(DecisionOutcome(decision: Decision(row), instances: instances, category: now))
            }
            return outcomes
        }
    }

    /// Withdraws the examiner's latest decision still in force (with the rest of its batch),
    /// so that the content falls back to its earlier decision, its database match, or pending.
    /// Committed at once with an `undo` audit entry; nil when there is nothing to undo.
    public func undoLastDecision(examiner: String) throws -> UndoOutcome? {
        try write { db in
            guard let last = try Row.fetchOne(db, sql: """
                SELECT * FROM decisions WHERE examiner = ? AND id NOT IN (SELECT decision_id FROM undos) ORDER BY id DESC LIMIT 1
                """, arguments: [examiner]).map(Decision.init) else { return nil }
            var withdrawn = [last]
            if let batch = last.batch {
                withdrawn = try Row.fetchAll(db, sql: """
                    SELECT * FROM decisions WHERE batch = ? AND id NOT IN (SELECT decision_id FROM undos) ORDER BY id
                    """, arguments: [batch]).map(Decision.init)
            }
            let audit = try AuditLog.append(db, actor: examiner, action: "undo", detail: [
                "decisions": withdrawn.map(\.id), "sha256": withdrawn.map { Hex.encode($0.sha256) },
                "categories": withdrawn.map(\.category.rawValue),
            ])
            for decision in withdrawn {
                try db.execute(sql: "INSERT INTO undos(decision_id, audit_seq) VALUES (?, ?)", arguments: [decision.id, audit.sequence])
            }
            return UndoOutcome(decisions: withdrawn, auditSequence: audit.sequence)
        }
    }

    static func currentDecision(_ db: Database, sha256: [UInt8]) throws -> Decision? {
        Self.inForce(try Row.fetchAll(db, sql: """
            SELECT * FROM decisions WHERE sha256 = ? AND id NOT IN (SELECT decision_id FROM undos) ORDER BY id
            """, arguments: [Data(sha256)]).map(Decision.init))[sha256]
    }

    /// The decision in force per content, from decisions not withdrawn, in id order. A decision
    /// about the whole content replaces every earlier one; a decision about a segment of a video
    /// replaces earlier ones about the same segment or a part of it. Of those left, the most
    /// severe decides; it is returned with the others in `inForce`.
    static func inForce(_ decisions: [Decision]) -> [[UInt8]: Decision] {
        var standing: [[UInt8]: [Decision]] = [:]
        for decision in decisions {
            standing[decision.sha256, default: []].removeAll { earlier in
                guard let segment = decision.segment else { return true }
                return earlier.segment.map { $0.start >= segment.start && $0.end <= segment.end } ?? false
            }
            standing[decision.sha256]!.append(decision)
        }
        return standing.mapValues { all in
            // The most severe; of equals, the latest.
            var deciding = all.max { ($0.category.severity, $0.id) < ($1.category.severity, $1.id) }!
            deciding.inForce = all
            return deciding
        }
    }

    /// Records a decision for the content of one item.
    public func categorise(itemID: Int64, as category: Category, examiner: String, note: String?,
                           segment: VideoSegment? = nil) throws -> DecisionOutcome {
        guard let item = try item(id: itemID) else {
            throw CaseStoreError("no item \(itemID) in the case; `triage queue --case \(directory)` lists the pending items and their ids")
        }
        guard item.result.kind.isMedia, let digests = item.result.digests else {
            throw CaseStoreError("item \(itemID) (\(item.result.path.display)) is not an image or video, so it has no category")
        }
        return try categorise(sha256: digests.sha256, as: category, examiner: examiner, note: note, segment: segment)
    }
}
