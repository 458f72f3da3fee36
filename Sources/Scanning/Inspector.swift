import Evidence
import HashDatabase
import Identification
import TriageCore

/// What triage sees in single files, outside any case: the same examination a scan does,
/// every file hashed, and (when a database is given) its exact matches.
public final class Inspector {
    private let examiner: FileExaminer
    private let lookup: (any KnownHashLookup)?
    private let perceptual: PerceptualMatcher

    public init(hashDatabase: (any KnownHashLookup)?, perceptualIndex: PDQIndex = PDQIndex([]),
                knownVideos: KnownVideoIndex = KnownVideoIndex([], qualityFloor: 0),
                options: PerceptualOptions = PerceptualOptions(), expansion: ExpansionOptions = ExpansionOptions()) throws {
        do {
            examiner = try FileExaminer(hashAll: true, perceptual: options, expansion: expansion)
        } catch {
            throw ScanError(message: "cannot start libmagic: \(error.message)")
        }
        lookup = hashDatabase
        perceptual = PerceptualMatcher(index: perceptualIndex, videos: knownVideos, options: options)
    }

    /// The results for one path (a container's members first, then the file itself), and their
    /// matches. A path that cannot be opened gives a result with disposition `unreadable`, like
    /// any other item.
    public func inspect(_ path: String) throws -> [(result: ItemResult, matches: [KnownMatch])] {
        let root: EvidenceRoot
        do {
            root = try EvidenceRoot(path: path)
        } catch {
            return [(ItemResult(path: ForensicPath(relativePath: Array(path.utf8)), disposition: .unreadable,
                                reason: "\(error.call): \(error.message)"), [])]
        }
        guard root.isSingleFile else {
            return [(ItemResult(path: ForensicPath(relativePath: Array(path.utf8)), disposition: .notRegularFile,
                                reason: "a directory: use `triage scan` for trees"), [])]
        }
        var entries: [WalkEntry] = []
        Walker(root: root).walk { entries.append($0) }
        var results: [ItemResult] = []
        examiner.examine(entries[0], in: root) { results.append($0) }
        return try results.map { result in
            // The path as given, then the members' paths inside it.
            var result = result
            result.path = ForensicPath(components: [Array(path.utf8)] + result.path.components.dropFirst())
            var matches: [KnownMatch] = []
            if let lookup, result.kind.isMedia, let digests = result.digests, case .found(let found) = try lookup.lookup(digests) {
                matches = found
            }
            if matches.isEmpty { matches = perceptual.matches(for: result) }
            return (result, matches)
        }
    }
}
