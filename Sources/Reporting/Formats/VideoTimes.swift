/// How reports list the times of a video's matching frames: all of them up to a page's worth,
/// then the first ones and a count (the JSON report always has every time).
enum VideoTimes {
    static let listed = 40

    static func summary(_ times: [String]) -> String {
        guard times.count > listed else { return times.joined(separator: ", ") }
        return times.prefix(listed).joined(separator: ", ") + " and \(times.count - listed) more (every time is in the JSON report)"
    }
}
