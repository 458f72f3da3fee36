/// The category an item's content has, and why: the rule every report and the queue share.
///
/// An examiner's latest decision wins. Otherwise the database matches decide when they agree;
/// when they disagree (the same digest known as two categories) the item stays pending with
/// `conflict` set, for an examiner to settle. Nothing at all: pending.
public struct Resolution: Sendable, Equatable {
    public var category: Category?
    public var basis: Basis?
    /// The database holds more than one category for this content.
    public var conflict: Bool

    public init(category: Category?, basis: Basis?, conflict: Bool = false) {
        self.category = category
        self.basis = basis
        self.conflict = conflict
    }

    public static let pending = Resolution(category: nil, basis: nil)

    public var isPending: Bool { category == nil }

    public static func resolve(matches: [KnownMatch], decision: Category?) -> Resolution {
        let categories = Set(deciding(matches).map(\.category))
        if let decision { return Resolution(category: decision, basis: .examiner, conflict: categories.count > 1) }
        if categories.count == 1, let only = categories.first {
            // A known-good set (NSRL) is the basis only when no known-hash set says the same.
            let basis: Basis = matches.contains { $0.basis == .exact } ? .exact
                : matches.contains { $0.basis == .knownGood } ? .knownGood : .perceptual
            return Resolution(category: only, basis: basis)
        }
        return Resolution(category: nil, basis: nil, conflict: categories.count > 1)
    }

    /// The matches that decide: the exact ones (known-good ones included) if any; otherwise
    /// the closest perceptual ones (equal distances with different categories are a conflict,
    /// never a silent choice). An item both known-good and known as indecent is a conflict.
    ///
    /// A video's frames are different pictures, so for a video the most severe category its
    /// frames matched decides (DESIGN.md: "a video counts as one moving image, in the most
    /// severe category found in it"); every frame match of that category is kept as the basis.
    public static func deciding(_ matches: [KnownMatch]) -> [KnownMatch] {
        let exact = matches.filter { $0.basis == .exact || $0.basis == .knownGood }
        if !exact.isEmpty { return exact }
        let frames = matches.filter { $0.frames != nil }
        if let severest = frames.map(\.category).max() { return frames.filter { $0.category == severest } }
        let perceptual = matches.filter { $0.perceptual != nil }
        guard let closest = perceptual.map({ $0.perceptual!.distance }).min() else { return matches }
        return perceptual.filter { $0.perceptual!.distance == closest }
    }
}
