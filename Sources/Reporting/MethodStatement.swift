/// What the tool did, in words, generated from the settings the scans recorded, so that the
/// statement cannot drift from what actually ran.
public enum MethodStatement {
    public static func paragraphs(settings: [String: String]) -> [String] {
        var out = [
            "Every file was identified by its content (libmagic \(settings["libmagic"] ?? "?")), not by its name. Images and videos were hashed with MD5, SHA-1 and SHA-256 and looked up in the hash database by all three; an exact match gives the database's category, and disagreeing categories leave the item for the examiner.",
        ]
        if let knownGood = settings["known_good_entries"] {
            out.append("The hash database also held \(knownGood) digests from known-good sets (such as the NIST NSRL: files of published software). An image or video whose exact digest is only in such a set counts as not indecent, on the basis \"known-good\", and was not reviewed; one that is also in a set of indecent images is left for the examiner as a conflict. Known-good sets are never used for perceptual matches.")
        }
        if let threshold = settings["pdq_threshold"] {
            out.append("Still images were decoded with \(settings["decoders"] ?? "?"), in \(settings["perceptual"] ?? "?"), and given Meta's PDQ perceptual hash (256 bits, \(settings["pdq"] ?? "library semantics")). An image with no exact match takes the category of the nearest database entry within \(threshold) bits when both hashes have quality of at least \(settings["pdq_quality_floor"] ?? "?"); equally near entries of different categories leave it for the examiner.\(settings["pdq_dihedral"] == "true" ? " The 8 rotations and mirrors of each image were matched too." : "")")
            if let rate = settings["video_frames_per_second"] {
                let scene = settings["video_scene_threshold"].flatMap(Double.init).map { $0 > 0 } ?? false
                    ? ", and at every scene change (a mean luma difference of at least \(settings["video_scene_threshold"]!) of 255 between two decoded frames)" : ""
                out.append("Videos were read with \(settings["video_decoder"] ?? "FFmpeg"): \(rate) frame(s) per second of video were sampled\(scene), at most \(settings["video_max_frames"] ?? "?") per video (a longer video is sampled more sparsely), and each sampled frame was given a PDQ hash and matched in the same way, so that a video containing a known image is found. A video counts once, as a moving image, in the most severe category its frames matched; the times of the matching frames are listed. Frames are never counted as still images.")
            }
            if let videos = settings["known_videos"] {
                out.append("The frames were also matched against \(videos) known video(s) from vPDQ hash sets (ThreatExchange's video PDQ): a known video matches when at least \(settings["known_video_share"] ?? "80") % of its frames of usable quality are within the threshold of a frame of the video examined; both shares are reported.")
            }
            out.append("PDQ survives re-encoding, resizing, recolouring and small overlays; it does not survive cropping (a crop of 2–4 % usually moves it 30–90 bits), and mirrored or rotated copies match only when the rotations and mirrors are matched (--dihedral). Such copies count as new images until an examiner categorises them.")
        } else {
            out.append("Perceptual hashing was off: only exact copies of known images were recognised.")
        }
        if let depth = settings["expand_max_depth"] {
            out.append("Archives (zip, tar, gzip, bzip2, xz, zstd, 7z, RAR, ISO 9660, cpio), Office and OpenDocument files and PDFs were opened, also by content, and every file inside them examined in the same way, to a depth of \(depth) nested containers, without extracting anything to disk (\(settings["containers"] ?? "libarchive, qpdf")). JPEG thumbnails stored in EXIF data were examined as images of their own. Each image inside a container counts as an instance in the exhibit of the file that holds it, and its path shows the chain of containers (`archive.zip!/folder/image.jpg`). Expansion stopped at \(bytes(settings["expand_max_bytes"])) per file, at \(settings["expand_max_ratio"] ?? "?"):1 expansion of a container (compression bombs) and at \(settings["expand_max_entries"] ?? "?") members per container; encrypted contents were recorded, not decrypted. Every container that a limit, damage or encryption stopped is listed with its reason.")
        } else if settings["expand"] == "off" {
            out.append("Archives and documents were not opened: images inside them were not examined.")
        }
        if let limit = settings["stall_limit"], limit != "none" {
            out.append("A file on which a decoding, video or archive library made no progress for \(limit) s was given up, so that one hostile file could not stop the scan; such files are listed as errors (stalled), and their digests were looked up as usual when they had been computed.")
        }
        return out
    }

    /// "32 GiB" for a whole number of GiB or MiB, else the byte count.
    static func bytes(_ setting: String?) -> String {
        guard let setting, let count = Int64(setting) else { return "? bytes" }
        if count >= 1 << 30, count % (1 << 30) == 0 { return "\(count >> 30) GiB" }
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        return "\(count) bytes"
    }
}
