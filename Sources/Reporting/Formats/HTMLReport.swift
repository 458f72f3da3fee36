import CaseStore
import TriageCore

/// The court summary as one self-contained HTML file: no scripts, no external resources, no
/// image of any item; laid out to print on A4. The counts come first, then how they were
/// reached, then the appendices (every item listed by name). Every name and message is
/// escaped twice over: `SafeText.display` for control characters and bytes that are not
/// UTF-8, then HTML escaping.
public enum HTMLReport: ReportFormat {
    public static let name = "html"

    public static func render(_ report: CaseReport, store: CaseStore, write: (String) -> Void) throws {
        var out = ""
        func h(_ text: String) -> String { SafeText.html(SafeText.display(text)) }
        func row(_ cells: [String], header: Bool = false) {
            let tag = header ? "th" : "td"
            out += "<tr>" + cells.map { "<\(tag)>\($0)</\(tag)>" }.joined() + "</tr>\n"
        }

        out += """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>triage evidential summary — \(h(report.case.name))</title>
            <style>
            @page { size: A4; margin: 15mm; }
            body { font: 10pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #000; max-width: 180mm; margin: 0 auto; }
            h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; } h3 { font-size: 10.5pt; margin: 10pt 0 3pt; }
            table { border-collapse: collapse; margin: 4pt 0; page-break-inside: auto; } tr { page-break-inside: avoid; }
            th, td { border: 0.5pt solid #555; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
            .path { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
            .warning { border: 1.5pt solid #000; padding: 4pt 6pt; font-weight: bold; margin: 0 0 8pt; }
            .appendix { page-break-before: always; }
            </style></head><body>

            """
        if report.scanRunning {
            out += "<p class=\"warning\">INTERIM: a scan is still running; this report is a consistent snapshot of what it had recorded at \(h(report.generated)), and its numbers will change.</p>\n"
        } else if report.unfinishedScans > 0 {
            out += "<p class=\"warning\">NOT FINAL: \(report.unfinishedScans) scan run(s) stopped before the end; run the same <code>triage scan</code> command again to finish.</p>\n"
        }
        if report.totals.pending.instances > 0 {
            out += "<p class=\"warning\">NOT FINAL: \(report.totals.pending.instances) image(s) (\(report.totals.pending.unique) unique) are pending an examiner's decision.</p>\n"
        }
        out += "<h1>Evidential summary — case \(h(report.case.name))</h1>\n<table>\n"
        row(["Generated (UTC)", h(report.generated)])
        row(["Tool", "\(h(report.tool.name)) \(h(report.tool.version)); libmagic \(h(report.tool.libmagic))"])
        let profile = report.case.categoryProfile
        row(["Category profile", "\(h(profile.name)): \(h(profile.title)). "
             + Category.allCases.map { "\(h(profile.label($0))) \(h(profile.entry($0).description))" }.joined(separator: "; ")
             + "; \(h(profile.uncategorised))"])
        row(["Examiner(s)", report.case.examiners.map(h).joined(separator: ", ")])
        row(["Hash database", "\(report.hashdb.entries) entries from \(report.hashdb.sources.isEmpty ? "no sources" : report.hashdb.sources.map(h).joined(separator: ", "))"])
        row(["Hash database fingerprint", "<span class=\"path\">\(h(report.hashdb.fingerprint))</span>"])
        if let codes = report.settings["category_codes"] {
            row(["Category codes of hash sets", "\(h(codes)); letters A, B, C, N stand for themselves"])
        }
        out += "</table>\n"

        let sections = report.exhibits.map { (summary: $0, title: "Exhibit \(h($0.exhibit))", isExhibit: true) }
            + [(summary: report.totals, title: "All exhibits", isExhibit: false)]
        for (summary, title, isExhibit) in sections {
            out += "<h2>\(title)</h2>\n"
            if isExhibit {
                out += "<p>Source: \(summary.sources.map { "<span class=\"path\">\(h($0))</span>" }.joined(separator: ", "))</p>\n"
            }
            out += "<p>Files \(summary.files), still images \(summary.images), moving images \(summary.videos), errors \(summary.errors), name/content mismatches \(summary.extensionMismatches).</p>\n"
            out += "<h3>\(h(profile.countedAs.prefix(1).uppercased() + profile.countedAs.dropFirst()))</h3>\n<table>\n"
            let visual = summary.pending.visuallyUnique != nil
            func cells(_ pair: CountPair) -> [String] {
                ["\(pair.instances)", "\(pair.unique)"] + (visual ? ["\(pair.visuallyUnique ?? 0)"] : [])
            }
            row(["Category", "Still: instances", "Still: unique (SHA-256)"] + (visual ? ["Still: visually unique (PDQ)"] : [])
                + ["Moving: instances", "Moving: unique (SHA-256)"] + (visual ? ["Moving: visually unique (PDQ)"] : []), header: true)
            for category in Category.allCases {
                let counts = summary.counts[category.rawValue]!
                row([h(profile.longLabel(category))] + cells(counts.still) + cells(counts.moving))
            }
            if let kinds = summary.pendingByKind {
                row(["Pending"] + cells(kinds.still) + cells(kinds.moving))
            } else {
                row(["Pending"] + cells(summary.pending) + Array(repeating: "", count: visual ? 3 : 2))
            }
            out += "</table>\n"
            if visual {
                out += "<p>Visually unique: unique items whose PDQ hashes lie within \(h(report.settings["pdq_threshold"] ?? "?")) bits of each other (linked in chains) count once; an item without a usable PDQ counts on its own.</p>\n"
            }
            out += "<p>Basis of categories: database exact match \(summary.basis.exact), perceptual match \(summary.basis.perceptual), examiner decision \(summary.basis.examiner)"
            out += summary.basis.knownGood > 0 ? ", known-good set (N, not reviewed) \(summary.basis.knownGood)." : "."
            if summary.conflicts > 0 { out += " Database conflicts (left pending): \(summary.conflicts)." }
            out += "</p>\n"
            if summary.reconciliation.contains(where: { $0.instances > $0.unique }) {
                out += "<h3>Reconciliation: instances = unique items + further copies</h3>\n<table>\n"
                row(["Category", "Unique", "Other folders", "In archives or documents", "Embedded thumbnails", "Cache folders", "Instances"], header: true)
                for line in summary.reconciliation {
                    let label = Category(rawValue: line.category).map { h(profile.longLabel($0)) } ?? (line.category == "pending" ? "Pending" : line.category)
                    row([label, "\(line.unique)", "\(line.otherFolders)",
                         "\(line.insideContainers)", "\(line.embeddedThumbnails)", "\(line.cacheFolders)", "\(line.instances)"])
                }
                out += "</table>\n"
            }
        }

        out += "<h2>Method</h2>\n"
        for paragraph in MethodStatement.paragraphs(settings: report.settings) { out += "<p>\(h(paragraph))</p>\n" }

        func items(_ title: String, _ list: [ReportedItem]) {
            guard !list.isEmpty else { return }
            out += "<h3>\(title) (\(list.count))</h3>\n<table>\n"
            row(["Exhibit", "Path", "Disposition", "Reason"], header: true)
            for item in list {
                row([h(item.exhibit), "<span class=\"path\">\(h(item.path))</span>", h(item.disposition), h(item.reason ?? "")])
            }
            out += "</table>\n"
        }
        out += "<h2 class=\"appendix\">Appendix: items listed by name</h2>\n"
        if !report.perceptualMatches.isEmpty {
            out += "<h3>Counted on a perceptual (PDQ) match (\(report.perceptualMatches.count)); threshold \(h(report.settings["pdq_threshold"] ?? "?")) bits of 256</h3>\n<table>\n"
            row(["Exhibit", "Path", "Category", "Distance", "Known hash source"], header: true)
            for match in report.perceptualMatches {
                let variant = match.variant == Dihedral.original.rawValue ? "" : " (as \(h(match.variant)))"
                let frames = (match.knownVideo.map { "<br>known video \(h($0))" } ?? "")
                    + (match.frameTimes.map { "<br>video frames that matched (\($0.count)): \(h(VideoTimes.summary($0)))" } ?? "")
                row([h(match.exhibit), "<span class=\"path\">\(h(match.path))</span>\(frames)", h(match.category), "\(match.distance)\(variant)", h(match.knownSource)])
            }
            out += "</table>\n"
        }
        if !report.videoSegments.isEmpty {
            out += "<h3>Videos decided by segment (\(report.videoSegments.count)): each counts once, in its most severe decision in force</h3>\n<table>\n"
            row(["Exhibit", "Path", "Category", "Decisions in force"], header: true)
            for video in report.videoSegments {
                row([h(video.exhibit), "<span class=\"path\">\(h(video.path))</span>", h(video.category), h(video.decisions.joined(separator: "; "))])
            }
            out += "</table>\n"
        }
        items("EXIF thumbnails unlike their photo", report.thumbnailMismatches)
        if !report.pendingItems.isEmpty {
            out += "<h3>Pending review (\(report.pendingItems.count) unique)</h3>\n<table>\n"
            row(["SHA-256", "Kind", "Instances", "Paths"], header: true)
            for group in report.pendingItems {
                row(["<span class=\"path\">\(h(group.sha256))</span>", h(group.kind), "\(group.instances)",
                     group.paths.map { "<span class=\"path\">\(h($0))</span>" }.joined(separator: "<br>")])
            }
            out += "</table>\n"
        }
        items("Errors: not examined, listed so nothing is lost", report.errors)
        items("Limited decoding, matching or expansion", report.limits)
        items("Recorded without examination", report.notExamined)
        out += "<h3>Settings of the scans</h3>\n<table>\n"
        for key in report.settings.keys.sorted() { row([h(key), h(report.settings[key]!)]) }
        out += "</table>\n</body></html>\n"
        write(out)
    }
}
