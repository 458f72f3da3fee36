import CaseStore
import HashDatabase
import TriageCore

/// `hashdb learn`: the examiner's decisions in a case become known-hash entries, so that the
/// next case recognises what this one categorised (what CAID does with new images:
/// "hashed, added and categorised").
public enum DecisionLearner {
    /// Adds one entry per decided content (its MD5, SHA-1, SHA-256 and, when it has one, PDQ
    /// with quality) in the decided category, N included, with the source "examiner, case NAME",
    /// as one import in the database's history; then every decided video that has sampled
    /// frames as a known video (vPDQ), named by its path, in its decided category, with the same
    /// source. The case's decisions are read once for both. Returns the two imports' records
    /// (the second nil when the case has no such video).
    public static func learn(from store: CaseStore, into database: SQLiteHashDatabase) throws -> (entries: ImportRecord, videos: ImportRecord?) {
        let name = try store.info().name
        let source = "examiner, case \(name)"
        let contents = try store.decidedContents()
        let entries = try database.importing(ImportDescription(fileName: "case \(name)", format: "examiner decisions", source: source)) { add in
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
        let videos = decidedVideos(contents).map { KnownVideo(name: $0.name, category: $0.category, source: source, frames: $0.frames) }
        guard !videos.isEmpty else { return (entries, nil) }
        let record = try database.importVideos(videos, description: ImportDescription(fileName: "case \(name)", format: "examiner decisions (vpdq)",
                                                                                    source: source), rejected: 0)
        return (entries, record)
    }

    /// The decided videos with sampled frames, by their first instance's path. When the video's
    /// category comes from segments, only the frames inside the segments of that category are
    /// given: the rest of the video was not found to be of it.
    public static func decidedVideos(_ store: CaseStore, category: Category? = nil) throws -> [(name: String, category: Category, frames: [VideoFrameHash])] {
        decidedVideos(try store.decidedContents(), category: category)
    }

    static func decidedVideos(_ contents: [(decision: Decision, item: ItemResult)], category: Category? = nil)
        -> [(name: String, category: Category, frames: [VideoFrameHash])] {
        contents.compactMap { decision, item in
            guard item.kind == .moving, var frames = item.frames, !frames.isEmpty, category == nil || decision.category == category else { return nil }
            let deciding = decision.inForce.filter { $0.category == decision.category }
            if !deciding.contains(where: { $0.segment == nil }) {
                let segments = deciding.compactMap(\.segment)
                frames = frames.filter { frame in segments.contains { $0.start <= frame.microseconds && frame.microseconds < $0.end } }
            }
            return frames.isEmpty ? nil : (item.path.display, decision.category, frames)
        }
    }
}
