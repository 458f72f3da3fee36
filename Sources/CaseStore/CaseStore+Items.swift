import Foundation
import GRDB
import TriageCore

/// An item as stored in the case, with its matches.
public struct StoredItem: Sendable {
    public var id: Int64
    public var exhibit: String
    public var source: String
    public var result: ItemResult
    public var matches: [KnownMatch]
}

/// Pending content: one SHA-256 and every instance of it.
public struct PendingGroup: Sendable {
    public var sha256: [UInt8]
    public var kind: MediaKind
    public var mime: String?
    public var size: Int64
    public var instances: [StoredItem]
    /// The database knows this content under more than one category.
    public var conflictingMatches: [KnownMatch]
}

extension CaseStore {
    /// Every item, in exhibit and path order, with its matches.
    public func forEachItem(exhibit: String? = nil, _ visit: (StoredItem) throws -> Void) throws {
        try read { db in
            var matches: [Int64: [KnownMatch]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM matches") {
                matches[row["item_id"], default: []].append(Self.match(row))
            }
            let filter = exhibit == nil ? "" : "WHERE exhibit = ?"
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM items \(filter) ORDER BY exhibit, source, path",
                                             arguments: exhibit.map { [$0] } ?? [])
            while let row = try cursor.next() {
                let id: Int64 = row["id"]
                try visit(Self.item(row, matches: matches[id] ?? []))
            }
        }
    }

    /// One item by its id, or nil.
    public func item(id: Int64) throws -> StoredItem? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM items WHERE id = ?", arguments: [id]) else { return nil }
            let matches = try Row.fetchAll(db, sql: "SELECT * FROM matches WHERE item_id = ?", arguments: [id]).map(Self.match)
            return Self.item(row, matches: matches)
        }
    }

    /// Items of an exhibit that could not be examined, over every scan run.
    public func errorCount(exhibit: String) throws -> Int {
        let names = Disposition.allCases.filter(\.isError).map(\.rawValue)
        return try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE exhibit = ? AND disposition IN (\(names.map { _ in "?" }.joined(separator: ",")))",
                             arguments: StatementArguments([exhibit] + names)) ?? 0
        }
    }

    /// Every decided content, in SHA-256 order, with the instance that names it: the least
    /// nested, then the first by path (for exports and for learning).
    public func decidedContents() throws -> [(decision: Decision, item: ItemResult)] {
        let decisions = try currentDecisions()
        var first: [[UInt8]: ItemResult] = [:]
        try forEachItem { item in
            guard let sha256 = item.result.digests?.sha256, decisions[sha256] != nil else { return }
            if let seen = first[sha256]?.path, seen.depth != item.result.path.depth ? seen.depth < item.result.path.depth : seen <= item.result.path {
                return
            }
            first[sha256] = item.result
        }
        return decisions.keys.sorted { $0.lexicographicallyPrecedes($1) }.compactMap { sha256 in
            first[sha256].map { (decisions[sha256]!, $0) }
        }
    }

    /// The latest examiner decision per SHA-256 (withdrawn ones left out).
    public func currentDecisions() throws -> [[UInt8]: Decision] {
        try read { db in try Self.currentDecisions(db) }
    }

    static func currentDecisions(_ db: Database) throws -> [[UInt8]: Decision] {
        inForce(try Row.fetchAll(db, sql: "SELECT * FROM decisions WHERE id NOT IN (SELECT decision_id FROM undos) ORDER BY id").map(Decision.init))
    }

    /// Pending media grouped by SHA-256: most instances first, then by first path.
    ///
    /// - Parameter resolved: called, in the same pass, with every media item that has a
    ///   category, its resolution and the decision in force (the review screen's suggestions).
    public func pendingGroups(resolved: (StoredItem, Resolution, Decision?) -> Void = { _, _, _ in }) throws -> [PendingGroup] {
        let decisions = try currentDecisions()
        var groups: [[UInt8]: PendingGroup] = [:]
        try forEachItem { item in
            guard item.result.kind.isMedia, let sha256 = item.result.digests?.sha256 else { return }
            let decision = decisions[sha256]
            let resolution = Resolution.resolve(matches: item.matches, decision: decision?.category)
            if resolution.isPending { Self.add(item, resolution: resolution, to: &groups) } else { resolved(item, resolution, decision) }
        }
        return groups.values.sorted { lhs, rhs in
            if lhs.instances.count != rhs.instances.count { return lhs.instances.count > rhs.instances.count }
            return (lhs.instances[0].exhibit, lhs.instances[0].result.path) < (rhs.instances[0].exhibit, rhs.instances[0].result.path)
        }
    }

    /// Adds a media item to its content's group when its resolution is pending.
    static func addIfPending(_ item: StoredItem, decision: Category?, to groups: inout [[UInt8]: PendingGroup]) {
        guard item.result.kind.isMedia, item.result.digests != nil else { return }
        let resolution = Resolution.resolve(matches: item.matches, decision: decision)
        if resolution.isPending { add(item, resolution: resolution, to: &groups) }
    }

    /// Adds a pending media item to its content's group.
    private static func add(_ item: StoredItem, resolution: Resolution, to groups: inout [[UInt8]: PendingGroup]) {
        let sha256 = item.result.digests!.sha256
        groups[sha256, default: PendingGroup(sha256: sha256, kind: item.result.kind, mime: item.result.mime,
                                             size: item.result.size, instances: [], conflictingMatches: [])].instances.append(item)
        if resolution.conflict { groups[sha256]!.conflictingMatches = item.matches }
    }

    static func match(_ row: Row) -> KnownMatch {
        var perceptual: PerceptualDistance?
        if let distance: Int = row["distance"], let known: Data = row["known_pdq"], known.count == 32 {
            perceptual = PerceptualDistance(distance: distance, knownHash: PDQHash(bytes: Array(known)),
                                            variant: (row["variant"] as String?).flatMap(Dihedral.init(rawValue:)) ?? .original)
        }
        let frames = (row["frames"] as String?).map { $0.split(separator: ",").compactMap { Int64($0) } }
        return KnownMatch(category: Category(rawValue: row["category"]) ?? .n, basis: Basis(rawValue: row["basis"]) ?? .exact,
                          hashType: MatchHash(rawValue: row["hash_type"]) ?? .md5, source: row["source"], perceptual: perceptual,
                          frames: frames, knownVideo: (row["known_video"] as String?).flatMap {
                              try? JSONDecoder().decode(KnownVideoMatch.self, from: Data($0.utf8))
                          })
    }

    static func item(_ row: Row, matches: [KnownMatch]) -> StoredItem {
        let path: Data = row["path"]
        let md5: Data? = row["md5"]
        let sha1: Data? = row["sha1"]
        let sha256: Data? = row["sha256"]
        var digests: Digests?
        if let md5, let sha1, let sha256 { digests = Digests(md5: Array(md5), sha1: Array(sha1), sha256: Array(sha256)) }
        let linkTarget: Data? = row["link_target"]
        var result = ItemResult(
            path: ForensicPath(storedBytes: Array(path)), size: row["size"],
            times: FileTimes(modified: row["mtime"], accessed: row["atime"], changed: row["ctime"]),
            disposition: Disposition(rawValue: row["disposition"]) ?? .unreadable, reason: row["reason"], mime: row["mime"],
            kind: MediaKind(rawValue: row["kind"]) ?? .other, extensionMismatch: row["extension_mismatch"],
            digests: digests, linkTarget: linkTarget.map { Array($0) })
        if let decoder: String = row["decoder"] {
            result.image = DecodedFacts(decoder: decoder, width: row["width"] ?? 0, height: row["height"] ?? 0, scaleDenominator: row["scale"] ?? 1)
        }
        if let pdq: Data = row["pdq"], pdq.count == 32 {
            result.pdq = PDQSignature(hash: PDQHash(bytes: Array(pdq)), quality: row["pdq_quality"] ?? 0)
        }
        if let dihedral: Data = row["dihedral"], dihedral.count == 256 {
            result.dihedral = (0..<8).map { PDQHash(bytes: Array(dihedral[dihedral.startIndex + 32 * $0..<dihedral.startIndex + 32 * ($0 + 1)])) }
        }
        result.parentDistance = row["parent_pdq_distance"]
        if let video: String = row["video"] {
            result.video = try? JSONDecoder().decode(VideoFacts.self, from: Data(video.utf8))
        }
        if let frames: Data = row["frames"] { result.frames = VideoFrameHash.unpack(Array(frames)) }
        return StoredItem(id: row["id"], exhibit: row["exhibit"], source: row["source"], result: result, matches: matches)
    }
}
