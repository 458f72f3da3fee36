import GRDB

/// A failure of the case store: what, where, and what to do.
public struct CaseStoreError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func wrapping(_ error: any Error, path: String) -> CaseStoreError {
        if let error = error as? CaseStoreError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode.primaryResultCode {
            case .SQLITE_NOTADB:
                return CaseStoreError("\(path) is not a SQLite database, so not a triage case; check --case")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return CaseStoreError("cannot write the case store \(path) (SQLite: \(error.message ?? "read-only")); the case directory and its files must be writable")
            case .SQLITE_CORRUPT:
                return CaseStoreError("case store \(path) is damaged (SQLite: \(error.message ?? "corrupt")); run `triage verify` and restore it from a backup")
            default:
                return CaseStoreError("case store \(path): SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error)")")
            }
        }
        return CaseStoreError("case store \(path): \(error)")
    }
}
