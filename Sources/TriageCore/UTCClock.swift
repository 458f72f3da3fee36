import Foundation

/// The time written into cases and reports: UTC, ISO 8601 with milliseconds.
///
/// `TRIAGE_FIXED_TIME` pins it, so that end-to-end tests can compare output byte for byte.
public enum UTCClock {
    public static func now() -> String {
        if let fixed = ProcessInfo.processInfo.environment["TRIAGE_FIXED_TIME"], !fixed.isEmpty { return fixed }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// A file time (nanoseconds since 1970, UTC) as ISO 8601 with nanoseconds:
    /// `2020-01-01T00:00:00.000000000Z`. Exact, whatever the date (no floating point).
    public static func string(nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let fraction = nanoseconds - seconds * 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let digits = String(fraction)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
            + String(repeating: "0", count: 9 - digits.count) + digits + "Z"
    }
}
