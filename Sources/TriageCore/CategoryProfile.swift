import Foundation

/// What the four category slots A, B, C and N mean in a jurisdiction: labels, descriptions,
/// review keys and VICS codes, read from `Profiles/<name>.json` (data, not code: a unit can
/// read exactly what a profile says). Items are stored by slot whatever the profile; a case is
/// locked to one profile, which decides how its categories are shown, typed and exported.
public struct CategoryProfile: Sendable, Equatable, Decodable {
    public struct Entry: Sendable, Equatable, Decodable {
        /// As the examiner types it and short lists show it: "A", or "1" in Project VIC.
        public var label: String
        /// As count tables show it: "N (not indecent)", "1 CAM (child abuse material)".
        public var reportLabel: String
        public var description: String
        /// The review screen's key.
        public var key: String
        /// The category code VICS files use for it.
        public var vicsCode: String

        enum CodingKeys: String, CodingKey {
            case label, description, key
            case reportLabel = "report_label", vicsCode = "vics_code"
        }
    }

    public var name: String
    public var title: String
    /// The wording of the counts ("indecent photographs or pseudo-photographs").
    public var countedAs: String
    public var categories: [String: Entry]
    /// What an item without a category is called.
    public var uncategorised: String
    /// VICS codes with no slot, and why.
    public var unmappedCodes: [String: String]

    enum CodingKeys: String, CodingKey {
        case name, title, categories, uncategorised
        case countedAs = "counted_as", unmappedCodes = "unmapped_codes"
    }

    public func entry(_ category: Category) -> Entry { categories[category.rawValue]! }
    public func label(_ category: Category) -> String { entry(category).label }

    /// "A", "N (not indecent)", or "1 CAM (child abuse material)": as count tables show it.
    public func longLabel(_ category: Category) -> String { entry(category).reportLabel }

    /// The slot a label, key or (for the UK profile, whose labels are the slots) letter names.
    public func category(named text: String) -> Category? {
        let text = text.trimmingCharacters(in: .whitespaces)
        return Category.allCases.first { entry($0).label.caseInsensitiveCompare(text) == .orderedSame }
    }

    /// The VICS code table: code → slot.
    public var vicsCodes: [String: Category] {
        Dictionary(uniqueKeysWithValues: Category.allCases.map { (entry($0).vicsCode, $0) })
    }

    public static let defaultName = "uk"

    /// Every profile shipped in `Profiles/`, by name.
    public static let all: [String: CategoryProfile] = {
        var profiles: [String: CategoryProfile] = [:]
        let folder = Bundle.module.path(forResource: "Profiles", ofType: nil) ?? ""
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for file in files {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(file)
            guard let data = try? Data(contentsOf: url) else { continue }
            do {
                let profile = try JSONDecoder().decode(CategoryProfile.self, from: data)
                precondition(Category.allCases.allSatisfy { profile.categories[$0.rawValue] != nil }, "profile \(profile.name) lacks a slot")
                profiles[profile.name] = profile
            } catch {
                preconditionFailure("Profiles/\(url.lastPathComponent) is not a category profile: \(error)")
            }
        }
        return profiles
    }()

    public static var names: [String] { all.keys.sorted() }

    /// A profile by name; nil when triage has none of that name.
    public static func named(_ name: String) -> CategoryProfile? { all[name.lowercased()] }

    public static var uk: CategoryProfile { all[defaultName]! }
}
