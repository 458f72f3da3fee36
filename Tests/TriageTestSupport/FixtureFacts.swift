import Foundation

/// `Fixtures/expected/fixture-facts.json`: what the fixture generator computed about its own
/// output, independently of triage. Tests take their expected numbers from here, so a new
/// fixture file changes one place.
public enum FixtureFacts {
    nonisolated(unsafe) public static let json: [String: Any] = {  // read-only after load
        let data = Data(TestPaths.bytes(TestPaths.fixtures + "/expected/fixture-facts.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    /// Every evidence file, with `exhibit` ("exhibit-1"), `path`, digests, `is_image`,
    /// `expected_category` and `expected_basis` (the main scenario).
    public static var files: [[String: Any]] { json["files"] as! [[String: Any]] }

    public static func files(in exhibit: String) -> [[String: Any]] { files.filter { $0["exhibit"] as? String == exhibit } }

    /// The records of one hash set (by its name under Fixtures/hashsets), including the one
    /// that deliberately matches no file, where the set has it.
    public static func records(_ hashset: String) -> [[String: Any]] {
        let set = (json["hashsets"] as! [String: Any])[hashset] as! [String: Any]
        return set["records"] as! [[String: Any]] + [set["unmatched_record"] as? [String: Any]].compactMap { $0 }
    }

    /// Per exhibit folder: category letter, "pending" and "not-image" → instances.
    public static var summary: [String: [String: Int]] { json["summary"] as! [String: [String: Int]] }

    /// The evidence files that should be counted on a perceptual match, with `exhibit`, `path`,
    /// `category`, `expected_basis` ("perceptual", "dihedral" or "none") and `distance`.
    public static var perceptual: [[String: Any]] { json["perceptual"] as! [[String: Any]] }
}
