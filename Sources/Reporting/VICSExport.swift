import CaseStore
import Foundation
import TriageCore

/// `triage export --format vics`: the examiner's decisions as VICS 2.0 JSON, to share back
/// with the national database (what CAID does with new images: "hashed, added and
/// categorised"). One Media record per decided content: MD5, SHA1, Category (the profile's
/// code), MediaSize, RelativeFilePath (its first instance's forensic path) and, when it has one,
/// its PDQ hash under AlternativeHashes. A video is marked `IsVideo` with its `Duration`, and
/// the examiner's segment decisions are listed under `Segments` (start, end, category); its
/// `Category` is the most severe segment's. `hashdb import` reads it back.
public enum VICSExport {
    /// - Parameter codes: the profile's code for each category (UK: A 1, B 2, C 3, N 0).
    /// - Returns: how many Media records were written.
    @discardableResult
    public static func render(_ store: CaseStore, codes: [Category: String], write: (String) -> Void) throws -> Int {
        let info = try store.info()
        var media: [[String: Any]] = []
        for (decision, item) in try store.decidedContents() {
            guard let digests = item.digests, let code = codes[decision.category], let number = Int(code) else { continue }
            var record: [String: Any] = [
                "MediaID": media.count + 1,
                "Category": number,
                "MD5": Hex.encode(digests.md5).uppercased(),
                "SHA1": Hex.encode(digests.sha1),
                "MediaSize": item.size,
                "RelativeFilePath": item.path.display,
                "IsPrecategorized": false,
                "IsDistributed": false,
                "Comments": decision.note.map { [["Comment": $0, "Examiner": decision.examiner]] } ?? [],
            ]
            if let pdq = item.pdq {
                record["AlternativeHashes"] = [["HashName": "PDQ", "HashValue": pdq.hash.hex, "Quality": pdq.quality] as [String: Any]]
            }
            if item.kind == .moving {
                record["IsVideo"] = true
                if let duration = item.video?.duration { record["Duration"] = VideoFrameHash.clock(VideoFrameHash.microseconds(seconds: duration)) }
                // The examiner's segment decisions in force (a whole-video decision has none).
                let segments = decision.inForce.compactMap { part in part.segment.flatMap { segment in codes[part.category].map { (segment, $0) } } }
                if !segments.isEmpty {
                    record["Segments"] = segments.map { segment, code in
                        ["StartTime": VideoFrameHash.clock(segment.start), "EndTime": VideoFrameHash.clock(segment.end),
                         "Category": Int(code) ?? 0] as [String: Any]
                    }
                }
            }
            media.append(record)
        }
        let document: [String: Any] = [
            "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/\(info.profile.uppercased())/$metadata#Cases",
            "value": [["CaseNumber": info.name, "Media": media] as [String: Any]],
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        write(String(decoding: data, as: UTF8.self) + "\n")
        return media.count
    }
}
