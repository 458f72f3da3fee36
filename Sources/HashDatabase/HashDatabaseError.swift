import GRDB

/// A failure of the hash database or of reading a hash set: what went wrong, where, and what
/// to do about it.
public struct HashDatabaseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The command was given something it cannot use (a missing file, an unknown format, a
    /// missing `--category`): a usage error, not damage in the data.
    public var isUsage: Bool

    public init(_ message: String, isUsage: Bool = false) {
        self.message = message
        self.isUsage = isUsage
    }

    public var description: String { message }

    /// Maps a SQLite error to a message that names the file and says what to do.
    static func wrapping(_ error: any Error, path: String) -> HashDatabaseError {
        if let error = error as? HashDatabaseError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode.primaryResultCode {
            case .SQLITE_NOTADB:
                return HashDatabaseError("hash database \(path) is not a SQLite database (SQLite: \(error.message ?? "file is not a database")); check --db or $TRIAGE_HASHDB")
            case .SQLITE_CANTOPEN:
                return HashDatabaseError("cannot open hash database \(path) (SQLite: \(error.message ?? "unable to open")); check that the path exists and is readable, or import a hash set first")
            case .SQLITE_READONLY:
                return HashDatabaseError("hash database \(path) is read-only; import needs write access to the file and its folder")
            case .SQLITE_CORRUPT:
                return HashDatabaseError("hash database \(path) is damaged (SQLite: \(error.message ?? "corrupt")); restore it from a backup or re-import the hash sets")
            default:
                return HashDatabaseError("hash database \(path): SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error)")")
            }
        }
        return HashDatabaseError("hash database \(path): \(error)")
    }
}
