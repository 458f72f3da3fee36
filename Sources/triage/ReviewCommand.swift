import ArgumentParser
import CaseStore
import Foundation
import Imaging
import Review
import Scanning
import TriageCore

extension DisplayMode: ExpressibleByArgument {}
extension ReviewOrder: ExpressibleByArgument {}

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Categorise the pending images and videos in a keyboard-driven terminal screen.",
        discussion: """
            Items are shown blurred and grey; space reveals one (reveals are counted in the audit log). \
            Keys: a b c category, n not indecent, s skip, u undo, space reveal, g grey, ← → move, x split a group, \
            d details, o open in $TRIAGE_VIEWER, ? help, q quit. Every decision is saved before the next item is shown; \
            reopening resumes at the first pending item. A second screen on the same case waits until the first closes.
            """)

    @OptionGroup var caseOption: CaseOption
    @Option(help: "Who decides (default $TRIAGE_EXAMINER).") var examiner: String?
    @Option(help: "How pictures are drawn: \(DisplayMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: detected).")
    var display: DisplayMode?
    @Option(help: "Queue order: \(ReviewOrder.allCases.map(\.rawValue).joined(separator: ", ")).") var order: ReviewOrder = .instances
    @Option(help: "Scores for --order score: a file of `sha256,score` lines.") var scores: String?
    @Flag(help: "Show items in colour (still blurred until revealed); g toggles.") var colour = false
    @Option(help: "Blur strength, 1 (slight) to 10 (strong).") var blur = 6
    @Option(help: "Offer a break after this many decisions (0: never).") var breakAfterItems = 100
    @Option(help: "Offer a break after this many minutes (0: never).") var breakAfterMinutes = 30.0
    @Option(help: "Group near-duplicates within this PDQ distance (default: the scans' match threshold).") var nearThreshold: Int?

    func validate() throws {
        if examinerName(examiner) == nil {
            throw ValidationError("every decision names its examiner: give --examiner NAME or set $TRIAGE_EXAMINER")
        }
        guard (1...10).contains(blur) else { throw ValidationError("--blur must be 1 to 10") }
        guard breakAfterItems >= 0, breakAfterMinutes >= 0 else { throw ValidationError("break settings cannot be negative") }
        if let nearThreshold, !(0...256).contains(nearThreshold) { throw ValidationError("--near-threshold must be 0 to 256") }
        if (order == .score) != (scores != nil) { throw ValidationError("--order score and --scores FILE go together") }
    }

    func run() throws {
        let name = examinerName(examiner)!
        let (store, lock, items, caseName, expansion, profile, maxPixels) = try Console.setup {
            () throws -> (CaseStore, ReviewLock, [ReviewItem], String, ExpansionOptions, CategoryProfile, Int) in
            let store = try CaseStore(directory: caseOption.directory, create: false)
            let lock = try ReviewLock(caseDirectory: caseOption.directory, examiner: name) { holder in
                Console.err("triage: another review screen has this case open (\(SafeText.display(holder))); waiting for it to close…\n")
            }
            let settings = try store.scans().map(\.settings)
            let threshold = nearThreshold ?? settings.compactMap { $0["pdq_threshold"].flatMap(Int.init) }.min() ?? 31
            let floor = settings.compactMap { $0["pdq_quality_floor"].flatMap(Int.init) }.max() ?? 50
            let items = try ReviewQueue.load(from: store, order: order, scores: try scores.map(ReviewQueue.scores(fromFile:)) ?? [:],
                                             threshold: threshold, qualityFloor: floor,
                                             suggestionRadius: threshold * 2)
            // Members are read back as the latest scan opened containers; nothing is decoded that a
            // scan refused for its size.
            let maxPixels = settings.compactMap { $0["decode_max_pixels"].flatMap(Int.init) }.min() ?? DecodeOptions.defaultMaxPixels
            return (store, lock, items, try store.info().name, ExpansionOptions(recorded: settings.last ?? [:]), try store.profile(), maxPixels)
        }
        let session = ReviewSession(items: items, store: store, examiner: name, profile: profile, colour: colour,
                                    breaks: BreakPolicy(items: breakAfterItems, minutes: breakAfterMinutes))
        let screen = ReviewTerminal(session: session, caseName: caseName,
                                    options: ReviewDisplayOptions(display: display, blurStrength: blur,
                                                                  viewer: ProcessInfo.processInfo.environment["TRIAGE_VIEWER"],
                                                                  expansion: expansion, maxPixels: maxPixels))
        try Console.setup { try screen.run() }
        withExtendedLifetime(lock) {}
        Console.out("\(session.decisionsTaken) decision(s) saved by \(SafeText.display(name)); \(session.pendingCount) item(s) still pending.\n")
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Withdraw the examiner's latest decision in force (a group's decision as a whole).")

    @OptionGroup var caseOption: CaseOption
    @Option(help: "Whose decision (default $TRIAGE_EXAMINER).") var examiner: String?

    func validate() throws {
        if examinerName(examiner) == nil { throw ValidationError("give --examiner NAME or set $TRIAGE_EXAMINER") }
    }

    func run() throws {
        let name = examinerName(examiner)!
        let outcome = try Console.setup { try CaseStore(directory: caseOption.directory, create: false).undoLastDecision(examiner: name) }
        guard let outcome else {
            Console.out("nothing to undo: \(SafeText.display(name)) has no decision in force\n")
            return
        }
        for decision in outcome.decisions {
            Console.out("\(Hex.encode(decision.sha256)): \(decision.category.rawValue) withdrawn → \(decision.previous?.rawValue ?? "pending"), audit entry \(outcome.auditSequence)\n")
        }
    }
}
