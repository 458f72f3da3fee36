import CaseStore
import TriageCore

/// One row per recorded item (RFC 4180, formula cells defused by `SafeText.csvCell`): the
/// table an examiner sorts and filters, and the one a court's annex lists.
public enum CSVReport: ReportFormat {
    public static let name = "csv"

    static let header = ["exhibit", "source", "item", "path", "kind", "mime", "size", "category", "basis", "conflict", "sha256", "sha1",
                         "md5", "disposition", "reason", "extension_mismatch", "matched_sources", "decoder", "pdq", "pdq_quality",
                         "pdq_distance", "pdq_variant", "parent_pdq_distance", "modified", "accessed", "changed",
                         "video_duration", "video_frames_sampled", "video_matching_frames", "video_segments"]

    public static func render(_ report: CaseReport, store: CaseStore, write: (String) -> Void) throws {
        write(header.joined(separator: ",") + "\r\n")
        let decisions = try store.currentDecisions()
        let profile = report.case.categoryProfile
        try store.forEachItem { item in
            let result = item.result
            var resolution: Resolution?
            if result.kind.isMedia, let digests = result.digests {
                resolution = Resolution.resolve(matches: item.matches, decision: decisions[digests.sha256]?.category)
            }
            // The perceptual match that decided (or, if pending, the nearest one found).
            let nearest = Resolution.deciding(item.matches).compactMap(\.perceptual).first
            let fields: [String] = [
                SafeText.display(item.exhibit), SafeText.display(item.source), String(item.id), result.path.display, result.kind.rawValue, result.mime ?? "", String(result.size),
                resolution.map { $0.category.map(profile.label) ?? "pending" } ?? "", resolution?.basis?.rawValue ?? "",
                resolution?.conflict == true ? "yes" : "",
                result.digests.map { Hex.encode($0.sha256) } ?? "", result.digests.map { Hex.encode($0.sha1) } ?? "",
                result.digests.map { Hex.encode($0.md5) } ?? "", result.disposition.rawValue, result.reason ?? "",
                result.extensionMismatch ? "yes" : "",
                Set(item.matches.map { "\(SafeText.display($0.source)):\(profile.label($0.category))" }).sorted().joined(separator: " "),
                result.image?.decoder ?? "", result.pdq?.hash.hex ?? "", result.pdq.map { String($0.quality) } ?? "",
                nearest.map { String($0.distance) } ?? "", nearest?.variant.rawValue ?? "",
                result.parentDistance.map(String.init) ?? "",
                result.times.modified.map(UTCClock.string) ?? "", result.times.accessed.map(UTCClock.string) ?? "",
                result.times.changed.map(UTCClock.string) ?? "",
                result.video?.duration.map { String(format: "%.3f", $0) } ?? "", result.frames.map { String($0.count) } ?? "",
                Set(Resolution.deciding(item.matches).flatMap { $0.frames ?? [] }).sorted().map(VideoFrameHash.clock).joined(separator: " "),
                segments(result.digests.flatMap { decisions[$0.sha256] }, profile: profile),
            ]
            write(fields.map(SafeText.csvCell).joined(separator: ",") + "\r\n")
        }
    }

    /// A video's decisions in force when any is about a segment: "0:00:02.000–0:00:05.000 A; whole video C".
    static func segments(_ decision: Decision?, profile: CategoryProfile) -> String {
        guard let decision, decision.inForce.contains(where: { $0.segment != nil }) else { return "" }
        return decision.inForce.map { $0.part + " " + profile.label($0.category) }.joined(separator: "; ")
    }
}
