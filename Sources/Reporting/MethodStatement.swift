/// What the tool did, in words, generated from the settings the scans recorded, so that the
/// statement cannot drift from what actually ran.
public enum MethodStatement {
    public static func paragraphs(settings: [String: String]) -> [String] {
        var out = [
            "Every file was identified by its content (libmagic \(settings["libmagic"] ?? "?")), not by its name. Images and videos were hashed with MD5, SHA-1 and SHA-256 and looked up in the hash database by all three; an exact match gives the database's category, and disagreeing categories leave the item for the examiner.",
        ]
        if let threshold = settings["pdq_threshold"] {
            out.append("Still images were decoded with \(settings["decoders"] ?? "?"), in \(settings["perceptual"] ?? "?"), and given Meta's PDQ perceptual hash (256 bits, \(settings["pdq"] ?? "library semantics")). An image with no exact match takes the category of the nearest database entry within \(threshold) bits when both hashes have quality of at least \(settings["pdq_quality_floor"] ?? "?"); equally near entries of different categories leave it for the examiner.\(settings["pdq_dihedral"] == "true" ? " The 8 rotations and mirrors of each image were matched too." : "")")
            out.append("PDQ survives re-encoding, resizing, recolouring and small overlays; it does not survive cropping (a crop of 2–4 % usually moves it 30–90 bits), and mirrored or rotated copies match only when the rotations and mirrors are matched (--dihedral). Such copies count as new images until an examiner categorises them.")
        } else {
            out.append("Perceptual hashing was off: only exact copies of known images were recognised.")
        }
        return out
    }
}
