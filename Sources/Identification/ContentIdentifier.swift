import CMagic
import Foundation

/// A failure of libmagic itself (not "unknown type", which libmagic reports as a MIME type).
public struct IdentificationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "libmagic: \(message)" }
}

/// Finds the MIME type of a file's first bytes with libmagic.
///
/// One per worker: a `magic_t` is not thread-safe (sharing one across two threads corrupted the
/// heap in 4 of 4 measured runs, PLATFORM.md). Loading the database is serialised for the same
/// reason.
public final class ContentIdentifier {
    /// MIME type only, without the slow checks that never decide an image or video: text,
    /// encodings, tokens, JSON, CSV, ELF details, and looking inside compressed files. Measured:
    /// twice the throughput with every image type still found. Tar and CDF checks stay on (cheap,
    /// and the archive and thumbnail-cache stages need them); soft magic must stay on (without
    /// it no image is found at all).
    public static let flags: Int32 = MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF
        | MAGIC_NO_CHECK_TEXT | MAGIC_NO_CHECK_ENCODING | MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_JSON
        | MAGIC_NO_CHECK_CSV

    private static let loadLock = NSLock()
    private let cookie: magic_t

    /// Which magic database libmagic loads.
    public enum Database: Sendable, Equatable, CustomStringConvertible {
        /// The image, video, container and document entries of file 5.44, shipped with triage
        /// (`Magic/README.md`): about 4.5× faster on files that match nothing.
        case curated
        /// The system's full compiled database.
        case system
        /// A magic file or folder of the user's.
        case path(String)

        /// `TRIAGE_MAGIC`: unset for `curated`, `system`, or a path.
        public static var configured: Database {
            switch ProcessInfo.processInfo.environment["TRIAGE_MAGIC"] {
            case nil, "", "curated": .curated
            case "system": .system
            case let path?: .path(path)
            }
        }

        /// What `magic_load` is given: a path, or nil for the system's default.
        var loadPath: String? {
            switch self {
            case .curated: Bundle.module.path(forResource: "Magdir", ofType: nil)
            case .system: nil
            case .path(let path): path
            }
        }

        public var description: String {
            switch self {
            case .curated: "curated (file 5.44 Magdir: image, video, container and document entries)"
            case .system: "system (full database)"
            case .path(let path): "file \(path)"
            }
        }
    }

    /// The database this handle loaded.
    public let database: Database

    /// Opens libmagic and loads a magic database (`magic_open`, `magic_load`).
    public init(database: Database = .configured) throws(IdentificationError) {
        self.database = database
        Self.loadLock.lock()
        defer { Self.loadLock.unlock() }
        guard let cookie = magic_open(Self.flags) else {
            throw IdentificationError(message: "magic_open failed: \(String(cString: strerror(errno)))")
        }
        if database == .curated && database.loadPath == nil {
            magic_close(cookie)
            throw IdentificationError(message: "the curated magic database is missing next to the triage binary (triage_Identification.resources); reinstall triage, or set TRIAGE_MAGIC=system")
        }
        guard magic_load(cookie, database.loadPath) == 0 else {
            let message = magic_error(cookie).map { String(cString: $0) } ?? "magic_load failed"
            magic_close(cookie)
            throw IdentificationError(message: message)
        }
        self.cookie = cookie
    }

    deinit { magic_close(cookie) }

    /// The MIME type of `head`, the first bytes of a file (`magic_buffer`).
    ///
    /// The string libmagic returns lives only until the next call, so it is copied at once.
    public func mimeType(of head: UnsafeRawBufferPointer) throws(IdentificationError) -> String {
        guard let result = magic_buffer(cookie, head.baseAddress, head.count) else {
            throw IdentificationError(message: magic_error(cookie).map { String(cString: $0) } ?? "magic_buffer failed")
        }
        return String(cString: result)
    }

    /// The libmagic library version, e.g. "5.44" (`magic_version`).
    public static var libraryVersion: String {
        let version = magic_version()
        return "\(version / 100).\(version % 100)"
    }
}
