import CArchive
import Glibc
import TriageCore

/// Archives read through libarchive: one registry entry per family, each enabling only its own
/// readers (with every reader on, a text file saying "hello" opens as an mtree archive,
/// PLATFORM.md) and decompression filters that run in-process (never an external program).
public struct ArchiveContainer: ContainerFormat, Sendable {
    public let name: String
    public let mimeTypes: Set<String>
    /// libarchive's `archive_read_support_format_*` calls for this family.
    let formats: [@Sendable (OpaquePointer) -> Int32]
    /// A single compressed file (`.gz`, `.xz`, …) that holds no tar: its one member is named
    /// after the container without the compression extension.
    let mayBeSingleFile: Bool
    public var hasWeakSignature = false
    /// Without whole-stream compression, libarchive passes over a member of this format by
    /// seeking (zip, tar, cpio, ISO 9660); 7z and RAR decompress what they skip.
    var seeksPastMembers = false

    static let zip = ArchiveContainer(name: "zip", mimeTypes: [
        "application/zip", "application/java-archive", "application/epub+zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.graphics",
        "application/vnd.oasis.opendocument.image", "application/vnd.oasis.opendocument.text-template",
        "application/vnd.sun.xml.writer", "application/vnd.sun.xml.calc", "application/vnd.sun.xml.impress",
        "application/vnd.comicbook",
    ], formats: [archive_read_support_format_zip], mayBeSingleFile: false, seeksPastMembers: true)

    static let tar = ArchiveContainer(name: "tar", mimeTypes: [
        "application/x-tar", "application/x-gtar", "application/x-ustar", "application/vnd.comicbook+tar",
    ], formats: [archive_read_support_format_tar], mayBeSingleFile: false, seeksPastMembers: true)

    /// gzip, bzip2, xz, lzma, zstd, lz4 and compress: a compressed tar or cpio, else one file.
    /// gzip (`1f 8b`) and compress (`1f 9d`) are known by 2 bytes, so the family has a weak signature.
    static let compressed = ArchiveContainer(name: "compressed", mimeTypes: [
        "application/gzip", "application/x-bzip2", "application/x-xz", "application/x-lzma", "application/zstd",
        "application/x-lz4", "application/x-compress", "application/x-compressed-tar",
    ], formats: [archive_read_support_format_tar, archive_read_support_format_cpio, archive_read_support_format_raw],
       mayBeSingleFile: true, hasWeakSignature: true)

    static let sevenZip = ArchiveContainer(name: "7z", mimeTypes: ["application/x-7z-compressed"],
                                           formats: [archive_read_support_format_7zip], mayBeSingleFile: false)

    static let rar = ArchiveContainer(name: "rar", mimeTypes: ["application/x-rar", "application/vnd.rar"],
                                      formats: [archive_read_support_format_rar, archive_read_support_format_rar5],
                                      mayBeSingleFile: false)

    static let iso9660 = ArchiveContainer(name: "iso9660", mimeTypes: ["application/x-iso9660-image"],
                                          formats: [archive_read_support_format_iso9660], mayBeSingleFile: false,
                                          seeksPastMembers: true)

    /// Binary cpio's signature is 2 bytes (070707 octal): about one random file in 30,000 has it.
    static let cpio = ArchiveContainer(name: "cpio", mimeTypes: ["application/x-cpio"],
                                       formats: [archive_read_support_format_cpio], mayBeSingleFile: false,
                                       hasWeakSignature: true, seeksPastMembers: true)

    /// The decompression filters, all built into Debian's libarchive (zlib, bzip2, liblzma,
    /// libzstd, liblz4). `archive_read_support_filter_all` would also run external programs
    /// (lrzip, lzop, grzip) on evidence; these never do.
    static func enableFilters(_ archive: OpaquePointer) {
        for filter in builtInFilters { _ = filter(archive) }
    }

    /// The filters this libarchive has in-process: one that answers `ARCHIVE_WARN` would run an
    /// external program instead, and is left out (found once, on a reader that is thrown away).
    nonisolated(unsafe) static let builtInFilters: [(OpaquePointer) -> Int32] = {
        let candidates: [(OpaquePointer) -> Int32] = [
            archive_read_support_filter_gzip, archive_read_support_filter_bzip2, archive_read_support_filter_xz,
            archive_read_support_filter_lzma, archive_read_support_filter_zstd, archive_read_support_filter_lz4,
            archive_read_support_filter_compress,
        ]
        guard let probe = archive_read_new() else { return [] }
        defer { archive_read_free(probe) }
        return candidates.filter { $0(probe) == ARCHIVE_OK }
    }()

    /// "libarchive 3.6.2 zlib/1.2.13 liblzma/5.4.1 bz2lib/1.0.8 liblz4/1.9.4 libzstd/1.5.4".
    static var libraryVersion: String { String(cString: archive_version_details()) }

    public func open(_ source: ContainerSource, name: [UInt8]) throws -> any ContainerReader {
        try ArchiveReader(source: source, family: self, singleFileName: mayBeSingleFile ? Self.stripCompressionSuffix(name) : nil)
    }

    /// `photo.jpg.gz` → `photo.jpg`; a name without a known suffix keeps libarchive's ("data").
    static func stripCompressionSuffix(_ name: [UInt8]) -> [UInt8]? {
        for suffix in [".gz", ".tgz", ".bz2", ".xz", ".lzma", ".zst", ".lz4", ".Z"] {
            let tail = Array(suffix.utf8)
            if name.count > tail.count, Array(name.suffix(tail.count)) == tail {
                return Array(name.dropLast(tail.count)) + (suffix == ".tgz" ? Array(".tar".utf8) : [])
            }
        }
        return nil
    }
}

/// One open libarchive reader (`archive_read_new` … `archive_read_free`). All raw libarchive
/// calls live in this file.
final class ArchiveReader: ContainerReader {
    private var archive: OpaquePointer
    private let family: ArchiveContainer
    private let source: ContainerSource
    /// Keeps the stream state alive while libarchive reads it.
    private var feeder: StreamFeeder?
    private let seekable: Bool
    /// The member name of a single compressed file (the container's name without its suffix).
    private let singleFileName: [UInt8]?
    /// For a zip: the end record's member count and its Deflate64 members.
    private let directory: ZipDirectory?
    private var declaredMembers: Int? { directory?.declaredMembers }
    /// The current member's data when triage decodes it itself (Deflate64): the entry, then its
    /// decoder from the first read on.
    private var deflate64Entry: ZipDirectory.Deflate64Entry?
    private var deflate64: Deflate64Decoder?
    private var listedNames = Set<[UInt8]>()
    private var listedCount = 0
    private var recovering = false
    private(set) var damage: String?

    init(source: ContainerSource, family: ArchiveContainer, singleFileName: [UInt8]?) throws {
        // libarchive converts member names through the thread's locale; in the C locale a
        // non-ASCII name (RAR's UTF-16, zip's UTF-8 flag) converts to nothing at all.
        if let utf8 = Self.utf8Locale { _ = uselocale(utf8) }
        self.family = family
        self.source = source
        self.singleFileName = singleFileName
        if case .stream = source { seekable = false } else { seekable = true }
        directory = family.name == "zip" ? ZipDirectory(source) : nil
        archive = try Self.openArchive(source, formats: family.formats, feeder: &feeder)
    }

    /// C.UTF-8 for this thread only (`newlocale` + `uselocale`: no process-wide change).
    nonisolated(unsafe) private static let utf8Locale: locale_t? = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

    /// A new libarchive reader over `source` with the given formats (`archive_read_new`,
    /// `archive_read_support_*`, `archive_read_open_*`).
    private static func openArchive(_ source: ContainerSource, formats: [@Sendable (OpaquePointer) -> Int32],
                                    feeder: inout StreamFeeder?) throws -> OpaquePointer {
        guard let archive = archive_read_new() else { throw ContainerError(.damaged, "libarchive: out of memory") }
        ArchiveContainer.enableFilters(archive)
        for format in formats { _ = format(archive) }
        let status: Int32
        switch source {
        case .file(let file):
            // Evidence files are opened by `EvidenceRoot`; libarchive reads the same descriptor
            // from its start and may seek in it, never writes.
            guard lseek(file.descriptor, 0, SEEK_SET) == 0 else {
                archive_read_free(archive)
                throw ContainerError(.damaged, "cannot seek to the start: \(String(cString: strerror(errno)))")
            }
            status = archive_read_open_fd(archive, file.descriptor, 64 * 1024)
        case .memory(let block):
            status = archive_read_open_memory(archive, block.bytes.baseAddress, block.count)
        case .stream(let prefix, let rest):
            let streamFeeder = StreamFeeder(prefix: prefix, rest: rest)
            feeder = streamFeeder
            status = archive_read_open(archive, Unmanaged.passUnretained(streamFeeder).toOpaque(), nil, { _, clientData, block in
                guard let clientData, let block else { return -1 }
                return Unmanaged<StreamFeeder>.fromOpaque(clientData).takeUnretainedValue().next(block)
            }, nil)
        }
        guard status == ARCHIVE_OK else {
            let error = failure(of: archive, feeder: feeder)
            archive_read_free(archive)
            throw error
        }
        return archive
    }

    deinit { archive_read_free(archive) }

    var skipsCheaply: Bool {
        // One filter ("none") means no whole-stream compression; zip, tar, cpio and ISO then pass
        // over a member by seeking. Anything else decompresses what it skips.
        seekable && !recovering && archive_filter_count(archive) <= 1 && family.seeksPastMembers
    }

    func nextMember() throws -> ContainerMember? {
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF {
                guard try recoverFromLocalHeaders() else { return nil }
                continue
            }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw failure() }
            // The raw reader passes anything through: without a decompression filter, the bytes
            // libmagic called compressed are not (gzip's and compress's signatures are 2 bytes).
            if archive_format(archive) == ARCHIVE_FORMAT_RAW, archive_filter_count(archive) <= 1 {
                throw ContainerError(.damaged, "not compressed data: no decompression filter recognises it")
            }
            let found = member(entry)
            if recovering {
                // Read again from the local headers: only what the directory did not list.
                if listedNames.contains(found.name) { continue }
            } else if declaredMembers != nil {
                listedNames.insert(found.name)
            }
            listedCount += 1
            deflate64 = nil
            deflate64Entry = nil
            if let entry = directory?.deflate64[found.name], !found.encrypted, !recovering { deflate64Entry = entry }
            return found
        }
    }

    /// A decoder reading the member's compressed bytes straight from the zip.
    private func deflate64Decoder(_ entry: ZipDirectory.Deflate64Entry) throws -> Deflate64Decoder {
        guard let start = ZipDirectory.dataOffset(of: entry, in: source) else {
            throw ContainerError(.damaged, "the local header of a Deflate64 member is missing, or its data lies outside the zip")
        }
        var offset = start
        let end = start + entry.compressedSize
        let source = source
        return Deflate64Decoder(expectedCRC: entry.crc) { buffer in
            let count = ZipDirectory.read(source, at: offset, into: UnsafeMutableRawBufferPointer(
                rebasing: buffer[0..<Int(min(Int64(buffer.count), end - offset))]))
            offset += Int64(count)
            return count
        }
    }

    /// A zip whose central directory lists fewer members than its end record declares (a
    /// damaged directory): libarchive's seeking reader stops there without an error, so the
    /// same bytes are read again by its streaming reader, which follows the local headers.
    private func recoverFromLocalHeaders() throws -> Bool {
        guard !recovering, seekable, let declared = declaredMembers, listedCount < declared else { return false }
        recovering = true
        damage = "the central directory declares \(declared) member(s) but \(listedCount) could be read from it; the rest were read from their local headers"
        let replacement = try Self.openArchive(source, formats: [archive_read_support_format_zip_streamable], feeder: &feeder)
        archive_read_free(archive)
        archive = replacement
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let entry = deflate64Entry {
            // A missing local header or an impossible size is this member's damage, not the zip's.
            deflate64Entry = nil
            deflate64 = try deflate64Decoder(entry)
        }
        if let deflate64 {
            do {
                var filled = 0
                while filled < buffer.count {
                    let count = try deflate64.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    if count == 0 { break }
                    filled += count
                }
                return filled
            } catch let failure as Deflate64Decoder.Failure {
                throw ContainerError(.damaged, failure.description)
            }
        }
        var filled = 0
        while filled < buffer.count {
            let count = archive_read_data(archive, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 { throw failure() }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// The header's facts as a `ContainerMember`.
    private func member(_ entry: OpaquePointer) -> ContainerMember {
        // UTF-8 where libarchive can convert (zip's UTF-8 flag, pax headers); else the stored bytes.
        let namePointer = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)
        var name = namePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
            ?? Array("(entry \(listedCount + 1): name not convertible)".utf8)
        if family.mayBeSingleFile, archive_format(archive) == ARCHIVE_FORMAT_RAW {
            name = singleFileName ?? name
        }
        var kind: ContainerMember.Kind
        if let hardLink = archive_entry_hardlink(entry) {
            kind = .hardLink(target: Array(UnsafeRawBufferPointer(start: hardLink, count: strlen(hardLink))))
        } else {
            switch archive_entry_filetype(entry) {
            case UInt32(Glibc.S_IFREG): kind = .regularFile
            case UInt32(Glibc.S_IFDIR): kind = .directory
            case UInt32(Glibc.S_IFLNK):
                let target = archive_entry_symlink(entry).map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
                kind = .symlink(target: target)
            case UInt32(Glibc.S_IFIFO): kind = .special("FIFO")
            case UInt32(Glibc.S_IFCHR): kind = .special("character device")
            case UInt32(Glibc.S_IFBLK): kind = .special("block device")
            case UInt32(Glibc.S_IFSOCK): kind = .special("socket")
            default: kind = .regularFile  // formats without types (raw, some zips) hold plain data
            }
        }
        func time(_ isSet: (OpaquePointer) -> Int32, _ seconds: (OpaquePointer) -> time_t, _ nanoseconds: (OpaquePointer) -> Int) -> Int64? {
            isSet(entry) != 0 ? Int64(seconds(entry)) * 1_000_000_000 + Int64(nanoseconds(entry)) : nil
        }
        let times = FileTimes(modified: time(archive_entry_mtime_is_set, archive_entry_mtime, archive_entry_mtime_nsec),
                              accessed: time(archive_entry_atime_is_set, archive_entry_atime, archive_entry_atime_nsec),
                              changed: time(archive_entry_ctime_is_set, archive_entry_ctime, archive_entry_ctime_nsec))
        return ContainerMember(name: name, kind: kind,
                               declaredSize: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil,
                               times: times, encrypted: archive_entry_is_data_encrypted(entry) != 0)
    }

    private func failure() -> Error { Self.failure(of: archive, feeder: feeder) }

    /// libarchive's message as a `ContainerError`; a stream error of our own (a limit) wins.
    private static func failure(of archive: OpaquePointer, feeder: StreamFeeder?) -> Error {
        if let pending = feeder?.pendingError { return pending }
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "no header could be read (libarchive gave no message)"
        // libarchive has no error code for encryption; it says so in its message. (Not
        // `archive_read_has_encrypted_entries`: after a failed open it calls through a format
        // pointer that is no longer valid, which crashed on damaged archives.)
        let encrypted = message.lowercased().contains("encrypt")
        return ContainerError(encrypted ? .encrypted : .damaged, SafeText.display(message))
    }
}

/// Feeds libarchive from a forward-only stream: first the bytes already read, then the rest.
/// An error from the stream (a read failure, or a limit of the caller's) is kept to be rethrown
/// as it was, since libarchive only sees "-1".
private final class StreamFeeder {
    private var prefix: MemoryBlock?
    private var prefixServed = false
    private let rest: any ByteStream
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var pendingError: Error?

    init(prefix: MemoryBlock, rest: any ByteStream) {
        self.prefix = prefix
        self.rest = rest
    }

    deinit { buffer.deallocate() }

    func next(_ block: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        // Served in place; libarchive is done with a block when it asks for the next one, so
        // the prefix is kept until then.
        if let prefix, !prefixServed {
            prefixServed = true
            if prefix.count > 0 {
                block.pointee = UnsafeRawPointer(prefix.bytes.baseAddress)
                return prefix.count
            }
        }
        prefix = nil
        do {
            let count = try rest.read(into: buffer)
            block.pointee = UnsafeRawPointer(buffer.baseAddress)
            return count
        } catch {
            pendingError = error
            return -1
        }
    }
}

/// What triage reads of a zip's own structures, beside libarchive: the end record's member
/// count (to notice a damaged central directory) and where each Deflate64 member's data lies
/// (libarchive 3.6 cannot decompress method 9, so triage does).
struct ZipDirectory {
    /// One central-directory entry compressed with Deflate64.
    struct Deflate64Entry {
        var compressedSize: Int64
        var localHeaderOffset: Int64
        /// The CRC-32 of the uncompressed data, checked when it has all been decoded.
        var crc: UInt32
    }

    /// The "total entries" field of the end record; nil when there is none or it is zip64.
    var declaredMembers: Int?
    /// Deflate64 members by name, as stored.
    var deflate64: [[UInt8]: Deflate64Entry] = [:]

    /// Reads the end record and the central directory; missing or damaged structures give an
    /// empty answer (libarchive reports the damage).
    init(_ source: ContainerSource) {
        guard let size = Self.size(of: source), size >= 22 else { return }
        let tailLength = Int(min(size, 65_557))
        guard let tail = Self.bytes(source, at: size - Int64(tailLength), count: tailLength) else { return }
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
            tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 5 && tail[$0 + 3] == 6
        }) else { return }
        let total = Self.integer(tail, end + 10, 2)
        declaredMembers = total == 0xFFFF ? nil : total
        var directorySize = Int64(Self.integer(tail, end + 12, 4))
        var directoryOffset = Int64(Self.integer(tail, end + 16, 4))
        // zip64: the locator just before the end record points at the zip64 end record.
        if end >= 20, tail[end - 20] == 0x50, tail[end - 19] == 0x4B, tail[end - 18] == 6, tail[end - 17] == 7,
           let record = Self.bytes(source, at: Int64(Self.integer(tail, end - 12, 8)), count: 56),
           record.starts(with: [0x50, 0x4B, 6, 6]) {
            directorySize = Int64(Self.integer(record, 40, 8))
            directoryOffset = Int64(Self.integer(record, 48, 8))
        }
        // Offsets and sizes come from the evidence: only a directory that lies inside the file is read.
        guard directoryOffset >= 0, directorySize >= 0, directorySize <= size - directoryOffset,
              let directory = Self.bytes(source, at: directoryOffset, count: Int(directorySize)) else { return }
        var seen = Set<[UInt8]>(), ambiguous = Set<[UInt8]>()
        var position = 0
        while position + 46 <= directory.count, directory[position..<position + 4].elementsEqual([0x50, 0x4B, 1, 2]) {
            let method = Self.integer(directory, position + 10, 2)
            var compressed = Int64(Self.integer(directory, position + 20, 4))
            let uncompressedIs64 = Self.integer(directory, position + 24, 4) == 0xFFFF_FFFF
            var offset = Int64(Self.integer(directory, position + 42, 4))
            let nameLength = Self.integer(directory, position + 28, 2)
            let extraLength = Self.integer(directory, position + 30, 2)
            let commentLength = Self.integer(directory, position + 32, 2)
            let nameStart = position + 46
            guard nameStart + nameLength + extraLength <= directory.count else { return }
            if method == 9 {
                // The zip64 extra field holds, in order, whichever of the sizes and the offset overflowed.
                var extra = nameStart + nameLength
                let extraEnd = extra + extraLength
                while extra + 4 <= extraEnd {
                    let id = Self.integer(directory, extra, 2), length = Self.integer(directory, extra + 2, 2)
                    if id == 1 {
                        let fieldEnd = min(extraEnd, extra + 4 + length)
                        var field = extra + 4
                        if uncompressedIs64 { field += 8 }
                        if compressed == 0xFFFF_FFFF, field + 8 <= fieldEnd { compressed = Int64(Self.integer(directory, field, 8)); field += 8 }
                        if offset == 0xFFFF_FFFF, field + 8 <= fieldEnd { offset = Int64(Self.integer(directory, field, 8)) }
                    }
                    extra += 4 + length
                }
                let name = Array(directory[nameStart..<nameStart + nameLength])
                if compressed >= 0, offset >= 0, compressed <= size, offset <= size {
                    deflate64[name] = Deflate64Entry(compressedSize: compressed, localHeaderOffset: offset,
                                                     crc: UInt32(Self.integer(directory, position + 16, 4)))
                }
            }
            // A name listed twice cannot tell libarchive's member from ours: neither is decoded here.
            let name = Array(directory[nameStart..<nameStart + nameLength])
            if !seen.insert(name).inserted { ambiguous.insert(name) }
            position = nameStart + nameLength + extraLength + commentLength
        }
        for name in ambiguous { deflate64[name] = nil }
    }

    /// Where a Deflate64 member's compressed data starts (after its local header), if its data
    /// lies inside the source.
    static func dataOffset(of entry: Deflate64Entry, in source: ContainerSource) -> Int64? {
        guard let size = size(of: source), let header = bytes(source, at: entry.localHeaderOffset, count: 30),
              header.starts(with: [0x50, 0x4B, 3, 4]) else { return nil }
        let start = entry.localHeaderOffset + 30 + Int64(integer(header, 26, 2)) + Int64(integer(header, 28, 2))
        guard start <= size, entry.compressedSize <= size - start else { return nil }
        return start
    }

    /// Up to `count` bytes at `offset` of a seekable source (pread; memory slice).
    static func read(_ source: ContainerSource, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch source {
        case .file(let file):
            var done = 0
            while done < buffer.count {
                let count = pread(file.descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                done += count
            }
            return done
        case .memory(let block):
            guard offset >= 0, offset < Int64(block.count) else { return 0 }
            let count = min(buffer.count, block.count - Int(offset))
            buffer.baseAddress!.copyMemory(from: block.bytes.baseAddress! + Int(offset), byteCount: count)
            return count
        case .stream:
            return 0
        }
    }

    private static func size(of source: ContainerSource) -> Int64? {
        switch source {
        case .file(let file): file.size
        case .memory(let block): Int64(block.count)
        case .stream: nil
        }
    }

    private static func bytes(_ source: ContainerSource, at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { Self.read(source, at: offset, into: $0) }
        return read == count ? bytes : nil
    }

    /// A little-endian unsigned integer of `width` bytes; an 8-byte value above `Int.max` (which
    /// no real zip holds) is -1, and every caller rejects negative sizes and offsets.
    private static func integer(_ bytes: [UInt8], _ at: Int, _ width: Int) -> Int {
        let value = (0..<width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[at + $1]) }
        return Int(exactly: value) ?? -1
    }
}
