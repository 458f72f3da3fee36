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
}
