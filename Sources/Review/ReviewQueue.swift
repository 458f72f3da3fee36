import CaseStore
import Foundation
import HashDatabase
import TriageCore

/// A category the screen proposes and never applies by itself: the nearest content in the
/// case that already has a category, by PDQ, beyond what made it one group.
public struct Suggestion: Sendable, Equatable {
    public var category: Category
    public var distance: Int
    /// Where the category comes from: `decided by J Smith`, `exact match (CAID)`, …
    public var basis: String
    /// The forensic path of the content it was found near.
    public var path: String
}

/// One screen of the review: a content, or several near-duplicate contents decided together.
public struct ReviewItem: Sendable {
    public enum Status: Sendable, Equatable {
        case pending
        case decided(Category)
    }

    /// One or more contents (one SHA-256 each, with every instance); the first is shown.
    public var contents: [PendingGroup]
    public var suggestion: Suggestion?
    public var status: Status = .pending
    /// Largest PDQ distance from the first content to another in the group.
    public var spread: Int = 0

    public init(contents: [PendingGroup], suggestion: Suggestion? = nil) {
        self.contents = contents
        self.suggestion = suggestion
    }

    public var instanceCount: Int { contents.reduce(0) { $0 + $1.instances.count } }
    public var sha256s: [[UInt8]] { contents.map(\.sha256) }
    public var first: StoredItem { contents[0].instances[0] }
}

/// The order of the queue (`--order`).
public enum ReviewOrder: String, Sendable, CaseIterable {
    /// Most instances first, then by path: the biggest effect on the counts first.
    case instances
    /// By exhibit and folder, then name: the way the examiner would browse the device.
    case folder
    /// By the file's modification time, oldest first (unknown times last).
    case time
    /// By an imported score, highest first (`--scores FILE`: a classifier's output, say);
    /// items without a score last, by instances.
    case score
}

/// Builds the review queue from the case's pending contents.
public enum ReviewQueue {
    /// The pending contents, near-duplicates (PDQ within `threshold`, both of quality at least
    /// `qualityFloor`) grouped into one item, in `order`, each with a suggestion when a content
    /// that already has a category is within `suggestionRadius`.
    public static func load(from store: CaseStore, order: ReviewOrder = .instances, scores: [[UInt8]: Double] = [:], threshold: Int = 31,
                            qualityFloor: Int = 50, suggestionRadius: Int = 62) throws -> [ReviewItem] {
        // One pass over the case: the pending contents, and the contents with a category that
        // suggestions are taken from.
        var references: [PDQIndex.Entry] = []
        var referencePaths: [String] = []
        var seen = Set<[UInt8]>()
        let pending = try store.pendingGroups { item, resolution, decision in
            guard let sha256 = item.result.digests?.sha256, let pdq = item.result.pdq, pdq.quality >= qualityFloor,
                  let category = resolution.category, seen.insert(sha256).inserted else { return }
            let basis = decision.map { "decided by \($0.examiner)" }
                ?? item.matches.first.map { "\($0.basis.rawValue) match (\($0.source))" } ?? "resolved"
            references.append(PDQIndex.Entry(hash: pdq.hash, category: category, source: basis))
            referencePaths.append(item.result.path.display)
        }
        let known = PDQIndex(references)
        var items = group(pending, threshold: threshold, qualityFloor: qualityFloor)
        for index in items.indices {
            guard let pdq = items[index].first.result.pdq, pdq.quality >= qualityFloor else { continue }
            let hits = known.search(pdq.hash, threshold: suggestionRadius)
            if let best = hits.min(by: { ($0.distance, $0.entry) < ($1.distance, $1.entry) }) {
                let entry = known.entry(best.entry)
                items[index].suggestion = Suggestion(category: entry.category, distance: best.distance, basis: entry.source,
                                                     path: referencePaths[best.entry])
            }
        }
        return sorted(items, by: order, scores: scores)
    }

    /// Reads a score file: one `sha256,score` (or tab-separated) per line, SHA-256 in hex;
    /// blank lines, `#` comments and a header line that does not parse are skipped.
    public static func scores(fromFile path: String) throws -> [[UInt8]: Double] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReviewError("cannot read the score file \(path)")
        }
        var scores: [[UInt8]: Double] = [:]
        for (number, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == "," || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2, let sha256 = Hex.decode(fields[0]), sha256.count == 32, let score = Double(fields[1]), score.isFinite else {
                if number == 0 { continue }  // a header
                throw ReviewError("\(path) line \(number + 1): expected `sha256,score` (64 hex digits, a number)")
            }
            scores[sha256] = score
        }
        return scores
    }

    /// Groups contents whose PDQ hashes are within `threshold` (transitively: single linkage,
    /// so a chain of small steps is one group; the details screen shows the spread).
    static func group(_ pending: [PendingGroup], threshold: Int, qualityFloor: Int) -> [ReviewItem] {
        var hashed: [Int] = []
        var entries: [PDQIndex.Entry] = []
        for (index, content) in pending.enumerated() {
            if let pdq = content.instances[0].result.pdq, pdq.quality >= qualityFloor {
                hashed.append(index)
                entries.append(PDQIndex.Entry(hash: pdq.hash, category: .n, source: ""))
            }
        }
        var parent = Array(pending.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        let index = PDQIndex(entries)
        for (position, content) in hashed.enumerated() {
            for hit in index.search(entries[position].hash, threshold: threshold) where hit.entry != position {
                let (a, b) = (root(content), root(hashed[hit.entry]))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in pending.indices { members[root(i), default: []].append(i) }
        return members.keys.sorted().map { key in
            // Within a group, the content with the most instances is the one shown.
            let contents = members[key]!.map { pending[$0] }.sorted { $0.instances.count > $1.instances.count }
            var item = ReviewItem(contents: contents)
            if let first = contents[0].instances[0].result.pdq?.hash {
                item.spread = contents.dropFirst().compactMap { $0.instances[0].result.pdq?.hash.distance(to: first) }.max() ?? 0
            }
            return item
        }
    }

    static func sorted(_ items: [ReviewItem], by order: ReviewOrder, scores: [[UInt8]: Double] = [:]) -> [ReviewItem] {
        func place(_ item: ReviewItem) -> (String, ForensicPath) { (item.first.exhibit, item.first.result.path) }
        switch order {
        case .instances:
            return items.sorted {
                $0.instanceCount != $1.instanceCount ? $0.instanceCount > $1.instanceCount : place($0) < place($1)
            }
        case .folder:
            return items.sorted { place($0) < place($1) }
        case .score:
            func score(_ item: ReviewItem) -> Double { item.sha256s.compactMap { scores[$0] }.max() ?? -.infinity }
            return items.sorted {
                let (left, right) = (score($0), score($1))
                if left != right { return left > right }
                return $0.instanceCount != $1.instanceCount ? $0.instanceCount > $1.instanceCount : place($0) < place($1)
            }
        case .time:
            return items.sorted {
                let (left, right) = ($0.first.result.times.modified ?? .max, $1.first.result.times.modified ?? .max)
                return left != right ? left < right : place($0) < place($1)
            }
        }
    }
}
