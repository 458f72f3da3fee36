import Evidence
import TriageCore

/// What has come out of the containers of one evidence file, level by level, and the limit
/// that stopped expansion, if one did.
///
/// Level 0 is the evidence file itself, level 1 a container inside it, and so on. Every byte
/// read out of a member counts at its own container's level and at every level above it, so
/// a zip of zips of zeros trips the ratio of the smallest container that holds it all.
final class ExpansionBudget {
    /// Why expansion stopped, and at which level it resumes.
    struct Stop: Error {
        var disposition: Disposition
        /// The level of the container that passed the limit: it and everything inside it stop.
        var level: Int
        /// Said of the container that passed the limit.
        var reason: String
    }

    private let options: ExpansionOptions
    private var sizes: [Int64] = []
    private var expanded: [Int64] = []
    private var total: Int64 = 0
    /// Set when a limit fires; cleared when the container at `stop.level` has recorded it.
    private(set) var stop: Stop?
    /// Member paths given out under this evidence file.
    private var assignedPaths = Set<[UInt8]>()

    init(options: ExpansionOptions) {
        self.options = options
    }

    /// `path`, or, when a member of the same name already has it (a tar appended to with
    /// `tar -r`, a zip listing a name twice), `path (entry N)`: the case store keeps one item per
    /// path, and the second member must not vanish behind the first.
    func uniquePath(_ path: ForensicPath, entry: Int) -> ForensicPath {
        var candidate = path
        var attempt = 0
        while !assignedPaths.insert(candidate.bytes).inserted {
            attempt += 1
            var components = path.components
            components[components.count - 1] += Array(" (entry \(entry)\(attempt > 1 ? "-\(attempt)" : ""))".utf8)
            candidate = ForensicPath(components: components)
        }
        return candidate
    }

    /// How many containers are open.
    var depth: Int { sizes.count }

    /// A container of `size` bytes (nil when unknown) is opened inside the current one.
    func enter(size: Int64?) -> Int {
        sizes.append(size ?? .max)
        expanded.append(0)
        return sizes.count - 1
    }

    func leave() {
        sizes.removeLast()
        expanded.removeLast()
    }

    /// The container at `level` has recorded the stop: its parent carries on (a ratio limit),
    /// or everything ends (the byte limit, which is per evidence file).
    func resolved(at level: Int) {
        if let stop, stop.level == level, stop.disposition != .expansionLimit { self.stop = nil }
    }

    /// Counts `count` bytes read out of a member of the innermost container; throws when that
    /// passes a limit.
    func consume(_ count: Int, path: () -> String) throws {
        if let stop { throw stop }
        total += Int64(count)
        if total > options.maxExpandedBytes {
            stop = Stop(disposition: .expansionLimit, level: 0, reason: "more than \(options.maxExpandedBytes) bytes expanded from this file (limit); expansion stopped at \(path())")
            throw stop!
        }
        for level in expanded.indices {
            expanded[level] += Int64(count)
            let (limit, overflow) = sizes[level].multipliedReportingOverflow(by: options.maxRatio)
            if expanded[level] > options.ratioFloorBytes, !overflow, expanded[level] > limit {
                stop = Stop(disposition: .ratioLimit, level: level,
                            reason: "\(expanded[level]) bytes came out of \(sizes[level]) (more than \(options.maxRatio):1, a compression bomb); expansion stopped at \(path())")
                // Inner levels keep their counts too: the bytes were read.
                for inner in (level + 1)..<expanded.count { expanded[inner] += Int64(count) }
                throw stop!
            }
        }
    }
}

/// The data of the current member of a container, counted against the budget as it is read.
final class MemberStream: ByteStream {
    private let container: any ContainerReader
    private let budget: ExpansionBudget
    private let path: ForensicPath
    /// The member's data could not be read (damage, a limit): the container stops too.
    private(set) var failed = false

    init(_ container: any ContainerReader, budget: ExpansionBudget, path: ForensicPath) {
        self.container = container
        self.budget = budget
        self.path = path
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            let count = try container.read(into: buffer)
            try budget.consume(count, path: { path.display })
            return count
        } catch {
            failed = true
            throw error
        }
    }
}

/// The entries of an open container as the scan lists them: in the container's order, each with
/// the forensic path it is recorded under (`name (entry N)` when the name is already given out),
/// until the last one, the reader's failure, the entry limit, or a stop of the budget. The scan
/// and `ContentLocator` list through it, so that a path read back names the member it named.
struct MemberListing {
    /// More entries than `ExpansionOptions.maxEntries`: the rest are not listed.
    struct EntryLimit: Error {}

    private let reader: any ContainerReader
    private let container: ForensicPath
    private let budget: ExpansionBudget
    private let maxEntries: Int
    /// Entries (members and directories) listed so far.
    private(set) var count = 0

    init(_ reader: any ContainerReader, of container: ForensicPath, budget: ExpansionBudget, maxEntries: Int) {
        self.reader = reader
        self.container = container
        self.budget = budget
        self.maxEntries = maxEntries
    }

    /// The next entry and its path; nil after the last one, or once the budget has stopped.
    /// Throws the reader's error (damaged or encrypted from here on) or `EntryLimit`.
    mutating func next() throws -> (member: ContainerMember, path: ForensicPath)? {
        guard budget.stop == nil, let member = try reader.nextMember() else { return nil }
        count += 1
        if count > maxEntries { throw EntryLimit() }
        return (member, budget.uniquePath(container.appending(member: member.name), entry: count))
    }
}
