import HashDatabase
import TriageCore

/// The perceptual half of the Match stage: an item's PDQ (and, with `--dihedral`, its 8
/// variants) against the database's PDQ index.
struct PerceptualMatcher: Sendable {
    let index: PDQIndex
    var videos = KnownVideoIndex([], qualityFloor: 0)
    let options: PerceptualOptions

    /// Enough to show every category near the item; a cluster of near-duplicates in the
    /// database would otherwise repeat one answer many times. Every entry at the nearest
    /// distance is always kept, so a tie between categories is never cut off.
    static let maximumMatches = 16

    /// The entries within the threshold, each at its nearest variant, nearest first. Hashes
    /// under the quality floor, and items whose decoding failed, are never matched.
    func matches(for result: ItemResult) -> [KnownMatch] {
        if result.kind == .moving { return frameMatches(for: result) }
        guard options.enabled, index.count > 0, let pdq = result.pdq, pdq.quality >= options.qualityFloor,
              result.disposition == .processed || result.disposition == .damaged else { return [] }
        let variants = result.dihedral.map { Array(zip(Dihedral.allCases, $0)) } ?? [(.original, pdq.hash)]
        var nearest: [Int: (distance: Int, variant: Dihedral)] = [:]
        for (variant, hash) in variants {
            for hit in index.search(hash, threshold: options.threshold) where hit.distance < nearest[hit.entry]?.distance ?? Int.max {
                nearest[hit.entry] = (hit.distance, variant)
            }
        }
        let sorted = nearest.sorted { ($0.value.distance, $0.key) < ($1.value.distance, $1.key) }
        guard let closest = sorted.first?.value.distance else { return [] }
        let kept = sorted.enumerated().filter { $0.offset < Self.maximumMatches || $0.element.value.distance == closest }.map(\.element)
        return kept.map { entryIndex, found in
            let entry = index.entry(entryIndex)
            return KnownMatch(category: entry.category, basis: .perceptual, hashType: .pdq, source: entry.source,
                              perceptual: PerceptualDistance(distance: found.distance, knownHash: entry.hash, variant: found.variant))
        }
    }

    /// A video's frames against the index: every frame of quality at or above the floor is
    /// looked up (so a video made from known stills is found). Each entry found is one match, at
    /// the distance of its nearest frame, with the times of every frame that found it. Nearest
    /// entries first; at most `maximumMatches`, but never an entry of a category not yet kept.
    ///
    /// Then the frames against the known videos: each known video of which at least 80 % of
    /// the frames are near a frame here is a match too.
    func frameMatches(for result: ItemResult) -> [KnownMatch] {
        // Whatever stopped sampling, the frames sampled before it are matched.
        guard options.enabled, index.count > 0 || !videos.isEmpty, let frames = result.frames, !frames.isEmpty else { return [] }
        let videoMatches = videos.matches(frames, threshold: options.threshold, qualityFloor: options.qualityFloor).map { found in
            KnownMatch(category: found.video.category, basis: .perceptual, hashType: .pdq, source: found.video.source,
                       perceptual: PerceptualDistance(distance: found.distance, knownHash: found.knownHash), frames: found.frameTimes,
                       knownVideo: KnownVideoMatch(name: found.video.name, knownShare: found.knownShare, queryShare: found.queryShare))
        }
        var found: [Int: (distance: Int, frames: [Int64])] = [:]
        for frame in frames where frame.pdq.quality >= options.qualityFloor && index.count > 0 {
            for hit in index.search(frame.pdq.hash, threshold: options.threshold) {
                var entry = found[hit.entry] ?? (Int.max, [])
                entry.distance = min(entry.distance, hit.distance)
                if entry.frames.last != frame.microseconds { entry.frames.append(frame.microseconds) }
                found[hit.entry] = entry
            }
        }
        let sorted = found.sorted { ($0.value.distance, $0.key) < ($1.value.distance, $1.key) }
        var kept: [KnownMatch] = []
        var categories: Set<Category> = []
        for (entryIndex, hit) in sorted {
            let entry = index.entry(entryIndex)
            guard kept.count < Self.maximumMatches || !categories.contains(entry.category) else { continue }
            categories.insert(entry.category)
            kept.append(KnownMatch(category: entry.category, basis: .perceptual, hashType: .pdq, source: entry.source,
                                   perceptual: PerceptualDistance(distance: hit.distance, knownHash: entry.hash), frames: hit.frames))
        }
        return videoMatches + kept
    }
}
