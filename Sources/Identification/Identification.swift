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
