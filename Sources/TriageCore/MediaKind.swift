/// What an item is to the count: a still image, a moving image (video), or anything else.
public enum MediaKind: String, Codable, Sendable, CaseIterable {
    case still
    case moving
    case other

    /// Still and moving images are counted, hashed and categorised.
    public var isMedia: Bool { self != .other }
}
