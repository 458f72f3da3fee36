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
        let contents = try store.decidedContents()
        return try database.importing(ImportDescription(fileName: "case \(name)", format: "examiner decisions", source: source)) { add in
            var counts = ImportCounts()
            for (decision, item) in contents {
                guard let digests = item.digests else { continue }
                counts.read += 1
                let entry = KnownEntry(md5: digests.md5, sha1: digests.sha1, sha256: digests.sha256, pdq: item.pdq?.hash,
                                       pdqQuality: item.pdq?.quality, category: decision.category, source: source)
                if try add(entry) { counts.added += 1 } else { counts.alreadyPresent += 1 }
            }
            return counts
        }
    }
}
