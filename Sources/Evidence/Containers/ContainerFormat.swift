import TriageCore

/// A kind of file that holds other files: an archive, a document, a JPEG with a thumbnail.
///
/// The Expand stage asks `ContainerFormats.format(forMIME:)` with the MIME type libmagic gave
/// an item; a format that takes it opens the item's bytes and lists its members, whose data is
/// then read as a stream (nothing is ever extracted to disk).
public protocol ContainerFormat: Sendable {
    /// Short stable name shown in reports and settings ("zip", "tar", "7z", …).
    var name: String { get }
    /// The MIME types, as libmagic reports them, that this format opens.
    var mimeTypes: Set<String> { get }
    /// Opens a container whose file name (last path component) is `name`. Throws
    /// `ContainerError` when it cannot be opened.
    func open(_ source: ContainerSource, name: [UInt8]) throws -> any ContainerReader
    /// The library reads only from memory (qpdf): the container is loaded whole first, and one
    /// larger than the memory limit is not opened.
    var readsFromMemory: Bool { get }
    /// libmagic knows the format by a signature so short that random data carries it now and
    /// then (binary cpio: 2 bytes). One that its library cannot open at all is then taken for
    /// what it most likely is, a plain file, rather than a damaged container.
    var hasWeakSignature: Bool { get }
}

extension ContainerFormat {
    public var readsFromMemory: Bool { false }
    public var hasWeakSignature: Bool { false }
}

/// Where a container's bytes come from.
public enum ContainerSource {
    /// An evidence file, read from its start (seekable: zip and 7z read their directory at the end).
    case file(EvidenceFile)
    /// A member already read whole into memory (seekable).
    case memory(MemoryBlock)
    /// A member too large to hold in memory: the bytes already read, then the rest, front to back.
    case stream(prefix: MemoryBlock, rest: any ByteStream)
}

/// Bytes held in memory at a fixed address (libarchive keeps pointers into them while it reads).
public final class MemoryBlock {
    public private(set) var storage: UnsafeMutableRawBufferPointer
    /// How many bytes of `storage` are filled.
    public var count = 0

    public init(capacity: Int) {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 64)
    }

    deinit { storage.deallocate() }

    /// The filled bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    /// The unfilled space, grown first so that it holds at least `minimum` bytes.
    public func space(atLeast minimum: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count - count < minimum {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count + minimum, storage.count * 2), alignment: 64)
            bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
            storage.deallocate()
            storage = bigger
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[count...])
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        space(atLeast: bytes.count).copyMemory(from: bytes)
        count += bytes.count
    }
}

/// Bytes read front to back: an evidence file, or a member's data inside a container.
public protocol ByteStream: AnyObject {
    /// Reads up to `buffer.count` bytes (fewer only at the end); 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// One entry of a container, before its data is read.
public struct ContainerMember: Sendable {
    public enum Kind: Sendable, Equatable {
        case regularFile
        case directory
        /// A symbolic link entry, with the target as stored. Never followed.
        case symlink(target: [UInt8])
        /// A hard link entry: its content is that of an earlier entry, named here.
        case hardLink(target: [UInt8])
        /// A FIFO, socket or device entry: recorded, never created.
        case special(String)
    }

    /// The member's name as stored in the container (bytes; `../` and absolute names as they are).
    public var name: [UInt8]
    public var kind: Kind
    /// The uncompressed size the header declares, when it declares one.
    public var declaredSize: Int64?
    public var times: FileTimes
    /// The member's data is encrypted: it is recorded, never guessed at.
    public var encrypted: Bool

    public init(name: [UInt8], kind: Kind, declaredSize: Int64? = nil, times: FileTimes = FileTimes(), encrypted: Bool = false) {
        self.name = name
        self.kind = kind
        self.declaredSize = declaredSize
        self.times = times
        self.encrypted = encrypted
    }
}

/// An open container, read member by member; `read(into:)` reads the current member's data.
public protocol ContainerReader: AnyObject, ByteStream {
    /// The next member's header, or nil after the last one. Any unread data of the current
    /// member is passed over. Throws `ContainerError` when the container is damaged or
    /// encrypted from here on (everything listed before stays found).
    func nextMember() throws -> ContainerMember?
    /// True when passing over a member's unread data costs a seek rather than decompression, so
    /// the caller need not read it through its own limits.
    var skipsCheaply: Bool { get }
    /// Damage found that did not stop the listing (a zip directory read again from the local
    /// headers): the container is recorded as damaged, with every member found.
    var damage: String? { get }
}

/// Why a container (or one of its members) could not be read further.
public struct ContainerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The container's bytes are not what its format promises (truncated, corrupt).
        case damaged
        /// The container (or its directory) is encrypted.
        case encrypted
    }

    public var kind: Kind
    /// The library's own message.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// The registry of container formats (one line per format).
public enum ContainerFormats {
    public static let all: [any ContainerFormat] = [
        ArchiveContainer.zip,
        ArchiveContainer.tar,
        ArchiveContainer.compressed,
        ArchiveContainer.sevenZip,
        ArchiveContainer.rar,
        ArchiveContainer.iso9660,
        ArchiveContainer.cpio,
        PDFContainer.shared,
    ]

    private static let byMIME: [String: any ContainerFormat] = {
        var table: [String: any ContainerFormat] = [:]
        for format in all {
            for mime in format.mimeTypes { table[mime] = format }
        }
        return table
    }()

    /// The format that opens items of this MIME type, if any.
    public static func format(forMIME mime: String) -> (any ContainerFormat)? {
        byMIME[mime]
    }

    /// The container libraries and their versions, for the scan's settings.
    public static var libraryVersions: String {
        [ArchiveContainer.libraryVersion, PDFContainer.libraryVersion, ExifThumbnail.libraryVersion].joined(separator: "; ")
    }
}
