import TriageCore

/// What identification decided about one file's content.
public struct Identification: Sendable, Hashable {
    public var mime: String
    public var kind: MediaKind
    public var extensionMismatch: Bool
}

extension ContentIdentifier {
    /// Identifies `head` (the first bytes of the file at `path`) and compares with its name.
    public func identify(head: UnsafeRawBufferPointer, path: ForensicPath) throws(IdentificationError) -> Identification {
        let mime = try mimeType(of: head)
        return Identification(mime: mime, kind: MediaTypes.kind(forMIME: mime),
                              extensionMismatch: MediaTypes.extensionMismatch(mime: mime, fileExtension: path.fileExtension))
    }
}

extension ContentIdentifier {
    /// Bytes needed for the signatures that lie beyond libmagic's head: an ISO 9660 image has
    /// 32 KiB of system area first, then its volume descriptor ("CD001" at byte 32769).
    public static let deepHeadLength = 32_774

    /// The MIME type of a signature beyond the head, for content libmagic called
    /// `application/octet-stream`; `bytes` are the file's first bytes (up to `deepHeadLength`).
    public static func deepSignature(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= deepHeadLength, Array(bytes[32_769..<32_774]) == Array("CD001".utf8) else { return nil }
        return "application/x-iso9660-image"
    }
}
