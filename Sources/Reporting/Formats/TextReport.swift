import CaseStore
import Foundation
import TriageCore

/// The report for a person at a terminal: readable at a glance, every name escaped.
public enum TextReport: ReportFormat {
    public static let name = "text"

    public static func render(_ report: CaseReport, store: CaseStore, write: (String) -> Void) throws {
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        if report.scanRunning {
            line("INTERIM: a scan is still running; this report is a consistent snapshot of what it had recorded at \(report.generated), and its numbers will change.")
        } else if report.unfinishedScans > 0 {
            line("NOT FINAL: \(report.unfinishedScans) scan run(s) stopped before the end; run the same `triage scan` command again to finish.")
        }
        let pending = report.totals.pending
        if pending.instances > 0 {
            line("NOT FINAL: \(pending.instances) image(s) (\(pending.unique) unique) are pending an examiner's decision.")
        }
        line("triage evidential summary — case \(SafeText.display(report.case.name))")
        line("Generated \(report.generated) by \(report.tool.name) \(report.tool.version) (libmagic \(report.tool.libmagic)); profile \(report.case.profile)")
        line("Examiner(s): \(report.case.examiners.map(SafeText.display).joined(separator: ", "))")
        let profile = report.case.categoryProfile
        line("Categories (profile \(profile.name), \(profile.title)): "
             + Category.allCases.map { "\(profile.label($0)) \(profile.entry($0).description)" }.joined(separator: "; ")
             + "; \(profile.uncategorised)")
        let sources = report.hashdb.sources.isEmpty ? "no sources" : report.hashdb.sources.map(SafeText.display).joined(separator: ", ")
        line("Hash database: \(report.hashdb.entries) entries from \(sources); fingerprint \(report.hashdb.fingerprint)")
        if let codes = report.settings["category_codes"] {
            line("Category codes of hash sets (\(SafeText.display(codes))); letters A, B, C, N stand for themselves")
        }
        line()
        let sections = report.exhibits.map { (summary: $0, title: "Exhibit \(SafeText.display($0.exhibit))  (source: \($0.sources.map(SafeText.display).joined(separator: ", ")))") }
            + [(summary: report.totals, title: "All exhibits")]
        for (summary, title) in sections {
            line(title)
            line("  files \(summary.files), still images \(summary.images), moving images \(summary.videos), errors \(summary.errors), name/content mismatches \(summary.extensionMismatches)")
            let visual = summary.pending.visuallyUnique != nil
            line("  \(profile.countedAs.prefix(1).uppercased() + profile.countedAs.dropFirst()) (instances / unique by SHA-256\(visual ? " / visually unique by PDQ" : "")):")
            line("    category          still                moving")
            func cell(_ pair: CountPair) -> String {
                "\(pair.instances) / \(pair.unique)" + (pair.visuallyUnique.map { " / \($0)" } ?? "")
            }
            for category in Category.allCases {
                let counts = summary.counts[category.rawValue]!
                let label = profile.longLabel(category)
                line("    " + pad(label, 18) + pad(cell(counts.still), 21) + cell(counts.moving))
            }
            if let kinds = summary.pendingByKind {
                line("    " + pad("pending", 18) + pad(cell(kinds.still), 21) + cell(kinds.moving))
            } else {
                line("    " + pad("pending", 18) + cell(summary.pending))
            }
            line("  Basis of categories: database exact match \(summary.basis.exact), perceptual match \(summary.basis.perceptual), examiner \(summary.basis.examiner)"
                 + (summary.basis.knownGood > 0 ? ", known-good set (N, not reviewed) \(summary.basis.knownGood)" : ""))
            if summary.reconciliation.contains(where: { $0.instances > $0.unique }) {
                line("  Reconciliation (instances = unique + further copies, by where the copies lie):")
                line("    category          unique  other folders  in archives/documents  thumbnails  cache folders  instances")
                for row in summary.reconciliation {
                    let label = Category(rawValue: row.category).map(profile.longLabel) ?? row.category
                    line("    " + pad(label, 18) + pad("\(row.unique)", 8) + pad("\(row.otherFolders)", 15) + pad("\(row.insideContainers)", 23)
                         + pad("\(row.embeddedThumbnails)", 12) + pad("\(row.cacheFolders)", 15) + "\(row.instances)")
                }
            }
            if summary.conflicts > 0 { line("  Database conflicts (left pending): \(summary.conflicts)") }
            line()
        }
        if !report.perceptualMatches.isEmpty {
            let threshold = report.settings["pdq_threshold"] ?? "?"
            line("Counted on a perceptual (PDQ) match (\(report.perceptualMatches.count)): distance in bits of 256, threshold \(threshold)")
            for match in report.perceptualMatches {
                let variant = match.variant == Dihedral.original.rawValue ? "" : ", as \(match.variant)"
                line("  \(SafeText.display(match.exhibit)): \(match.path) — \(match.category), distance \(match.distance)\(variant), quality \(match.pdqQuality), near \(match.knownPDQ) in \(match.knownSource)")
                if let video = match.knownVideo { line("    known video \(video)") }
                if let times = match.frameTimes { line("    video frames that matched (\(times.count)): \(VideoTimes.summary(times))") }
            }
            line()
        }
        if !report.videoSegments.isEmpty {
            line("Videos decided by segment (\(report.videoSegments.count)): each counts once, in its most severe decision in force")
            for video in report.videoSegments {
                line("  \(SafeText.display(video.exhibit)): \(video.path) — \(video.category) (\(video.decisions.joined(separator: "; ")))")
            }
            line()
        }
        if !report.thumbnailMismatches.isEmpty {
            line("EXIF thumbnails unlike their photo (\(report.thumbnailMismatches.count)): each is counted as an image of its own")
            for item in report.thumbnailMismatches { line("  \(SafeText.display(item.exhibit)): \(item.path) — \(item.reason ?? "")") }
            line()
        }
        if !report.pendingItems.isEmpty {
            line("Pending review (\(report.pendingItems.count) unique):")
            for group in report.pendingItems {
                line("  \(group.sha256)  \(group.kind), \(group.instances) instance(s)")
                for path in group.paths { line("      \(path)") }
            }
            line()
        }
        if !report.errors.isEmpty {
            line("Errors (\(report.errors.count)): not examined, listed so nothing is lost")
            for item in report.errors { line("  \(SafeText.display(item.exhibit)): \(item.path) — \(item.disposition): \(item.reason ?? "")") }
            line()
        }
        if !report.limits.isEmpty {
            line("Limited decoding, matching or expansion (\(report.limits.count)): exact digests checked; the rest as stated")
            for item in report.limits { line("  \(SafeText.display(item.exhibit)): \(item.path) — \(item.disposition): \(item.reason ?? "")") }
            line()
        }
        if !report.notExamined.isEmpty {
            line("Recorded without examination (\(report.notExamined.count)):")
            for item in report.notExamined { line("  \(SafeText.display(item.exhibit)): \(item.path) — \(item.disposition): \(item.reason ?? "")") }
            line()
        }
        line("Method")
        for paragraph in MethodStatement.paragraphs(settings: report.settings) { line("  " + paragraph) }
        write(out)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
