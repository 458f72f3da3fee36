import ArgumentParser
import CaseStore
import Foundation
import HashDatabase
import Scanning
import TriageCore

extension Category: ExpressibleByArgument {
    public init?(argument: String) { self.init(letter: argument) }
}

/// A category as the examiner types it: the profile's label ("1" in Project VIC) or the slot letter.
func parseCategory(_ text: String, in profile: CategoryProfile) -> Category? {
    profile.category(named: text) ?? Category(letter: text)
}

/// Checks a `--profile` value.
func validateProfile(_ name: String?) throws {
    if let name, CategoryProfile.named(name) == nil {
        throw ValidationError("unknown category profile \(name); triage has: \(CategoryProfile.names.joined(separator: ", "))")
    }
}

struct HashDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashdb", abstract: "Manage the known-hash database.",
        subcommands: [Import.self, Info.self, Export.self, Map.self, Learn.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add known hashes from hash-set files (streamed, one transaction per file).")

        @Argument(help: "Hash-set files.") var files: [String]
        @OptionGroup var database: DatabaseOption
        @Option(help: "auto, or one of: \((HashSetFormats.names + [VPDQFormat.name]).joined(separator: ", ")).") var format = "auto"
        @Option(help: "Category for records that carry none (digest lists, hashdeep): A, B, C or N, or the profile's label (Project VIC: 0–3).") var category: String?
        @Option(help: "The category profile whose code table maps the hash sets' codes: \(CategoryProfile.names.joined(separator: ", ")).") var profile = CategoryProfile.defaultName
        @Option(help: "Source name stored with each entry (default: the file name).") var source: String?
        @Flag(help: "A known-good set (as NSRL formats always are): category N, matched as known-good, never reviewed.") var knownGood = false
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            try validateProfile(profile)
            if let category, parseCategory(category, in: CategoryProfile.named(profile)!) == nil {
                throw ValidationError("--category must be A, B, C or N (or a label of profile \(profile)), not \(category)")
            }
            if format != "auto" && format != VPDQFormat.name && HashSetFormats.named(format) == nil {
                throw ValidationError("unknown --format \(format); use auto or one of: \((HashSetFormats.names + [VPDQFormat.name]).joined(separator: ", "))")
            }
        }

        /// A vPDQ list (known videos) is imported apart from digest sets.
        func isVPDQ(_ file: String) -> Bool {
            if format == VPDQFormat.name { return true }
            guard format == "auto", let reader = try? ChunkReader(path: file), let head = try? reader.peek() else { return false }
            return VPDQFormat.recognises(head: head)
        }

        /// One file's outcome, for `--json`.
        struct FileResult: Encodable {
            var file: String
            var format: String?
            var read = 0, added = 0, alreadyPresent = 0, rejected = 0, conflicts = 0
            var error: String?
        }

        func run() throws {
            let path = database.path ?? SQLiteHashDatabase.defaultPath()
            let store = try Console.setup { try SQLiteHashDatabase(path: path) }
            let importer = HashSetImporter(store: store, profile: profile)
            let category = self.category.flatMap { parseCategory($0, in: CategoryProfile.named(profile)!) }
            var status: Int32 = 0
            var results: [FileResult] = []
            for file in files {
                do {
                    let outcome = isVPDQ(file)
                        ? try importer.importVideos(file, into: store, category: category, source: source)
                        : try importer.importFile(file, format: format == "auto" ? nil : format, category: category, source: source,
                                                  knownGood: knownGood)
                    let counts = outcome.record.counts
                    for problem in outcome.problems { Console.err("\(file): \(problem)\n") }
                    if counts.rejected > outcome.problems.count {
                        Console.err("\(file): \(counts.rejected - outcome.problems.count) more problems not shown\n")
                    }
                    for conflict in outcome.record.conflicts.prefix(20) {
                        Console.err("\(file): conflict: \(conflict.hashType.rawValue) \(conflict.digest) is category \(conflict.categories.map(\.rawValue).joined(separator: " and ")) (sources: \(conflict.sources.map(SafeText.display).joined(separator: ", "))); both kept, such items stay pending\n")
                    }
                    if counts.rejected > 0 { status = max(status, 1) }
                    results.append(FileResult(file: file, format: outcome.format, read: counts.read, added: counts.added,
                                              alreadyPresent: counts.alreadyPresent, rejected: counts.rejected,
                                              conflicts: outcome.record.conflicts.count))
                    if !json {
                        Console.out("\(file) (\(outcome.format)): \(counts.read) records read, \(counts.added) added, \(counts.alreadyPresent) already present, \(counts.rejected) rejected, \(outcome.record.conflicts.count) conflicting\n")
                    }
                } catch {
                    // Other files still import; the status says the worst that happened.
                    status = max(status, (error as? HashDatabaseError)?.isUsage == true ? 2 : 1)
                    Console.err("triage: \(error)\n")
                    results.append(FileResult(file: file, error: "\(error)"))
                }
            }
            if json { Console.out(Console.json(results)) }
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts per category and hash type, sources, import history, category maps.")

        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let path = database.path ?? SQLiteHashDatabase.defaultPath()
            let info = try Console.setup { () throws -> HashDatabaseInfo in
                try SQLiteHashDatabase(path: path, readOnly: true).info()
            }
            if json {
                struct ImportJSON: Encodable { var id: Int64; var time, file, format, source: String; var read, added, alreadyPresent, rejected: Int }
                struct InfoJSON: Encodable {
                    var path: String; var entries: Int; var categories: [String: Int]; var hashTypes: [String: Int]; var pdq: Int
                    var knownGood: Int; var knownVideos: Int; var sources: [String: Int]; var conflicts: Int; var fingerprint: String
                    var categoryMaps: [String: [String: String]]
                    var imports: [ImportJSON]
                }
                let value = InfoJSON(
                    path: info.path, entries: info.entries,
                    categories: Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0.rawValue, info.perCategory[$0] ?? 0) }),
                    hashTypes: Dictionary(uniqueKeysWithValues: HashType.allCases.map { ($0.rawValue, info.perHashType[$0] ?? 0) }),
                    pdq: info.pdqEntries, knownGood: info.knownGoodEntries, knownVideos: info.knownVideos,
                    sources: info.sources, conflicts: info.conflicts, fingerprint: info.fingerprint,
                    categoryMaps: Dictionary(uniqueKeysWithValues: info.categoryMaps.map { map in
                        (map.profile, map.codes.mapValues(\.rawValue))
                    }),
                    imports: info.imports.map {
                        ImportJSON(id: $0.id, time: $0.time, file: $0.fileName, format: $0.format, source: $0.source, read: $0.counts.read,
                                   added: $0.counts.added, alreadyPresent: $0.counts.alreadyPresent, rejected: $0.counts.rejected)
                    })
                Console.out(Console.json(value))
                return
            }
            var out = "Hash database \(info.path)\n"
            out += "  entries: \(info.entries)   fingerprint: \(info.fingerprint)\n"
            out += "  per category: " + Category.allCases.map { "\($0.rawValue) \(info.perCategory[$0] ?? 0)" }.joined(separator: ", ") + "\n"
            out += "  per hash type: " + HashType.allCases.map { "\($0.rawValue) \(info.perHashType[$0] ?? 0)" }.joined(separator: ", ")
                + ", pdq \(info.pdqEntries)\n"
            if info.knownGoodEntries > 0 { out += "  known-good (NSRL and other known-good sets; category N): \(info.knownGoodEntries)\n" }
            if info.knownVideos > 0 { out += "  known videos (vPDQ): \(info.knownVideos)\n" }
            out += "  conflicting digests: \(info.conflicts)\n"
            out += "  sources:\n"
            for (source, count) in info.sources.sorted(by: { $0.key < $1.key }) { out += "    \(SafeText.display(source)): \(count)\n" }
            for map in info.categoryMaps {
                out += "  category codes (profile \(SafeText.display(map.profile))): "
                out += map.codes.sorted(by: { $0.key < $1.key }).map { "\(SafeText.display($0.key))→\($0.value.rawValue)" }.joined(separator: ", ")
                out += "; letters A, B, C, N stand for themselves; other codes are rejected until mapped\n"
            }
            out += "  imports:\n"
            for record in info.imports {
                out += "    #\(record.id) \(SafeText.display(record.time)) \(SafeText.display(record.fileName)) (\(SafeText.display(record.format)), source \(SafeText.display(record.source))): \(record.counts.added) added, \(record.counts.alreadyPresent) already present, \(record.counts.rejected) rejected\n"
            }
            Console.out(out)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the database out.")

        @OptionGroup var database: DatabaseOption
        @Option(help: "\(HashSetExporters.all.map { $0.name }.joined(separator: ", ")), vpdq (md5sum: `md5  CATEGORY SOURCE` per distinct MD5; pdq: `hash,quality,CATEGORY,SOURCE` per distinct PDQ; vpdq: the known videos, `# video NAME` then `frame,quality,hash,timestamp` per frame).")
        var format: String
        @Option(help: "Only entries of this category.") var category: Category?
        @Option(help: "Write to this file instead of stdout.") var out: String?

        func validate() throws {
            guard HashSetExporters.named(format) != nil || format == VPDQFormat.name else {
                throw ValidationError("unknown --format \(format); supported: \((HashSetExporters.all.map { $0.name } + [VPDQFormat.name]).joined(separator: ", "))")
            }
        }

        func run() throws {
            let path = database.path ?? SQLiteHashDatabase.defaultPath()
            let counts = try Console.setup { () throws -> ExportCounts in
                let store = try SQLiteHashDatabase(path: path, readOnly: true)
                let sink = try OutputSink(path: out)
                guard let exporter = HashSetExporters.named(format) else {
                    // Known videos: one `# video NAME` block each, re-importable with `--format vpdq --category X`.
                    var counts = ExportCounts()
                    for video in try store.knownVideos(category: category) {
                        sink.write(VPDQFormat.block(name: video.name, frames: video.frames))
                        counts.written += video.frames.count + 1
                    }
                    try sink.close()
                    return counts
                }
                let counts = try exporter.export(store, category: category, write: sink.write)
                try sink.close()
                return counts
            }
            Console.err("exported \(counts.written) lines" + (counts.skipped > 0 ? "; \(counts.skipped) entries \(counts.skippedBecause)\n" : "\n"))
        }
    }

    struct Learn: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a case's examiner decisions to the hash database (source \"examiner, case NAME\").")

        @OptionGroup var caseOption: CaseOption
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print the result as JSON.") var json = false

        func run() throws {
            let (record, videos) = try Console.setup { () throws -> (entries: ImportRecord, videos: ImportRecord?) in
                let store = try CaseStore(directory: caseOption.directory, create: false)
                let hashDatabase = try SQLiteHashDatabase(path: database.path ?? SQLiteHashDatabase.defaultPath())
                return try DecisionLearner.learn(from: store, into: hashDatabase)
            }
            if let videos, !json {
                Console.out("\(SafeText.display(videos.source)): \(videos.counts.read) decided videos read, \(videos.counts.added) added as known videos, \(videos.counts.alreadyPresent) already present\n")
            }
            let counts = record.counts
            if json {
                struct VideosJSON: Encodable { var read: Int; var added: Int; var alreadyPresent: Int }
                struct LearnJSON: Encodable {
                    var source: String; var decisions: Int; var added: Int; var alreadyPresent: Int; var conflicts: Int
                    var videos: VideosJSON?
                }
                Console.out(Console.json(LearnJSON(source: record.source, decisions: counts.read, added: counts.added,
                                                   alreadyPresent: counts.alreadyPresent, conflicts: record.conflicts.count,
                                                   videos: videos.map { VideosJSON(read: $0.counts.read, added: $0.counts.added,
                                                                                   alreadyPresent: $0.counts.alreadyPresent) })))
            } else {
                Console.out("\(SafeText.display(record.source)): \(counts.read) decisions read, \(counts.added) added, \(counts.alreadyPresent) already present, \(record.conflicts.count) conflicting\n")
            }
        }
    }

    struct Map: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map a hash set's numeric category code to a category (or remove the mapping).",
            discussion: "Example: `triage hashdb map 4 N` maps VICS code 4 to N in profile uk. `none` removes a mapping.")

        @Argument(help: "The code as hash sets write it, e.g. 1.") var code: String
        @Argument(help: "A, B, C, N (or the profile's label: Project VIC 0–3), or none.") var category: String
        @Option(help: "The profile: \(CategoryProfile.names.joined(separator: ", ")).") var profile = CategoryProfile.defaultName
        @OptionGroup var database: DatabaseOption

        var resolved: Category? { parseCategory(category, in: CategoryProfile.named(profile)!) }

        func validate() throws {
            try validateProfile(profile)
            if category.lowercased() != "none" && resolved == nil {
                throw ValidationError("category must be A, B, C, N (or a label of profile \(profile)) or none, not \(category)")
            }
            if Category(letter: code) != nil {
                throw ValidationError("the letters A, B, C and N always stand for themselves; map numeric codes only")
            }
        }

        func run() throws {
            let path = database.path ?? SQLiteHashDatabase.defaultPath()
            try Console.setup {
                try SQLiteHashDatabase(path: path).setCategoryCode(code, to: resolved, profile: profile)
            }
            let label = resolved.map { "\($0.rawValue) (\(CategoryProfile.named(profile)!.longLabel($0)))" } ?? "unmapped"
            Console.out("profile \(profile): code \(code) → \(label)\n")
        }
    }
}
