import CaseStore
import HashDatabase
import TriageCore

/// `hashdb learn`: the examiner's decisions in a case become known-hash entries, so that the
/// next case recognises what this one categorised (what CAID does with new images:
/// "hashed, added and categorised").
public enum DecisionLearner {
    /// Adds one entry per decided content (its MD5, SHA-1, SHA-256 and, when it has one, PDQ
    /// with quality) in the decided category, N included, with the source "examiner, case NAME",
    /// as one import in the database's history. Returns the import's record.
    public static func learn(from store: CaseStore, into database: any KnownHashStore) throws -> ImportRecord {
        let name = try store.info().name
        let source = "examiner, case \(name)"
        let decisions = try store.currentDecisions()
        // One item per decided content gives the other digests and the PDQ.
        var items: [[UInt8]: ItemResult] = [:]
        try store.forEachItem { item in
            guard let sha256 = item.result.digests?.sha256, decisions[sha256] != nil, items[sha256] == nil else { return }
            items[sha256] = item.result
        }
        return try database.importing(ImportDescription(fileName: "case \(name)", format: "examiner decisions", source: source)) { add in
            var counts = ImportCounts()
            for sha256 in decisions.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let decision = decisions[sha256], let item = items[sha256], let digests = item.digests else { continue }
                counts.read += 1
                let entry = KnownEntry(md5: digests.md5, sha1: digests.sha1, sha256: digests.sha256, pdq: item.pdq?.hash,
                                       pdqQuality: item.pdq?.quality, category: decision.category, source: source)
                if try add(entry) { counts.added += 1 } else { counts.alreadyPresent += 1 }
            }
            return counts
        }
    }
}
