import ArgumentParser
import Foundation
import HashDatabase
import Scanning
import TriageCore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What triage sees in single files: MIME type, kind, digests, disposition, matches.")

    @Argument(help: "Files to inspect.") var files: [String]
    @Option(name: .customLong("db"), help: "Also look the files up in this hash database (default: the default database, if it exists).")
    var database: String?
    @Flag(help: "Print as JSON.") var json = false

    struct Entry: Encodable {
        var path: String
        var mime: String?
        var kind: String
        var size: Int64
        var md5: String?
        var sha1: String?
        var sha256: String?
        var disposition: String
        var reason: String?
        var extensionMismatch: Bool
        var matches: [String]

        enum CodingKeys: String, CodingKey {
            case path, mime, kind, size, md5, sha1, sha256, disposition, reason, matches
            case extensionMismatch = "extension_mismatch"
        }
    }

    func run() throws {
        let inspector = try Console.setup { () throws -> Inspector in
            let path = database ?? SQLiteHashDatabase.defaultPath()
            let lookup = database != nil || FileManager.default.fileExists(atPath: path)
                ? try SQLiteHashDatabase(path: path, readOnly: true) : nil
            return try Inspector(hashDatabase: lookup)
        }
        var entries: [Entry] = []
        var failed = false
        for file in files {
            let (result, matches) = try Console.setup { try inspector.inspect(file) }
            if result.disposition.isError || result.disposition == .notRegularFile { failed = true }
            entries.append(Entry(path: SafeText.display(file), mime: result.mime, kind: result.kind.rawValue, size: result.size,
                                 md5: result.digests.map { Hex.encode($0.md5) }, sha1: result.digests.map { Hex.encode($0.sha1) },
                                 sha256: result.digests.map { Hex.encode($0.sha256) }, disposition: result.disposition.rawValue,
                                 reason: result.reason, extensionMismatch: result.extensionMismatch,
                                 matches: matches.map { "\($0.category.rawValue) (\($0.hashType.rawValue) in \(SafeText.display($0.source)))" }))
        }
        if json {
            Console.out(Console.json(entries))
        } else {
            for entry in entries {
                var out = "\(entry.path)\n  kind \(entry.kind), \(entry.mime ?? "no type"), \(entry.size) bytes, \(entry.disposition)"
                if let reason = entry.reason { out += " (\(reason))" }
                if entry.extensionMismatch { out += "\n  the name's extension disagrees with the content" }
                if let md5 = entry.md5 { out += "\n  md5 \(md5)\n  sha1 \(entry.sha1!)\n  sha256 \(entry.sha256!)" }
                if !entry.matches.isEmpty { out += "\n  known: \(entry.matches.joined(separator: "; "))" }
                Console.out(out + "\n")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
