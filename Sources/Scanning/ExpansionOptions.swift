/// Limits of the Expand stage (DESIGN.md rule 6): how deep, how much and how many members
/// triage opens inside archives and documents. Every limit that fires leaves a named
/// disposition on the item where it fired.
public struct ExpansionOptions: Sendable, Hashable {
    /// Open archives and documents and examine their members. Off: containers are plain files.
    public var enabled: Bool
    /// Containers nested deeper than this are hashed like files but not opened (`max-depth`).
    /// A file on the evidence is at depth 0; a member of a zip on it at depth 1.
    public var maxDepth: Int
    /// Bytes read out of all the containers of one evidence file, at every depth, before
    /// expansion stops (`expansion-limit`).
    public var maxExpandedBytes: Int64
    /// A container from which more than `maxRatio` times its own size has come out (once more
    /// than `ratioFloorBytes` has) is a bomb: expansion stops (`ratio-limit`).
    public var maxRatio: Int64
    public var ratioFloorBytes: Int64
    /// Entries (members and directories) listed per container before the rest are left
    /// unlisted (`entry-limit`).
    public var maxEntries: Int
    /// A member container up to this size is read into memory (so that zip and 7z can seek in
    /// it); a larger one is read as a stream, front to back.
    public var maxContainerBytesInMemory: Int

    public init(enabled: Bool = true, maxDepth: Int = 8, maxExpandedBytes: Int64 = 32 << 30, maxRatio: Int64 = 1000,
                ratioFloorBytes: Int64 = 1 << 20, maxEntries: Int = 1_000_000, maxContainerBytesInMemory: Int = 256 << 20) {
        self.enabled = enabled
        self.maxDepth = maxDepth
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxEntries = maxEntries
        self.maxContainerBytesInMemory = maxContainerBytesInMemory
    }

    /// The limits a scan recorded (`settings`), so that an item can be read back the way that
    /// scan read it; a key that is missing keeps its default.
    public init(recorded settings: [String: String]) {
        self.init(enabled: settings["expand"] != "off")
        if let value = settings["expand_max_depth"].flatMap(Int.init) { maxDepth = value }
        if let value = settings["expand_max_bytes"].flatMap(Int64.init) { maxExpandedBytes = value }
        if let value = settings["expand_max_ratio"].flatMap(Int64.init) { maxRatio = value }
        if let value = settings["expand_max_entries"].flatMap(Int.init) { maxEntries = value }
        if let value = settings["expand_memory_limit"].flatMap(Int.init) { maxContainerBytesInMemory = value }
    }

    /// The limits as recorded with a scan and shown in reports.
    public var settings: [String: String] {
        guard enabled else { return ["expand": "off"] }
        return [
            "expand": "archives and documents opened by content (libmagic), members read as streams, nothing extracted to disk",
            "expand_max_depth": String(maxDepth),
            "expand_max_bytes": String(maxExpandedBytes),
            "expand_max_ratio": String(maxRatio),
            "expand_max_entries": String(maxEntries),
            "expand_memory_limit": String(maxContainerBytesInMemory),
        ]
    }
}
