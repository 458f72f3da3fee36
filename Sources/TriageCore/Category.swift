import Foundation

/// A category under the UK scheme (Sentencing Council), plus N for "examined, not indecent".
///
/// Severity orders the categories so that a video, or an item with several sources, takes the
/// most severe one found: A > B > C > N.
public enum Category: String, CaseIterable, Codable, Sendable, Comparable {
    case a = "A"
    case b = "B"
    case c = "C"
    case n = "N"

    /// The indecent categories, most severe first.
    public static let indecent: [Category] = [.a, .b, .c]

    /// Higher is more severe.
    public var severity: Int {
        switch self {
        case .a: 3
        case .b: 2
        case .c: 1
        case .n: 0
        }
    }

    public static func < (lhs: Category, rhs: Category) -> Bool { lhs.severity < rhs.severity }

    /// Accepts `A`, `b`, `n` and so on; nil for anything else.
    public init?(letter: String) {
        self.init(rawValue: letter.trimmingCharacters(in: .whitespacesAndNewlines).uppercased())
    }
}

