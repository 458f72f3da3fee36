import TriageCore

/// A known video from a vPDQ hash set: its sampled frames' PDQ hashes.
public struct KnownVideo: Sendable, Hashable {
    public var name: String
    public var category: Category
    public var source: String
    public var frames: [VideoFrameHash]

    public init(name: String, category: Category, source: String, frames: [VideoFrameHash]) {
        self.name = name
        self.category = category
        self.source = source
        self.frames = frames
    }
}

/// Every frame of every known video in one near-match index, for matching a scanned video's
/// frames against known videos (ThreatExchange's vPDQ rule: a known video matches when at least
/// 80 % of its frames find a frame of the scanned video within the threshold; the share the other
/// way is reported too).
public struct KnownVideoIndex: Sendable {
    public let videos: [KnownVideo]
    private let index: PDQIndex
    /// Index entry → the video it is a frame of.
    private let owner: [Int32]
    /// Per video: its frames of quality at or above the floor (only those are indexed and counted).
    private let usable: [Int]

    public static let defaultMinimumShare = 0.8

    public init(_ videos: [KnownVideo], qualityFloor: Int) {
        self.videos = videos
        var entries: [PDQIndex.Entry] = []
        var owner: [Int32] = []
        var usable: [Int] = []
        for (number, video) in videos.enumerated() {
            let frames = video.frames.filter { $0.pdq.quality >= qualityFloor }
            usable.append(frames.count)
            for frame in frames {
                entries.append(PDQIndex.Entry(hash: frame.pdq.hash, category: video.category, source: video.source))
                owner.append(Int32(number))
            }
        }
        index = PDQIndex(entries)
        self.owner = owner
        self.usable = usable
    }

    public var isEmpty: Bool { videos.isEmpty }
    /// Frames indexed (of usable quality).
    public var frameCount: Int { index.count }

    /// One known video a scanned video matched.
    public struct Match: Sendable, Equatable {
        public var video: KnownVideo
        public var knownShare: Double
        public var queryShare: Double
        /// The nearest pair of frames: distance and the known frame's hash.
        public var distance: Int
        public var knownHash: PDQHash
        /// Times (microseconds) of the scanned video's frames near a frame of the known video.
        public var frameTimes: [Int64]
    }

    /// The known videos that `frames` match (shares computed on frames of quality at or above
    /// the floor), most similar first.
    public func matches(_ frames: [VideoFrameHash], threshold: Int, qualityFloor: Int,
                        minimumShare: Double = KnownVideoIndex.defaultMinimumShare) -> [Match] {
        let query = frames.filter { $0.pdq.quality >= qualityFloor }
        guard !query.isEmpty, index.count > 0 else { return [] }
        var knownFound: [Int32: Set<Int>] = [:]
        var queryFound: [Int32: [Int64]] = [:]
        var nearest: [Int32: (distance: Int, entry: Int)] = [:]
        for frame in query {
            var videosHit = Set<Int32>()
            for hit in index.search(frame.pdq.hash, threshold: threshold) {
                let video = owner[hit.entry]
                knownFound[video, default: []].insert(hit.entry)
                videosHit.insert(video)
                if hit.distance < nearest[video]?.distance ?? Int.max { nearest[video] = (hit.distance, hit.entry) }
            }
            for video in videosHit { queryFound[video, default: []].append(frame.microseconds) }
        }
        return knownFound.compactMap { video, found -> Match? in
            let known = Double(found.count) / Double(max(usable[Int(video)], 1))
            guard known >= minimumShare, let near = nearest[video] else { return nil }
            let times = queryFound[video] ?? []
            return Match(video: videos[Int(video)], knownShare: known, queryShare: Double(times.count) / Double(query.count),
                         distance: near.distance, knownHash: index.hash(near.entry), frameTimes: times)
        }.sorted { ($0.knownShare, $0.queryShare, $1.video.name) > ($1.knownShare, $1.queryShare, $0.video.name) }
    }
}
