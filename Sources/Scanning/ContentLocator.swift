import Evidence
import Hashing
import Identification
import TriageCore

/// Why an item's bytes could not be read back from the evidence. Paths are shown as `SafeText`.
public enum ContentLocatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path cannot name anything under the root: absolute, with `.`, `..` or a NUL byte, or
    /// not the one file a single-file root holds.
    case invalidPath(path: String, source: String)
    /// The evidence file (or the root itself) is not there any more, or cannot be opened.
    case fileMissing(path: String, source: String, reason: String)
    /// Nothing at this path: a container holds no member of that name, the item it should be
    /// inside is not a container the scan opens, or a photo has no EXIF thumbnail.
    case notFound(path: String, reason: String)
    /// The entry has no bytes to show: a link or a special file inside an archive.
    case noContent(path: String, reason: String)
    /// A container (or a member's data) is damaged: the library's message.
    case damaged(path: String, message: String)
    /// A container or member is encrypted: triage never decrypts.
    case encrypted(path: String, message: String)
    /// Reading failed (an I/O error of the medium).
    case unreadable(path: String, reason: String)
    /// An expansion limit (the scan's) stopped the reading.
    case limitReached(path: String, reason: String)
    /// The item is larger than the caller's limit.
    case tooLarge(path: String, limit: Int)
    /// The bytes found are not those the scan recorded.
    case digestMismatch(path: String, expected: String, found: String)
    /// libmagic could not be started.
    case identificationFailed(message: String)

    public var description: String {
        switch self {
        case .invalidPath(let path, let source):
            "\(path) is not a path the scan records under the evidence root \(source)"
        case .fileMissing(let path, let source, let reason):
            "cannot open \(path) under the evidence root \(source) (\(reason)): is the evidence still where the scan read it?"
        case .notFound(let path, let reason):
            "\(path) was not found: \(reason)"
        case .noContent(let path, let reason):
            "\(path) has no content to show: \(reason)"
        case .damaged(let path, let message):
            "\(path) cannot be read, it is damaged: \(message)"
        case .encrypted(let path, let message):
            "\(path) is encrypted (\(message)): triage does not decrypt"
        case .unreadable(let path, let reason):
            "\(path) could not be read: \(reason)"
        case .limitReached(let path, let reason):
            "\(path) was not read to the end: \(reason)"
        case .tooLarge(let path, let limit):
            "\(path) is larger than \(limit) bytes, the most that is read back"
        case .digestMismatch(let path, let expected, let found):
            "the bytes at \(path) are not those the scan recorded (SHA-256 \(found), recorded \(expected)): the evidence has changed since the scan, or the path names more than one item"
        case .identificationFailed(let message):
            "cannot start libmagic to identify containers: \(message)"
        }
    }

    /// Nothing was at one reading of the path; another reading may still find the item.
    var isNotFound: Bool {
        switch self {
        case .notFound, .fileMissing: true
        default: false
        }
    }
}

/// Reads an item's bytes back from the evidence by its forensic path, opening containers as the
/// scan did.
///
/// Each container on the way is identified by content with the scan's own code (libmagic, the
/// ISO 9660 signature beyond its head, `ContainerFormats`), held in memory or streamed by the
/// same rule, opened by the same reader (so Deflate64, a zip read again from its local headers
/// and single compressed files named after the container come out as they did), and its
/// members are named as the scan named them (`name (entry N)` for a repeated name, through
/// `MemberListing`) until the one on the path, whose data is read into memory. An EXIF
/// thumbnail is taken from its photo with libexif. Reads count against the scan's expansion
/// limits. Evidence files are opened read-only by `EvidenceRoot.openFile`; nothing is written.
///
/// Paths are matched by their stored bytes, not by their components: a member named `a!/b.jpg`
/// and the member `b.jpg` of a container `a` are both stored as `…!/a!/b.jpg`, and the case store
/// gives back one split of it. Every reading of the path is tried, in the containers' order, and
/// the recorded SHA-256, when given, tells which one is the item.
///
/// One per thread: it holds a libmagic handle (opened on first need) and a read buffer.
public final class ContentLocator {
    /// The scan's expansion settings: they decide what was opened, held in memory or streamed.
    public let expansion: ExpansionOptions
    /// The scan's perceptual settings: a JPEG's thumbnail was looked for only up to `maxDecodeBytes`.
    public let perceptual: PerceptualOptions
    private var openedExaminer: FileExaminer?

    public init(expansion: ExpansionOptions = ExpansionOptions(), perceptual: PerceptualOptions = PerceptualOptions()) {
        self.expansion = expansion
        self.perceptual = perceptual
    }

    /// The bytes of the item at `path` under the evidence root `source` (as recorded with the
    /// item): at most `limit` bytes.
    ///
    /// - Parameter sha256: the item's recorded SHA-256; when given, the bytes must have it.
    /// - Throws: `ContentLocatorError`: the file is missing, no member has that name, a container
    ///   is damaged or encrypted, a limit stopped the reading, the item is over `limit`, or its
    ///   bytes do not have the recorded digest (the evidence changed, or the path is ambiguous).
    public func contents(of path: ForensicPath, source: String, sha256: [UInt8]?, limit: Int) throws(ContentLocatorError) -> [UInt8] {
        let target = Target(bytes: path.bytes, display: path.display, sha256: sha256, limit: max(0, limit))
        let root: EvidenceRoot
        do {
            root = try EvidenceRoot(path: source)
        } catch {
            throw .fileMissing(path: SafeText.display(source), source: SafeText.display(source), reason: "\(error.call): \(error.message)")
        }
        var failure: ContentLocatorError?
        for relative in Self.filePaths(in: target.bytes, root: root) {
            do throws(ContentLocatorError) {
                let file: EvidenceFile
                do {
                    file = try root.openFile(relative)
                } catch {
                    throw .fileMissing(path: SafeText.display(relative), source: SafeText.display(source),
                                       reason: "\(error.call): \(error.message)")
                }
                return try find(target, in: file, at: ForensicPath(relativePath: relative), declaredSize: file.size,
                                budget: ExpansionBudget(options: expansion))
            } catch {
                Self.note(error, in: &failure)
            }
        }
        throw failure ?? .invalidPath(path: target.display, source: SafeText.display(source))
    }

    /// What is looked for.
    private struct Target {
        var bytes: [UInt8]
        var display: String
        var sha256: [UInt8]?
        var limit: Int
    }

    /// Keeps the failure that says most: the first that is more than "not here", else the first.
    private static func note(_ error: ContentLocatorError, in failure: inout ContentLocatorError?) {
        if failure == nil || (failure!.isNotFound && !error.isNotFound) { failure = error }
    }

    /// The target, found in or at the item at `path`, whose bytes `stream` gives from their start.
    private func find(_ target: Target, in stream: any ByteStream, at path: ForensicPath, declaredSize: Int64?,
                      budget: ExpansionBudget) throws(ContentLocatorError) -> [UInt8] {
        let here = path.bytes
        if here == target.bytes {
            if let file = stream as? EvidenceFile, file.size > Int64(target.limit) { throw .tooLarge(path: target.display, limit: target.limit) }
            let bytes = try Self.readAll(stream, after: [], limit: target.limit, path: path)
            if let expected = target.sha256 {
                let found = MultiHasher.digests(of: bytes).sha256
                guard found == expected else {
                    throw .digestMismatch(path: target.display, expected: Hex.encode(expected), found: Hex.encode(found))
                }
            }
            return bytes
        }
        let examiner = try examiner()
        let head: FileExaminer.Head
        do {
            head = try examiner.readHead(of: stream, declaredSize: declaredSize, path: path)
        } catch {
            switch error {
            case .read(let failure, _): throw Self.failure(failure, at: path)
            case .empty: throw .notFound(path: target.display, reason: "\(path.display) is empty")
            case .identification(let failure): throw .unreadable(path: path.display, reason: failure.description)
            }
        }
        if target.bytes[here.count...].starts(with: ForensicPath.containerSeparator) {
            return try findMember(target, in: stream, head: head, at: path, declaredSize: declaredSize, budget: budget)
        }
        return try findThumbnail(target, in: stream, head: head, at: path, declaredSize: declaredSize, budget: budget)
    }

    /// The target inside the container at `path`: its members are listed as the scan listed them.
    private func findMember(_ target: Target, in stream: any ByteStream, head: FileExaminer.Head, at path: ForensicPath,
                            declaredSize: Int64?, budget: ExpansionBudget) throws(ContentLocatorError) -> [UInt8] {
        let examiner = try examiner()
        guard let format = examiner.containerFormat(of: head) else {
            throw .notFound(path: target.display, reason: "\(path.display) is \(SafeText.display(head.identification.mime)), not a container the scan opens")
        }
        guard path.depth < expansion.maxDepth else {
            throw .notFound(path: target.display, reason: "\(path.display) is at depth \(path.depth), the depth limit: the scan did not open it")
        }
        let loaded: FileExaminer.ContainerBytes
        do {
            loaded = try examiner.containerBytes(stream, as: format, head: UnsafeRawBufferPointer(rebasing: examiner.buffer[0..<head.count]),
                                                 moreToRead: head.moreToRead, declaredSize: declaredSize)
        } catch {
            throw Self.failure(error.failure, at: path)
        }
        let source: ContainerSource
        var size = declaredSize
        switch loaded {
        case .file(let file): source = .file(file)
        case .memory(let block):
            source = .memory(block)
            size = Int64(block.count)
        case .stream(let prefix): source = .stream(prefix: prefix, rest: stream)
        case .tooLargeForMemory:
            throw .limitReached(path: path.display, reason: "\(format.name) container larger than the memory limit of \(expansion.maxContainerBytesInMemory) bytes, which its library needs: the scan did not open it")
        }
        let level = budget.enter(size: size)
        defer { budget.leave() }
        let reader: any ContainerReader
        do {
            reader = try format.open(source, name: path.fileName)
        } catch {
            throw Self.failure(error, at: path)
        }
        var failure: ContentLocatorError?
        var listing = MemberListing(reader, of: path, budget: budget, maxEntries: expansion.maxEntries)
        while true {
            let member: ContainerMember, memberPath: ForensicPath
            do {
                guard let next = try listing.next() else { break }
                (member, memberPath) = next
            } catch is MemberListing.EntryLimit {
                Self.note(.limitReached(path: path.display, reason: "more than \(expansion.maxEntries) entries (the limit): the scan did not list the rest"), in: &failure)
                break
            } catch {
                Self.note(Self.failure(error, at: path), in: &failure)
                break
            }
            let data = MemberStream(reader, budget: budget, path: memberPath)
            if member.kind != .directory, Self.leads(to: target.bytes, from: memberPath.bytes) {
                switch member.kind {
                case .regularFile where member.encrypted:
                    Self.note(.encrypted(path: memberPath.display, message: "encrypted \(format.name) member"), in: &failure)
                    continue
                case .regularFile:
                    do {
                        return try find(target, in: data, at: memberPath, declaredSize: member.declaredSize, budget: budget)
                    } catch {
                        Self.note(error, in: &failure)
                    }
                default:
                    if memberPath.bytes == target.bytes {
                        let what = switch member.kind {
                        case .symlink(let link): "a symbolic link to \(SafeText.display(link)), never followed"
                        case .hardLink(let link): "a hard link; its content is recorded under \(SafeText.display(link))"
                        case .special(let kind): "a \(kind) entry"
                        default: "not a regular file"
                        }
                        Self.note(.noContent(path: target.display, reason: "\(format.name) entry: \(what)"), in: &failure)
                    }
                    continue
                }
            } else if member.kind != .regularFile || member.encrypted {
                continue
            }
            // Unread data is passed over through the limits, as the scan does.
            if !data.failed, budget.stop == nil, !reader.skipsCheaply { examiner.drain(data) }
        }
        if let stop = budget.stop {
            Self.note(.limitReached(path: path.display, reason: stop.reason), in: &failure)
            budget.resolved(at: level)
        }
        throw failure ?? .notFound(path: target.display, reason: "\(path.display) holds no member of that name")
    }

    /// The target in or at the EXIF thumbnail of the photo at `path`, which the scan looked for
    /// only in a JPEG it read whole.
    private func findThumbnail(_ target: Target, in stream: any ByteStream, head: FileExaminer.Head, at path: ForensicPath,
                               declaredSize: Int64?, budget: ExpansionBudget) throws(ContentLocatorError) -> [UInt8] {
        guard expansion.enabled, head.identification.mime == "image/jpeg", path.depth < expansion.maxDepth, !path.isEmbedded else {
            throw .notFound(path: target.display, reason: "\(path.display) (\(SafeText.display(head.identification.mime)), depth \(path.depth)) is not a photo whose EXIF thumbnail the scan looked for")
        }
        let tooLarge = ContentLocatorError.notFound(path: target.display, reason: "\(path.display) is over the decode limit of \(perceptual.maxDecodeBytes) bytes: the scan did not look for its thumbnail")
        if let declaredSize, declaredSize > Int64(perceptual.maxDecodeBytes) { throw tooLarge }
        let examiner = try examiner()
        var photo = Array(UnsafeRawBufferPointer(rebasing: examiner.buffer[0..<head.count]))
        if head.moreToRead {
            do {
                photo = try Self.readAll(stream, after: photo, limit: perceptual.maxDecodeBytes, path: path)
            } catch {
                if case .tooLarge = error { throw tooLarge }
                throw error
            }
        }
        guard let thumbnail = photo.withUnsafeBytes({ ExifThumbnail.extract(from: $0) }) else {
            throw .notFound(path: target.display, reason: "\(path.display) has no EXIF thumbnail")
        }
        return try find(target, in: BytesStream(thumbnail), at: path.appending(embedded: ExifThumbnail.name),
                        declaredSize: Int64(thumbnail.count), budget: budget)
    }

    private func examiner() throws(ContentLocatorError) -> FileExaminer {
        if let openedExaminer { return openedExaminer }
        do {
            let examiner = try FileExaminer(hashAll: false, perceptual: perceptual, expansion: expansion)
            openedExaminer = examiner
            return examiner
        } catch {
            throw .identificationFailed(message: error.message)
        }
    }

    /// `prefix`, then the rest of `stream` to its end; more than `limit` bytes in all is `tooLarge`.
    private static func readAll(_ stream: any ByteStream, after prefix: [UInt8], limit: Int,
                                path: ForensicPath) throws(ContentLocatorError) -> [UInt8] {
        let block = MemoryBlock(capacity: prefix.count + FileExaminer.chunkLength)
        prefix.withUnsafeBytes { block.append($0) }
        while block.count <= limit {
            // At most one byte past the limit, to tell "exactly the limit" from "over".
            let wanted = limit - block.count >= FileExaminer.chunkLength ? FileExaminer.chunkLength : limit - block.count + 1
            let space = block.space(atLeast: wanted)
            let count: Int
            do {
                count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: space[0..<wanted]))
            } catch {
                throw failure(error, at: path)
            }
            if count == 0 { return Array(block.bytes) }
            block.count += count
        }
        throw .tooLarge(path: path.display, limit: limit)
    }

    /// A failure of the evidence, a container library or a limit, about the item at `path`.
    private static func failure(_ error: Error, at path: ForensicPath) -> ContentLocatorError {
        switch error {
        case let located as ContentLocatorError: located
        case let stop as ExpansionBudget.Stop: .limitReached(path: path.display, reason: stop.reason)
        case let container as ContainerError where container.kind == .encrypted: .encrypted(path: path.display, message: container.message)
        case let container as ContainerError: .damaged(path: path.display, message: container.message)
        case let system as SystemError: .unreadable(path: path.display, reason: "\(system.call): \(system.message)")
        default: .unreadable(path: path.display, reason: "\(error)")
        }
    }

    /// True when `target` is the item at `path` or lies inside it: a member after `!/`, or an
    /// embedded stream after `!`.
    static func leads(to target: [UInt8], from path: [UInt8]) -> Bool {
        guard target.starts(with: path) else { return false }
        let rest = target[path.count...]
        if rest.isEmpty || rest.starts(with: ForensicPath.containerSeparator) { return true }
        let embedded = [UInt8(ascii: "!")] + ExifThumbnail.name
        guard rest.starts(with: embedded) else { return false }
        let after = rest.dropFirst(embedded.count)
        return after.isEmpty || after.starts(with: ForensicPath.containerSeparator)
    }

    /// The readings of `target` whose first part could be an evidence file's path from `root`
    /// (the walk's names: no `.`, `..`, empty names or NUL bytes; for a single-file root, its
    /// name), shortest first.
    static func filePaths(in target: [UInt8], root: EvidenceRoot) -> [[UInt8]] {
        let ends = target.indices.filter { target[$0] == UInt8(ascii: "!") } + [target.count]
        return ends.map { Array(target[..<$0]) }.filter { relative in
            guard leads(to: target, from: relative) else { return false }
            if let single = root.singleFile { return relative == single }
            return !relative.contains(0) && relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy {
                !$0.isEmpty && !$0.elementsEqual([UInt8(ascii: ".")]) && !$0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
            }
        }
    }
}
