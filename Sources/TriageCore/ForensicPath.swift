/// Where an item is: its path from the evidence root, then the path inside each container it
/// came out of, written `DCIM/backup.zip!/2019/b.tar.gz!/x.jpg`.
///
/// Names are bytes, not strings: a seized file system may hold names that are not UTF-8, and
/// the exact bytes must survive to the database and back. Rendering for people goes through
/// `SafeText`, which escapes what cannot be shown.
public struct ForensicPath: Hashable, Sendable, Comparable {
    /// The separator between a container and a path inside it.
    public static let containerSeparator: [UInt8] = Array("!/".utf8)

    /// The path from the evidence root, then one member path per container level.
    public private(set) var components: [[UInt8]]

    public init(relativePath: [UInt8]) {
        components = [relativePath]
    }

    public init(components: [[UInt8]]) {
        precondition(!components.isEmpty, "a forensic path has at least the path from the root")
        self.components = components
    }

    /// Parses the stored form (components joined by `!/`, embedded streams after `!`).
    public init(storedBytes: [UInt8]) {
        var parts: [[UInt8]] = [[]]
        var index = 0
        let sep = ForensicPath.containerSeparator
        while index < storedBytes.count {
            if index + 1 < storedBytes.count, storedBytes[index] == sep[0], storedBytes[index + 1] == sep[1] {
                parts.append([])
                index += 2
            } else {
                parts[parts.count - 1].append(storedBytes[index])
                index += 1
            }
        }
        // `photo.jpg!exif-thumbnail` is two components: the photo, then its embedded stream.
        components = parts.flatMap { part -> [[UInt8]] in
            for name in Self.embeddedNames where part.count > name.count + 1 && part.suffix(name.count + 1) == [UInt8(ascii: "!")] + name {
                return [Array(part.dropLast(name.count + 1)), [0] + name]
            }
            return [part]
        }
    }

    /// A path for a member found inside this item (used by container expansion).
    public func appending(member: [UInt8]) -> ForensicPath {
        ForensicPath(components: components + [member])
    }

    /// Streams embedded in an item that are not members of a container: written after a bare
    /// `!`, as `photo.jpg!exif-thumbnail`.
    public static let embeddedNames: [[UInt8]] = [Array("exif-thumbnail".utf8)]

    /// The path of a stream embedded in this item (one of `embeddedNames`). Held as a component
    /// that starts with a NUL byte, which no file or member name contains, so that a member
    /// named `!exif-thumbnail` stays a member.
    public func appending(embedded name: [UInt8]) -> ForensicPath {
        ForensicPath(components: components + [[0] + name])
    }

    /// True for a stream embedded in its parent (an EXIF thumbnail), not a container member.
    public var isEmbedded: Bool { components.count > 1 && components[components.count - 1].first == 0 }

    /// How many containers deep the item is: 0 for a plain file.
    public var depth: Int { components.count - 1 }

    /// The stored form: components joined by `!/`.
    public var bytes: [UInt8] {
        var out = components[0]
        for member in components.dropFirst() {
            if member.first == 0 {
                out += [UInt8(ascii: "!")] + member.dropFirst()
            } else {
                out += ForensicPath.containerSeparator + member
            }
        }
        return out
    }

    /// The last name in the path, as bytes.
    public var fileName: [UInt8] {
        let last = isEmbedded ? Array(components[components.count - 1].dropFirst()) : components[components.count - 1]
        if let slash = last.lastIndex(of: UInt8(ascii: "/")) {
            return Array(last[(slash + 1)...])
        }
        return last
    }

    /// The file name's extension, lower-cased, if it has one (`"JPG"` → `"jpg"`).
    public var fileExtension: String? {
        let name = fileName
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex, dot < name.endIndex - 1 else {
            return nil
        }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    /// Safe to print anywhere: see `SafeText`.
    public var display: String { SafeText.display(bytes) }

    public static func < (lhs: ForensicPath, rhs: ForensicPath) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
