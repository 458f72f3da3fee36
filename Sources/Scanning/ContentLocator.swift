import Foundation
import TriageCore

// PLACEHOLDER until the locator branch is merged: plain files only.
public struct ContentLocator {
    public init() {}
    public func contents(of path: ForensicPath, source: String, sha256: [UInt8]?, limit: Int) throws -> [UInt8] {
        let full = path.depth == 0 && !path.components[0].isEmpty ? source + "/" + String(decoding: path.components[0], as: UTF8.self) : source
        guard let data = FileManager.default.contents(atPath: full) else { throw NSError(domain: "locator", code: 1) }
        return Array(data)
    }
}
