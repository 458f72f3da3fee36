import CaseStore
import Foundation
import TriageCore

/// When the screen offers the examiner a break (Docs/review.md).
public struct BreakPolicy: Sendable, Equatable {
    /// Offer a break after this many decisions since the last one (0: never).
    public var items: Int
    /// …or after this many minutes since the last one (0: never).
    public var minutes: Double

    public init(items: Int = 100, minutes: Double = 30) {
        self.items = items
        self.minutes = minutes
    }
}

/// The review screen's state, changed only by keys: a pure state machine over the queue and
/// the case store, which it writes through before it moves on (so a decision is committed
/// before the next item is drawn). The terminal layer draws it and feeds it keys.
public final class ReviewSession {
    /// What covers the picture.
    public enum Overlay: Sendable, Equatable {
        case none, details, help
        /// A break is offered: any key goes on, `q` leaves.
        case breakOffer
    }

    /// Something the terminal layer must do for the session.
    public enum Effect: Sendable, Equatable {
        /// Open the item in the examiner's own viewer.
        case open(itemID: Int64)
    }

    public private(set) var items: [ReviewItem]
    public private(set) var position = 0
    /// The item is shown unblurred.
    public private(set) var isRevealed = false
    public private(set) var isGrey: Bool
    public private(set) var overlay = Overlay.none
    /// One line about what the last key did.
    public private(set) var message: String?
    public private(set) var hasQuit = false
    /// Decisions taken in this session.
    public private(set) var decisionsTaken = 0

    public let examiner: String
    /// How categories are named and typed.
    public let profile: CategoryProfile
    private let store: CaseStore
    private let greyByDefault: Bool
    private let breaks: BreakPolicy
    private let clock: () -> Double
    private var revealedSince: Double?
    private var decisionsSinceBreak = 0
    private var breakTakenAt: Double

    /// - Parameters:
    ///   - colour: show items in colour (still blurred) rather than grey until `g`.
    ///   - clock: seconds, monotonic (injected so tests control reveal durations and breaks).
    public init(items: [ReviewItem], store: CaseStore, examiner: String, profile: CategoryProfile = .uk, colour: Bool = false,
                breaks: BreakPolicy = BreakPolicy(), clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.items = items
        self.profile = profile
        self.store = store
        self.examiner = examiner
        greyByDefault = !colour
        isGrey = !colour
        self.breaks = breaks
        self.clock = clock
        breakTakenAt = clock()
        if items.isEmpty { message = "Nothing is pending: every image and video in the case has a category." }
    }

    /// The current video's storyboard, once the screen has loaded it (`showStoryboard`).
    public private(set) var storyboard: Storyboard?
    /// The selected storyboard tile, and the tiles marked as a segment's start and end.
    public private(set) var tile = 0
    public private(set) var segmentStartTile: Int?
    public private(set) var segmentEndTile: Int?

    public var current: ReviewItem? { items.indices.contains(position) ? items[position] : nil }

    /// The screen loaded the current video's storyboard: its tiles can be selected and marked.
    /// Set once per visit of an item (leaving it clears the storyboard and its marks).
    public func showStoryboard(_ storyboard: Storyboard?) {
        if self.storyboard == nil { self.storyboard = storyboard }
    }

    /// The segment the marks make, when both are set (start tile's time to the end tile's end).
    public var markedSegment: VideoSegment? {
        guard let storyboard, let start = segmentStartTile, let end = segmentEndTile, start <= end else { return nil }
        return VideoSegment(start: storyboard.times[start], end: storyboard.end(ofTile: end))
    }
    public var pendingCount: Int { items.count { $0.status == .pending } }

    /// Handles one key. Throws only when the case store fails; the state is then unchanged
    /// apart from the message, so nothing is shown as saved that was not.
    @discardableResult
    public func handle(_ key: ReviewKey) throws -> Effect? {
        if overlay == .breakOffer {
            overlay = .none
            breakTakenAt = clock()
            decisionsSinceBreak = 0
            if key != .quit { message = "Welcome back."; return nil }
        }
        switch key {
        case .categorise(let category): try categorise(as: category)
        case .skip:
            guard current != nil else { return nil }
            leaveItem()
            message = "Skipped: still pending."
            moveToNextPending()
        case .undo: try undo()
        case .reveal:
            guard let item = current else { return nil }
            if isRevealed { try concealAndLedger(item) } else { isRevealed = true; revealedSince = clock() }
        case .toggleGrey: isGrey.toggle()
        case .previous, .next:
            let target = position + (key == .next ? 1 : -1)
            guard items.indices.contains(target) else { return nil }
            try leaveItemRecordingReveal()
            position = target
            message = nil
        case .split: split()
        case .details: overlay = overlay == .details ? .none : .details
        case .help: overlay = overlay == .help ? .none : .help
        case .open:
            guard let item = current else { return nil }
            return .open(itemID: item.first.id)
        case .quit:
            try leaveItemRecordingReveal()
            hasQuit = true
        case .redraw: break
        case .tilePrevious, .tileNext:
            guard let storyboard else { message = "No storyboard: tiles and segments are for videos that can be read."; return nil }
            tile = max(0, min(storyboard.times.count - 1, tile + (key == .tileNext ? 1 : -1)))
        case .segmentStart, .segmentEnd:
            guard storyboard != nil else { message = "No storyboard: tiles and segments are for videos that can be read."; return nil }
            if key == .segmentStart { segmentStartTile = tile } else { segmentEndTile = tile }
            if let segment = markedSegment {
                message = "Segment \(segment.description) marked: a category key decides it alone (e clears the marks)."
            } else if let start = segmentStartTile, let end = segmentEndTile, start > end {
                message = "The segment's end is before its start: mark them again."
            }
        case .segmentClear:
            segmentStartTile = nil
            segmentEndTile = nil
            message = "Segment marks cleared: a category key decides the whole video."
        }
        return nil
    }

    // MARK: Keys

    private func categorise(as category: Category) throws {
        guard let item = current else { return }
        if let segment = markedSegment { return try categorise(segment, as: category, item: item) }
        try leaveItemRecordingReveal()
        let outcomes: [DecisionOutcome]
        do {
            outcomes = try store.categorise(contents: item.sha256s, as: category, examiner: examiner, note: nil)
        } catch {
            message = "NOT SAVED: \(error)"
            throw error
        }
        items[position].status = .decided(category)
        decisionsTaken += 1
        decisionsSinceBreak += 1
        let instances = outcomes.reduce(0) { $0 + $1.instances }
        let contents = outcomes.count == 1 ? "" : " of \(outcomes.count) contents"
        message = "Saved \(profile.label(category)): \(instances) instance\(instances == 1 ? "" : "s")\(contents)."
        moveToNextPending()
        if breakIsDue { overlay = .breakOffer }
    }

    /// A decision about one segment of the current video: the video stays on screen (more
    /// segments may follow), and takes its most severe segment's category.
    private func categorise(_ segment: VideoSegment, as category: Category, item: ReviewItem) throws {
        do {
            let now = try store.categorise(contents: item.sha256s, as: category, examiner: examiner, note: nil, segment: segment)
                .map(\.category).max() ?? category
            items[position].status = .decided(now)
            message = "Saved \(profile.label(category)) for \(segment.description); the video is \(profile.label(now)) (its most severe segment)."
        } catch {
            message = "NOT SAVED: \(error)"
            throw error
        }
        decisionsTaken += 1
        decisionsSinceBreak += 1
        segmentStartTile = nil
        segmentEndTile = nil
    }

    private func undo() throws {
        try leaveItemRecordingReveal()
        guard let outcome = try store.undoLastDecision(examiner: examiner) else {
            message = "Nothing to undo: \(examiner) has no decision in force in this case."
            return
        }
        let withdrawn = outcome.decisions.map(\.sha256)
        let status: ReviewItem.Status = outcome.decisions[0].previous.map { .decided($0) } ?? .pending
        if let index = items.firstIndex(where: { Set($0.sha256s) == Set(withdrawn) }) {
            items[index].status = status
            position = index
        } else {
            // Decided before this session (or the group was split since): shown again here.
            let contents = try withdrawn.compactMap { try store.pendingGroup(sha256: $0) }
            if !contents.isEmpty {
                items.removeAll { !Set($0.sha256s).isDisjoint(with: contents.map(\.sha256)) && $0.status != .pending }
                position = min(position, items.count)
                items.insert(ReviewItem(contents: contents), at: position)
            }
        }
        decisionsSinceBreak = max(0, decisionsSinceBreak - 1)
        let was = profile.label(outcome.decisions[0].category)
        switch status {
        case .pending: message = "Undone: \(was) withdrawn, the item is pending again."
        case .decided(let earlier): message = "Undone: \(was) withdrawn; the earlier category \(profile.label(earlier)) is in force again."
        }
    }

    private func split() {
        guard let item = current else { return }
        guard item.contents.count > 1 else {
            message = "Nothing to split: this item is one content."
            return
        }
        let parts = item.contents.map { content in
            var part = ReviewItem(contents: [content], suggestion: item.suggestion)
            part.status = item.status
            return part
        }
        items.replaceSubrange(position...position, with: parts)
        message = "Split into \(parts.count) items, one per content."
    }

    // MARK: Moving on

    /// The next pending item after this one, else the first pending before it; if none is
    /// left the position stays and the screen says the queue is done.
    private func moveToNextPending() {
        let order = Array(items.indices[(position + 1)...]) + Array(items.indices[..<min(position + 1, items.count)])
        if let next = order.first(where: { items[$0].status == .pending }) {
            position = next
        } else {
            message = (message.map { $0 + " " } ?? "") + "Every item in the queue is decided: u undoes, ← → revisit, q leaves."
        }
    }

    private var breakIsDue: Bool {
        (breaks.items > 0 && decisionsSinceBreak >= breaks.items)
            || (breaks.minutes > 0 && clock() - breakTakenAt >= breaks.minutes * 60)
    }

    /// Leaving an item blurs it again (and grey, if grey is the default).
    private func leaveItem() {
        storyboard = nil
        tile = 0
        segmentStartTile = nil
        segmentEndTile = nil
        isRevealed = false
        revealedSince = nil
        isGrey = greyByDefault
        overlay = overlay == .breakOffer ? .breakOffer : .none
    }

    private func leaveItemRecordingReveal() throws {
        if isRevealed, let item = current { try concealAndLedger(item) }
        leaveItem()
    }

    private func concealAndLedger(_ item: ReviewItem) throws {
        let seconds = revealedSince.map { clock() - $0 } ?? 0
        isRevealed = false
        revealedSince = nil
        try store.recordReveal(sha256: item.sha256s[0], seconds: seconds, examiner: examiner)
    }

    /// Shows a line from the terminal layer (a viewer that failed, say).
    public func note(_ text: String) { message = text }

    /// How long the current item has been revealed (for the status line).
    public var revealedSeconds: Double? { revealedSince.map { clock() - $0 } }

    /// The break offer's words.
    public var breakText: String {
        let minutes = Int((clock() - breakTakenAt) / 60)
        return "You have categorised \(decisionsSinceBreak) item\(decisionsSinceBreak == 1 ? "" : "s") in \(minutes) minute\(minutes == 1 ? "" : "s"). Time for a break? Press any key to go on, q to leave."
    }
}
