import CaseStore
import Crypto
import Foundation
import TriageCore

/// What makes a report file verifiable later: written beside it as `FILE.manifest.json`, it
/// holds the report's SHA-256, the case store's content digest and the audit entry that
/// recorded the report (`triage verify --case DIR --report FILE` checks all three).
public struct ReportManifest: Codable, Sendable, Equatable {
    public struct Report: Codable, Sendable, Equatable {
        /// The report's file name (without its folder).
        public var file: String
        public var format: String
        public var sha256: String
    }

    public struct AuditHead: Codable, Sendable, Equatable {
        /// The audit entry `report` that recorded this report: the chain's head when it was made.
        public var sequence: Int64
        public var hash: String
    }

    public var tool: String
    public var generated: String
    public var report: Report
    /// `CaseStore.contentDigest()` just after the report was recorded.
    public var caseStoreSHA256: String
    public var auditHead: AuditHead

    enum CodingKeys: String, CodingKey {
        case tool, generated, report
        case caseStoreSHA256 = "case_store_sha256"
        case auditHead = "audit_head"
    }

    /// The manifest's path for a report file.
    public static func path(for reportPath: String) -> String { reportPath + ".manifest.json" }

    /// Records the report in the case's audit chain and, for a report written to a file, writes
    /// its manifest (mode 0600, like the report).
    @discardableResult
    public static func record(reportPath: String?, format: String, sha256: String, store: CaseStore, actor: String,
                              tool: String) throws -> ReportManifest {
        let name = reportPath.map { ($0 as NSString).lastPathComponent }
        let entry = try store.recordReport(format: format, file: name, sha256: sha256, actor: actor)
        let manifest = ReportManifest(tool: tool, generated: entry.time, report: Report(file: name ?? "(standard output)", format: format, sha256: sha256),
                                      caseStoreSHA256: try store.contentDigest(), auditHead: AuditHead(sequence: entry.sequence, hash: entry.hash))
        if let reportPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(manifest) + Data("\n".utf8)
            let path = Self.path(for: reportPath)
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ManifestError("cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written == data.count else { throw ManifestError("cannot write \(path) completely") }
        }
        return manifest
    }

    /// What `verify --report` found.
    public struct Verification: Sendable {
        /// Problems that make the report untrustworthy; empty: it is the report the case recorded.
        public var problems: [String]
        /// Audit entries appended after the report (decisions, scans): the case has moved on, and
        /// a new report would differ.
        public var laterEntries: Int
        public var manifest: ReportManifest?
    }

    /// Checks a report file against its manifest and the case: the file's SHA-256, the audit
    /// entry that recorded it, the chain's integrity and, when nothing was appended since, the
    /// case store's content.
    public static func verify(reportPath: String, store: CaseStore) throws -> Verification {
        let manifestPath = path(for: reportPath)
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            return Verification(problems: ["no manifest \(SafeText.display(manifestPath)) beside the report"], laterEntries: 0)
        }
        guard let manifest = try? JSONDecoder().decode(ReportManifest.self, from: data) else {
            return Verification(problems: ["\(SafeText.display(manifestPath)) is not a triage report manifest"], laterEntries: 0)
        }
        var problems: [String] = []
        guard let report = FileManager.default.contents(atPath: reportPath) else {
            return Verification(problems: ["cannot read \(SafeText.display(reportPath))"], laterEntries: 0, manifest: manifest)
        }
        let sha256 = Hex.encode(SHA256.hash(data: report))
        if sha256 != manifest.report.sha256 {
            problems.append("the report's SHA-256 is \(sha256), its manifest says \(manifest.report.sha256): the report was changed")
        }
        let chain = try store.verify()
        problems += chain.problems.map { "case: " + $0 }
        let entries = try store.auditEntries()
        if let entry = entries.first(where: { $0.sequence == manifest.auditHead.sequence }) {
            let detail = (try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8))) as? [String: Any]
            if entry.hash != manifest.auditHead.hash || entry.action != "report" || detail?["sha256"] as? String != manifest.report.sha256 {
                problems.append("audit entry \(entry.sequence) is not the one that recorded this report")
            }
        } else {
            problems.append("the case has no audit entry \(manifest.auditHead.sequence): this report was not made from this case")
        }
        let later = entries.filter { $0.sequence > manifest.auditHead.sequence }.count
        if later == 0, problems.isEmpty, try store.contentDigest() != manifest.caseStoreSHA256 {
            problems.append("the case store's content differs from when the report was made, with no audit entry since: it was edited")
        }
        return Verification(problems: problems, laterEntries: later, manifest: manifest)
    }
}

public struct ManifestError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// SHA-256 of text written piece by piece (a report as it is rendered).
public struct SHA256Stream {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ text: String) { hasher.update(data: Data(text.utf8)) }

    public var hex: String { Hex.encode(hasher.finalize()) }
}
