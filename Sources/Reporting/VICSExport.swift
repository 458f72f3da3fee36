import CaseStore
import Foundation
import TriageCore

/// `triage export --format vics`: the examiner's decisions as VICS 2.0 JSON, to share back
/// with the national database (what CAID does with new images: "hashed, added and
/// categorised"). One Media record per decided content: MD5, SHA1, Category (the profile's
/// code), MediaSize, RelativeFilePath (its first instance's forensic path) and, when it has one,
/// its PDQ hash under AlternativeHashes. `hashdb import` reads it back.
public enum VICSExport {
    /// - Parameter codes: the profile's code for each category (UK: A 1, B 2, C 3, N 0).
    /// - Returns: how many Media records were written.
    @discardableResult
    public static func render(_ store: CaseStore, codes: [Category: String], write: (String) -> Void) throws -> Int {
        func comesFirst(_ a: ForensicPath, _ b: ForensicPath) -> Bool { a.depth != b.depth ? a.depth < b.depth : a <= b }
        let info = try store.info()
        let decisions = try store.currentDecisions()
        var firstInstances: [[UInt8]: StoredItem] = [:]
        try store.forEachItem { item in
            guard let sha256 = item.result.digests?.sha256, decisions[sha256] != nil else { return }
            // The least nested instance, then the first by path, names the content.
            if let seen = firstInstances[sha256]?.result.path, comesFirst(seen, item.result.path) { return }
            firstInstances[sha256] = item
        }
        var media: [[String: Any]] = []
        for sha256 in decisions.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let decision = decisions[sha256], let item = firstInstances[sha256], let digests = item.result.digests,
                  let code = codes[decision.category], let number = Int(code) else { continue }
            var record: [String: Any] = [
                "MediaID": media.count + 1,
                "Category": number,
                "MD5": Hex.encode(digests.md5).uppercased(),
                "SHA1": Hex.encode(digests.sha1),
                "MediaSize": item.result.size,
                "RelativeFilePath": item.result.path.display,
                "IsPrecategorized": false,
                "IsDistributed": false,
                "Comments": decision.note.map { [["Comment": $0, "Examiner": decision.examiner]] } ?? [],
            ]
            if let pdq = item.result.pdq {
                record["AlternativeHashes"] = [["HashName": "PDQ", "HashValue": pdq.hash.hex, "Quality": pdq.quality] as [String: Any]]
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
