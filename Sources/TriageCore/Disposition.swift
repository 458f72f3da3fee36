/// How the pipeline finished with one item. Every walked entry ends with exactly one.
///
/// Names are stable: they appear in reports, exports and tests (DESIGN.md rule 2, "nothing is
/// lost silently"). A new limit or failure adds a case here.
public enum Disposition: String, Codable, Sendable, CaseIterable {
    /// Read, identified and (for media or with `--hash-all`) hashed.
    case processed
    /// A regular file with no bytes: recorded, nothing to identify.
    case empty
    /// A symbolic link: recorded with its target, never followed.
    case symlink
    /// A FIFO, socket or device: recorded, never opened (a FIFO blocks, a device has no end).
    case notRegularFile = "not-regular-file"
    /// The file or directory could not be opened or read; the reason holds the OS error.
    case unreadable
    /// libmagic failed on the item's bytes (not "unknown type", which is a MIME type).
    case identificationFailed = "identification-failed"
    /// A directory already walked (a bind mount or a loop): recorded, not walked again.
    case directoryLoop = "directory-loop"

    /// True when the item could not be examined and must be listed as an error in reports.
    public var isError: Bool {
        switch self {
        case .unreadable, .identificationFailed: true
        case .processed, .empty, .symlink, .notRegularFile, .directoryLoop: false
        }
    }
}
