import ArgumentParser
import CaseStore
import Foundation
import HashDatabase
import Identification
import Reporting
import Scanning
import TriageCore

func reportBuilder(_ store: CaseStore) -> ReportBuilder {
    ReportBuilder(store: store, toolVersion: Triage.version, libmagicVersion: ContentIdentifier.libraryVersion)
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Progress, counts, pending and errors of a case.")

    @OptionGroup var caseOption: CaseOption
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (report, scans, exposure) = try Console.setup { () throws -> (CaseReport, [ScanRecord], [Exposure]) in
            let store = try CaseStore(directory: caseOption.directory, create: false)
            return (try reportBuilder(store).build(), try store.scans(), try store.exposure())
        }
        struct ScanJSON: Encodable { var id: Int64; var exhibit: String; var started: String; var finished: String?; var items: Int }
        struct ExposureJSON: Encodable { var examiner: String; var reveals: Int; var seconds: Double }
        struct StatusJSON: Encodable {
            var `case`: String; var exhibits: [ExhibitSummary]; var totals: ExhibitSummary; var scans: [ScanJSON]
            var unfinishedScans: Int; var exposure: [ExposureJSON]
        }
        let unfinished = scans.unfinished.count
        if json {
            Console.out(Console.json(StatusJSON(case: report.case.name, exhibits: report.exhibits, totals: report.totals,
                                                scans: scans.map { ScanJSON(id: $0.id, exhibit: $0.exhibit, started: $0.started, finished: $0.finished, items: $0.itemsRecorded) },
                                                unfinishedScans: unfinished,
                                                exposure: exposure.map { ExposureJSON(examiner: $0.examiner, reveals: $0.reveals, seconds: $0.seconds) })))
            return
        }
        var out = "case \(SafeText.display(report.case.name)): \(report.exhibits.count) exhibit(s), \(scans.count) scan run(s)"
        out += unfinished > 0 ? ", \(unfinished) unfinished (re-run the scan to finish)\n" : "\n"
        for summary in report.exhibits + [report.totals] {
            let indecent = Category.indecent.map { category -> String in
                let counts = summary.counts[category.rawValue]!
                return "\(category.rawValue) \(counts.still.instances + counts.moving.instances)"
            }.joined(separator: ", ")
            out += "  \(summary.exhibit == "TOTAL" ? "total" : SafeText.display(summary.exhibit)): \(summary.files) files, \(summary.images) images, \(summary.videos) videos; \(indecent), N \(summary.counts["N"]!.still.instances + summary.counts["N"]!.moving.instances); pending \(summary.pending.instances) (\(summary.pending.unique) unique); errors \(summary.errors); basis: exact \(summary.basis.exact), perceptual \(summary.basis.perceptual), examiner \(summary.basis.examiner)\(summary.basis.knownGood > 0 ? ", known-good \(summary.basis.knownGood)" : "")\n"
        }
        // The exposure ledger: what each examiner was shown unblurred in the review screen.
        for entry in exposure {
            out += "  exposure: \(SafeText.display(entry.examiner)) revealed \(entry.reveals) item(s) for \(String(format: "%.1f", entry.seconds)) s in all\n"
        }
        Console.out(out)
    }
}

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The pending items, grouped by content (SHA-256).")

    @OptionGroup var caseOption: CaseOption
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let groups = try Console.setup { try CaseStore(directory: caseOption.directory, create: false).pendingGroups() }
        struct GroupJSON: Encodable {
            var sha256: String; var instances: Int; var paths: [String]; var items: [Int64]; var kind: String; var mime: String?
            var size: Int64; var conflict: [String]?; var pdq: String?; var pdqQuality: Int?

            enum CodingKeys: String, CodingKey {
                case sha256, instances, paths, items, kind, mime, size, conflict, pdq
                case pdqQuality = "pdq_quality"
            }
        }
        // A database conflict names each side; a perceptual one also its distance and variant.
        func describe(_ match: KnownMatch) -> String {
            var text = "\(SafeText.display(match.source)):\(match.category.rawValue)"
            if let near = match.perceptual {
                text += " (pdq distance \(near.distance)" + (near.variant == .original ? ")" : " as \(near.variant.rawValue))")
            }
            return text
        }
        let values = groups.map { group in
            GroupJSON(sha256: Hex.encode(group.sha256), instances: group.instances.count,
                      paths: group.instances.map { "\(SafeText.display($0.exhibit)): \($0.result.path.display)" }, items: group.instances.map(\.id),
                      kind: group.kind.rawValue, mime: group.mime, size: group.size,
                      conflict: group.conflictingMatches.isEmpty ? nil : Set(Resolution.deciding(group.conflictingMatches).map(describe)).sorted(),
                      pdq: group.instances.first?.result.pdq?.hash.hex, pdqQuality: group.instances.first?.result.pdq?.quality)
        }
        if json {
            Console.out(Console.json(values))
            return
        }
        var out = "\(groups.count) pending (\(groups.reduce(0) { $0 + $1.instances.count }) instances)\n"
        for value in values {
            out += "\(value.sha256)  \(value.kind) \(value.mime ?? ""), \(value.size) bytes, \(value.instances) instance(s)"
            if let conflict = value.conflict { out += "; database conflict: \(conflict.joined(separator: ", "))" }
            if let pdq = value.pdq { out += "\n    pdq \(pdq) quality \(value.pdqQuality ?? 0)" }
            out += "\n"
            for (id, path) in zip(value.items, value.paths) { out += "    item \(id)  \(path)\n" }
        }
        Console.out(out)
    }
}

struct Categorise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record an examiner's category for an item's content (every instance of it).")

    @OptionGroup var caseOption: CaseOption
    @Option(help: "An item id (from `triage queue`).") var item: Int64?
    @Option(help: "The content's SHA-256.") var sha256: String?
    @Argument(help: "A, B, C or N (not indecent); in a Project VIC (us) case 1, 2, 3 or 0.") var category: String
    @Option(help: "A note kept with the decision.") var note: String?
    @Option(help: "Who decides (default $TRIAGE_EXAMINER).") var examiner: String?
    @Option(help: "For a video: the decision is about this part only, START-END (0:12-0:45, 1:02:03-1:05:00 or seconds); the video takes its most severe segment's category.")
    var segment: String?

    func validate() throws {
        if (item == nil) == (sha256 == nil) { throw ValidationError("give exactly one of --item ID or --sha256 HEX") }
        if let segment, VideoSegment(parsing: segment) == nil {
            throw ValidationError("--segment must be START-END with START before END, as 0:12-0:45, 1:02:03-1:05:00 or 12-45.5")
        }
        if let sha256, Hex.decode(sha256)?.count != 32 { throw ValidationError("--sha256 must be 64 hex digits") }
        if examinerName(examiner) == nil {
            throw ValidationError("every decision names its examiner: give --examiner NAME or set $TRIAGE_EXAMINER")
        }
    }

    func run() throws {
        let name = examinerName(examiner)!
        let outcome = try Console.setup { () throws -> DecisionOutcome in
            let store = try CaseStore(directory: caseOption.directory, create: false)
            let profile = try store.profile()
            guard let category = parseCategory(category, in: profile) else {
                throw SetupError("\(category) is not a category of this case's profile (\(profile.name)): use \(Category.allCases.map { profile.label($0) }.joined(separator: ", "))")
            }
            let part = segment.flatMap(VideoSegment.init(parsing:))
            if let item { return try store.categorise(itemID: item, as: category, examiner: name, note: note, segment: part) }
            return try store.categorise(sha256: Hex.decode(sha256!)!, as: category, examiner: name, note: note, segment: part)
        }
        let decision = outcome.decision
        var change = "\(decision.previous?.rawValue ?? "pending") → \(decision.category.rawValue)"
        if let segment = decision.segment {
            // The video takes its most severe segment's category, which may not be this one.
            change = "segment \(segment.description) is \(decision.category.rawValue); the video \(decision.previous?.rawValue ?? "pending") → \(outcome.category.rawValue)"
        }
        Console.out("\(Hex.encode(decision.sha256)): \(change) (\(outcome.instances) instance(s)), by \(SafeText.display(name)), audit entry \(decision.auditSequence)\n")
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the audit chain and the case store's integrity.")

    @OptionGroup var caseOption: CaseOption
    @Option(help: "Also check this report file against its manifest (FILE.manifest.json) and the case.") var report: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        if let reportPath = report { return try verifyReport(reportPath) }
        let report = try Console.setup { try CaseStore(directory: caseOption.directory, create: false).verify() }
        if json {
            struct VerifyJSON: Encodable { var intact: Bool; var auditEntries: Int; var decisions: Int; var head: String?; var problems: [String] }
            Console.out(Console.json(VerifyJSON(intact: report.isIntact, auditEntries: report.auditEntries, decisions: report.decisions,
                                                head: report.head, problems: report.problems)))
        } else if report.isIntact {
            Console.out("intact: \(report.auditEntries) audit entries, \(report.decisions) decisions, chain head \(report.head ?? "none")\n")
        } else {
            Console.out("NOT INTACT:\n" + report.problems.map { "  \($0)\n" }.joined())
        }
        if !report.isIntact { throw ExitCode(1) }
    }

    private func verifyReport(_ path: String) throws {
        let result = try Console.setup {
            try ReportManifest.verify(reportPath: path, store: try CaseStore(directory: caseOption.directory, create: false))
        }
        if json {
            struct ReportJSON: Encodable { var intact: Bool; var laterAuditEntries: Int; var manifest: ReportManifest?; var problems: [String] }
            Console.out(Console.json(ReportJSON(intact: result.problems.isEmpty, laterAuditEntries: result.laterEntries,
                                                manifest: result.manifest, problems: result.problems)))
        } else if result.problems.isEmpty, let manifest = result.manifest {
            var text = "intact: \(SafeText.display(path)) is the report recorded by audit entry \(manifest.auditHead.sequence) (SHA-256 \(manifest.report.sha256))\n"
            if result.laterEntries > 0 {
                text += "note: the case has \(result.laterEntries) audit entries after it (later scans or decisions): a report made now would differ\n"
            }
            Console.out(text)
        } else {
            Console.out("NOT INTACT:\n" + result.problems.map { "  \($0)\n" }.joined())
        }
        if !result.problems.isEmpty { throw ExitCode(1) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The evidential summary of a case.")

    @OptionGroup var caseOption: CaseOption
    @Option(help: "text, json, csv or html (a self-contained court summary that prints on A4).") var format = "text"
    @Option(help: "Write to this file instead of stdout.") var out: String?

    func validate() throws {
        guard ReportFormats.named(format) != nil else {
            throw ValidationError("unknown --format \(format); use one of: \(ReportFormats.all.map { $0.name }.joined(separator: ", "))")
        }
    }

    func run() throws {
        try Console.setup {
            let store = try CaseStore(directory: caseOption.directory, create: false)
            let report = try reportBuilder(store).build()
            let sink = try OutputSink(path: out)
            var digest = SHA256Stream()
            try ReportFormats.named(format)!.render(report, store: store) { text in
                digest.update(text)
                sink.write(text)
            }
            try sink.close()
            // The report is recorded in the audit chain; a report file gets its manifest beside it.
            try ReportManifest.record(reportPath: out, format: format, sha256: digest.hex, store: store,
                                      actor: examinerName(nil) ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown",
                                      tool: "triage \(Triage.version)")
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the examiner's decisions for sharing back (VICS 2.0 JSON, categories through the profile's codes; or the decided videos' vPDQ).")

    @OptionGroup var caseOption: CaseOption
    @Option(help: "vics (VICS 2.0 JSON) or vpdq (the decided videos' sampled frames: `# video PATH`, then `frame,quality,hash,timestamp` lines).")
    var format = "vics"
    @Option(help: "vpdq: only videos decided as this category (a vPDQ list carries no category; import it with --category).")
    var category: String?
    @Option(help: "Write to this file instead of stdout.") var out: String?
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        guard format == "vics" || format == "vpdq" else { throw ValidationError("unknown --format \(format); use vics or vpdq") }
        if category != nil && format != "vpdq" { throw ValidationError("--category is for --format vpdq") }
    }

    func run() throws {
        let count = try Console.setup { () throws -> Int in
            let store = try CaseStore(directory: caseOption.directory, create: false)
            if format == "vpdq" {
                let profile = try store.profile()
                var only: Category?
                if let category {
                    guard let parsed = parseCategory(category, in: profile) else {
                        throw SetupError("\(category) is not a category of this case's profile (\(profile.name))")
                    }
                    only = parsed
                }
                let sink = try OutputSink(path: out)
                let videos = try DecisionLearner.decidedVideos(store, category: only)
                for video in videos {
                    sink.write(VPDQFormat.block(name: video.name, frames: video.frames))
                }
                try sink.close()
                return videos.count
            }
            // The codes come from the hash database's table for the case's profile (changed with
            // `hashdb map`), else the profile's defaults.
            let profile = try store.profile()
            let path = database.path ?? SQLiteHashDatabase.defaultPath()
            let map = FileManager.default.fileExists(atPath: path)
                ? try SQLiteHashDatabase(path: path, readOnly: true).categoryMap(profile: profile.name)
                : CategoryMap(profile: profile.name, codes: profile.vicsCodes)
            var codes: [Category: String] = [:]
            for category in Category.allCases { codes[category] = map.code(for: category) }
            let sink = try OutputSink(path: out)
            let count = try VICSExport.render(store, codes: codes, write: sink.write)
            try sink.close()
            return count
        }
        Console.err("triage: exported \(count) decided item(s)\n")
    }
}
