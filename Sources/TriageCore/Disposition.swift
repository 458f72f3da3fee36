/// How the pipeline finished with one item. Every walked entry ends with exactly one.
///
/// Names are stable: they appear in reports, exports and tests (DESIGN.md rule 2, "nothing is
/// lost silently"). A new limit or failure adds a case here.
public enum Disposition: String, Codable, Sendable, CaseIterable {
    /// Read, identified and (for media or with `--hash-all`) hashed.
    case processed
    /// A regular file with no bytes: recorded, nothing to identify.
    case empty
    /// A symbolic link: recorded with its target, never followed.
    case symlink
    /// A FIFO, socket or device: recorded, never opened (a FIFO blocks, a device has no end).
    case notRegularFile = "not-regular-file"
    /// The file or directory could not be opened or read; the reason holds the OS error.
    case unreadable
    /// libmagic failed on the item's bytes (not "unknown type", which is a MIME type).
    case identificationFailed = "identification-failed"
    /// A directory already walked (a bind mount or a loop): recorded, not walked again.
    case directoryLoop = "directory-loop"
    /// An image the decoder read with warnings (a truncated JPEG is filled with grey): hashed,
    /// perceptually hashed and matched, and listed so the examiner knows.
    case damaged
    /// An image whose decoder refused it: exact digests only.
    case undecodable
    /// An image type triage has no decoder for: exact digests only.
    case noDecoder = "no-decoder"
    /// An image whose declared size is over the pixel limit: refused before any allocation.
    case dimensionLimit = "dimension-limit"
    /// An image file larger than the decode buffer limit: exact digests only.
    case sizeLimit = "size-limit"
    /// A decoded image whose PDQ quality is under the floor: hashed and recorded, but not
    /// perceptually matched (such hashes are not trustworthy, says the reference).
    case lowQuality = "low-quality"
    /// A file libmagic calls a video, with no video stream in it (an audio-only mp4): recorded
    /// as `other`, never counted as a moving image.
    case noVideoStream = "no-video-stream"
    /// A video whose reading passed the time limit: the frames sampled before it stand.
    case timeLimit = "time-limit"
    /// A video of unknown duration whose samples reached the frame cap before its end.
    case frameLimit = "frame-limit"
    /// A container (archive, document) or member that could not be read to its end: the
    /// members listed before the damage are recorded; the reason holds the library's message.
    case containerDamaged = "container-damaged"
    /// An encrypted container or member: recorded, never guessed at.
    case encrypted
    /// A container at the depth limit: hashed like any file, not opened.
    case maxDepth = "max-depth"
    /// A container that expanded to more than the ratio limit times its own size (a zip
    /// bomb): expansion stopped; the members found before stay recorded.
    case ratioLimit = "ratio-limit"
    /// A top-level file whose containers expanded past the byte limit: expansion stopped.
    case expansionLimit = "expansion-limit"
    /// A container with more members than the limit: the rest are not listed.
    case entryLimit = "entry-limit"
    /// An item on which a library call made no progress for the stall limit (it never
    /// returned): given up and recorded with what was known before the call (identification and
    /// digests when they came first); another worker took over.
    case stalled

    /// True when the item could not be examined and must be listed as an error in reports.
    public var isError: Bool {
        switch self {
        case .unreadable, .identificationFailed, .containerDamaged, .encrypted, .stalled: true
        default: false
        }
    }

    /// True for an image or video that was hashed exactly but whose decoding or perceptual
    /// matching was limited (damaged, undecodable, no decoder, over a limit, low PDQ quality,
    /// no video stream after all), or a container
    /// whose expansion a limit stopped: reports list these with their reasons, apart from errors.
    public var isLimit: Bool {
        switch self {
        case .damaged, .undecodable, .noDecoder, .dimensionLimit, .sizeLimit, .lowQuality,
             .noVideoStream, .timeLimit, .frameLimit, .maxDepth, .ratioLimit, .expansionLimit, .entryLimit: true
        default: false
        }
    }
}
