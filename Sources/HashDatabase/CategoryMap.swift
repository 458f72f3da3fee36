import TriageCore

/// How a hash set's numeric category codes map onto a case profile's categories.
///
/// The table is data, stored in the hash database, shown by `hashdb info` and changed with
/// `hashdb map`, so that an examiner can see exactly how a VICS code became a category.
public struct CategoryMap: Sendable, Equatable {
    public var profile: String
    public var codes: [String: Category]

    public init(profile: String, codes: [String: Category]) {
        self.profile = profile
        self.codes = codes
    }

    /// The category for a code as it appears in a hash set: a letter ("A") names a category
    /// directly; anything else (a number, "1") goes through the table.
    public func category(forCode code: String) -> Category? {
        Category(letter: code) ?? codes[code]
    }

    /// The UK profile's defaults: CAID-style VICS codes 1, 2, 3 → A, B, C; 0 → N (not indecent).
    /// Code 4 and anything else are unmapped until the examiner maps them (`hashdb map`): an
    /// unmapped code is rejected at import with its record number, never guessed.
    public static let ukDefault = CategoryMap(profile: "uk", codes: CategoryProfile.uk.vicsCodes)

    /// The table's codes, numeric ones in numeric order first.
    private var orderedCodes: [(code: String, category: Category)] {
        codes.sorted { (Int($0.key) ?? .max, $0.key) < (Int($1.key) ?? .max, $1.key) }.map { ($0.key, $0.value) }
    }

    /// "0→N, 1→A, 2→B, 3→C": the table, for reports and settings.
    public var summary: String {
        orderedCodes.map { "\($0.code)→\($0.category.rawValue)" }.joined(separator: ", ")
    }

    /// The code a category is written with (the first, when several map to it).
    public func code(for category: Category) -> String? {
        orderedCodes.first { $0.category == category }?.code
    }
}
