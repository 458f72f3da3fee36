import TriageCore

/// The table from MIME type (as libmagic names it) to what the count needs: still image, moving
/// image or other, and the extensions a file of that type is expected to have.
///
/// Adding a type is one row here.
public enum MediaTypes {
    struct Row {
        var kind: MediaKind
        var extensions: Set<String>
    }

    static let table: [String: Row] = [
        // Still images.
        "image/jpeg": Row(kind: .still, extensions: ["jpg", "jpeg", "jpe", "jfif", "jif"]),
        "image/png": Row(kind: .still, extensions: ["png", "apng"]),
        "image/gif": Row(kind: .still, extensions: ["gif"]),
        "image/bmp": Row(kind: .still, extensions: ["bmp", "dib"]),
        "image/x-ms-bmp": Row(kind: .still, extensions: ["bmp", "dib"]),
        "image/webp": Row(kind: .still, extensions: ["webp"]),
        "image/tiff": Row(kind: .still, extensions: ["tif", "tiff"]),
        "image/heic": Row(kind: .still, extensions: ["heic", "heif"]),
        "image/heif": Row(kind: .still, extensions: ["heif", "heic"]),
        "image/avif": Row(kind: .still, extensions: ["avif"]),
        "image/jp2": Row(kind: .still, extensions: ["jp2", "j2k", "jpf"]),
        "image/jxl": Row(kind: .still, extensions: ["jxl"]),
        "image/x-icon": Row(kind: .still, extensions: ["ico"]),
        "image/vnd.microsoft.icon": Row(kind: .still, extensions: ["ico"]),
        "image/x-portable-bitmap": Row(kind: .still, extensions: ["pbm"]),
        "image/x-portable-greymap": Row(kind: .still, extensions: ["pgm"]),
        "image/x-portable-pixmap": Row(kind: .still, extensions: ["ppm", "pnm"]),
        "image/x-tga": Row(kind: .still, extensions: ["tga"]),
        "image/x-canon-cr2": Row(kind: .still, extensions: ["cr2"]),
        "image/x-nikon-nef": Row(kind: .still, extensions: ["nef"]),
        "image/x-olympus-orf": Row(kind: .still, extensions: ["orf"]),
        "image/svg+xml": Row(kind: .still, extensions: ["svg"]),
        "image/vnd.adobe.photoshop": Row(kind: .still, extensions: ["psd"]),
        // Moving images.
        "video/mp4": Row(kind: .moving, extensions: ["mp4", "m4v"]),
        "video/quicktime": Row(kind: .moving, extensions: ["mov", "qt"]),
        "video/x-msvideo": Row(kind: .moving, extensions: ["avi"]),
        "video/x-matroska": Row(kind: .moving, extensions: ["mkv"]),
        "video/webm": Row(kind: .moving, extensions: ["webm"]),
        "video/mpeg": Row(kind: .moving, extensions: ["mpg", "mpeg", "mpe", "vob"]),
        "video/MP2T": Row(kind: .moving, extensions: ["ts", "mts", "m2ts"]),
        "video/3gpp": Row(kind: .moving, extensions: ["3gp"]),
        "video/3gpp2": Row(kind: .moving, extensions: ["3g2"]),
        "video/x-ms-asf": Row(kind: .moving, extensions: ["wmv", "asf"]),
        "video/x-flv": Row(kind: .moving, extensions: ["flv"]),
        "video/x-m4v": Row(kind: .moving, extensions: ["m4v", "mp4"]),
        "video/ogg": Row(kind: .moving, extensions: ["ogv", "ogg"]),
    ]

    /// Still, moving or other. Unlisted `image/…` and `video/…` types still count as media, so
    /// that a type missing from the table is never lost.
    public static func kind(forMIME mime: String) -> MediaKind {
        if let row = table[mime] { return row.kind }
        if mime.hasPrefix("image/") { return .still }
        if mime.hasPrefix("video/") { return .moving }
        return .other
    }

    /// Every extension that some image or video type expects.
    static let mediaExtensions: Set<String> = table.values.reduce(into: []) { $0.formUnion($1.extensions) }

    /// True when the name and the content disagree: a media file whose extension is not one of
    /// its type's, or a non-media file named like an image or video. Files with no extension,
    /// and non-media files with non-media extensions, are not flagged.
    public static func extensionMismatch(mime: String, fileExtension: String?) -> Bool {
        let kind = kind(forMIME: mime)
        guard let ext = fileExtension else { return false }
        if kind.isMedia {
            guard let row = table[mime] else { return !mediaExtensions.contains(ext) }
            return !row.extensions.contains(ext)
        }
        return mediaExtensions.contains(ext)
    }
}
