import Foundation
import TriageCore

/// MD5/SHA-1/SHA-256 via the system tools, independent of the code under test.
public enum HashTestDigests {
    public static func of(_ bytes: [UInt8]) -> Digests {
        let temp = TemporaryDirectory()
        let path = temp.url("f")
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        func run(_ tool: String) -> [UInt8] { Hex.decode(String(shell("\(tool) '\(path)'").output.prefix { $0 != " " }))! }
        return Digests(md5: run("md5sum"), sha1: run("sha1sum"), sha256: run("sha256sum"))
    }
}
