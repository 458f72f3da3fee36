import CaseStore
import TriageCore

/// Builds a `CaseReport` from the case store: the counting rules of DESIGN.md in one place.
///
/// An instance is one recorded image or video file; unique items are distinct SHA-256 values.
/// A content's category comes from `Resolution` (examiner decision, else agreeing database
/// matches, else pending). A video is one moving image in its resolved category.
public struct ReportBuilder {
    public var store: CaseStore
    public var toolVersion: String
    public var libmagicVersion: String

    public init(store: CaseStore, toolVersion: String, libmagicVersion: String) {
        self.store = store
        self.toolVersion = toolVersion
        self.libmagicVersion = libmagicVersion
    }

    /// Accumulates one summary; unique sets are kept until the end.
    private struct Tally {
        var summary: ExhibitSummary
        var uniques: [String: Set<[UInt8]>] = [:]  // "A/still" → SHA-256 set
        var pendingUnique = Set<[UInt8]>()
        var sources = Set<String>()
        /// Every counted instance's path, by category ("pending" too) and content.
        var instances: [String: [[UInt8]: [ForensicPath]]] = [:]
        /// PDQ hashes of usable quality, by "A/still" (or "pending/still") and SHA-256.
        var pdqs: [String: [[UInt8]: PDQHash]] = [:]
        /// The PDQ match threshold and quality floor of the scans; nil: perceptual hashing off.
        var perceptual: (threshold: Int, floor: Int)?

        init(_ name: String) {
            summary = ExhibitSummary(exhibit: name, sources: [], files: 0, images: 0, videos: 0, errors: 0,
                                     counts: Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0.rawValue, KindCounts()) }),
                                     pending: CountPair(), pendingByKind: KindCounts(), basis: BasisCounts(), extensionMismatches: 0, conflicts: 0)
        }

        mutating func add(_ item: StoredItem, _ resolution: Resolution?) {
            let result = item.result
            sources.insert(item.source)
            switch result.disposition {
            case .symlink, .notRegularFile, .directoryLoop: break
            default: summary.files += 1
            }
            if result.disposition.isError { summary.errors += 1 }
            if result.extensionMismatch { summary.extensionMismatches += 1 }
            if result.kind == .still { summary.images += 1 }
            if result.kind == .moving { summary.videos += 1 }
            guard let resolution, let sha256 = result.digests?.sha256 else { return }
            if resolution.conflict && resolution.isPending { summary.conflicts += 1 }
            instances[resolution.category?.rawValue ?? "pending", default: [:]][sha256, default: []].append(result.path)
            if let pdq = result.pdq, let perceptual, pdq.quality >= perceptual.floor {
                pdqs["\(resolution.category?.rawValue ?? "pending")/\(result.kind.rawValue)", default: [:]][sha256] = pdq.hash
            }
            guard let category = resolution.category, let basis = resolution.basis else {
                summary.pending.instances += 1
                pendingUnique.insert(sha256)
                if result.kind == .moving { summary.pendingByKind!.moving.instances += 1 } else { summary.pendingByKind!.still.instances += 1 }
                uniques["pending/\(result.kind.rawValue)", default: []].insert(sha256)
                return
            }
            let key = category.rawValue
            if result.kind == .moving { summary.counts[key]!.moving.instances += 1 } else { summary.counts[key]!.still.instances += 1 }
            uniques["\(key)/\(result.kind.rawValue)", default: []].insert(sha256)
            switch basis {
            case .exact: summary.basis.exact += 1
            case .perceptual: summary.basis.perceptual += 1
            case .examiner: summary.basis.examiner += 1
            case .knownGood: summary.basis.knownGood += 1
            }
        }

        func finished() -> ExhibitSummary {
            var out = summary
            for category in Category.allCases {
                out.counts[category.rawValue]!.still.unique = uniques["\(category.rawValue)/still"]?.count ?? 0
                out.counts[category.rawValue]!.moving.unique = uniques["\(category.rawValue)/moving"]?.count ?? 0
            }
            out.pending.unique = pendingUnique.count
            out.pendingByKind!.still.unique = uniques["pending/still"]?.count ?? 0
            out.pendingByKind!.moving.unique = uniques["pending/moving"]?.count ?? 0
            if let perceptual {
                for category in Category.allCases {
                    for kind in [MediaKind.still, .moving] {
                        let key = "\(category.rawValue)/\(kind.rawValue)"
                        let groups = ReportBuilder.visualGroups(uniques[key] ?? [], pdqs[key] ?? [:], threshold: perceptual.threshold)
                        if kind == .still { out.counts[category.rawValue]!.still.visuallyUnique = groups } else {
                            out.counts[category.rawValue]!.moving.visuallyUnique = groups
                        }
                    }
                }
                for kind in [MediaKind.still, .moving] {
                    let key = "pending/\(kind.rawValue)"
                    let groups = ReportBuilder.visualGroups(uniques[key] ?? [], pdqs[key] ?? [:], threshold: perceptual.threshold)
                    if kind == .still { out.pendingByKind!.still.visuallyUnique = groups } else { out.pendingByKind!.moving.visuallyUnique = groups }
                }
                let pendingPDQs = (pdqs["pending/still"] ?? [:]).merging(pdqs["pending/moving"] ?? [:]) { first, _ in first }
                out.pending.visuallyUnique = ReportBuilder.visualGroups(pendingUnique, pendingPDQs, threshold: perceptual.threshold)
            }
            out.sources = sources.sorted()
            out.reconciliation = (Category.allCases.map(\.rawValue) + ["pending"]).compactMap { key in
                instances[key].map { Self.reconcile(key, $0) }
            }
            return out
        }

        /// The first instance of each content (the one least nested, outside caches, first by
        /// path) is its unique item; the others are counted by where they lie.
        static func reconcile(_ category: String, _ contents: [[UInt8]: [ForensicPath]]) -> ReconciliationRow {
            var row = ReconciliationRow(category: category)
            for paths in contents.values {
                let ordered = paths.sorted { a, b in
                    if a.depth != b.depth { return a.depth < b.depth }
                    if isInCache(a) != isInCache(b) { return !isInCache(a) }
                    return a < b
                }
                row.unique += 1
                for path in ordered.dropFirst() {
                    if path.isEmbedded {
                        row.embeddedThumbnails += 1
                    } else if path.depth > 0 {
                        row.insideContainers += 1
                    } else if isInCache(path) {
                        row.cacheFolders += 1
                    } else {
                        row.otherFolders += 1
                    }
                }
                row.instances += paths.count
            }
            return row
        }

        /// A folder of the path (on the evidence) is a cache: its name holds "cache"
        /// (`Cache`, `INetCache`, `thumbcache`, `.cache`) or is a known thumbnail folder.
        static func isInCache(_ path: ForensicPath) -> Bool {
            let folders = path.components[0].split(separator: UInt8(ascii: "/")).dropLast()
            return folders.contains { folder in
                let name = String(decoding: folder, as: UTF8.self).lowercased()
                return name.contains("cache") || [".thumbnails", "thumbnails", "temporary internet files"].contains(name)
            }
        }
    }

    /// The report, from one consistent snapshot of the case (a scan or a review screen may be
    /// writing meanwhile).
    public func build() throws -> CaseReport {
        let scanRunning = store.isScanRunning()
        var report = try store.snapshot { try buildFromSnapshot() }
        report.scanRunning = scanRunning
        return report
    }

    private func buildFromSnapshot() throws -> CaseReport {
        let info = try store.info()
        let scans = try store.scans()
        let decisions = try store.currentDecisions()
        // Visually unique counts use the latest scan's PDQ threshold and floor, when it had them.
        let latestSettings = scans.last?.settings ?? [:]
        let perceptual = Int(latestSettings["pdq_threshold"] ?? "").flatMap { threshold in
            Int(latestSettings["pdq_quality_floor"] ?? "").map { (threshold: threshold, floor: $0) }
        }
        func tally(_ name: String) -> Tally {
            var tally = Tally(name)
            tally.perceptual = perceptual
            return tally
        }
        var tallies: [String: Tally] = [:]
        for exhibit in info.exhibits { tallies[exhibit] = tally(exhibit) }
        var total = tally("TOTAL")
        var errors: [ReportedItem] = []
        var limits: [ReportedItem] = []
        var notExamined: [ReportedItem] = []
        var perceptualMatches: [ReportedPerceptualMatch] = []
        var thumbnailMismatches: [ReportedItem] = []
        var videoSegments: [ReportedVideoSegments] = []
        let threshold = Int(latestSettings["pdq_threshold"] ?? "") ?? 31
        var pending: [[UInt8]: ReportedPending] = [:]
        var pendingOrder: [[UInt8]] = []

        try store.forEachItem { item in
            var resolution: Resolution?
            if item.result.kind.isMedia, let digests = item.result.digests {
                resolution = Resolution.resolve(matches: item.matches, decision: decisions[digests.sha256]?.category)
                if resolution!.isPending {
                    let key = digests.sha256
                    if pending[key] == nil {
                        pendingOrder.append(key)
                        pending[key] = ReportedPending(sha256: Hex.encode(key), kind: item.result.kind.rawValue, instances: 0, paths: [])
                    }
                    pending[key]!.instances += 1
                    pending[key]!.paths.append("\(SafeText.display(item.exhibit)): \(item.result.path.display)")
                }
            }
            if item.result.kind == .moving, let sha256 = item.result.digests?.sha256, let decision = decisions[sha256],
               decision.inForce.contains(where: { $0.segment != nil }) {
                videoSegments.append(ReportedVideoSegments(
                    exhibit: item.exhibit, path: item.result.path.display, category: decision.category.rawValue,
                    decisions: decision.inForce.map { $0.part + ": " + $0.category.rawValue }))
            }
            if resolution?.basis == .perceptual, let found = Self.perceptualMatch(item) {
                perceptualMatches.append(found)
            } else if resolution?.basis == .perceptual, let pdq = item.result.pdq,
               let match = Resolution.deciding(item.matches).first, let near = match.perceptual {
                perceptualMatches.append(ReportedPerceptualMatch(
                    exhibit: item.exhibit, source: SafeText.display(item.source), path: item.result.path.display, category: match.category.rawValue, distance: near.distance,
                    variant: near.variant.rawValue, pdq: pdq.hash.hex, pdqQuality: pdq.quality, knownPDQ: near.knownHash.hex,
                    knownSource: SafeText.display(match.source)))
            }
            tallies[item.exhibit, default: tally(item.exhibit)].add(item, resolution)
            total.add(item, resolution)
            let listed = ReportedItem(exhibit: item.exhibit, source: SafeText.display(item.source), id: item.id, path: item.result.path.display,
                                      disposition: item.result.disposition.rawValue, reason: item.result.reason)
            if let distance = item.result.parentDistance, distance > threshold {
                var finding = listed
                finding.reason = "PDQ \(distance) bits from its photo's (threshold \(threshold)): the photo may have been edited after the thumbnail was made"
                thumbnailMismatches.append(finding)
            }
            if item.result.disposition.isError {
                errors.append(listed)
            } else if item.result.disposition.isLimit {
                limits.append(listed)
            } else if item.result.disposition != .processed {
                notExamined.append(listed)
            }
        }

        let latest = scans.last
        var settings = latest?.settings ?? [:]
        settings["scans"] = String(scans.count)
        if !scans.unfinished.isEmpty { settings["unfinished_scans"] = String(scans.unfinished.count) }
        let fingerprints = Set(scans.compactMap(\.hashDatabaseFingerprint))
        if fingerprints.count > 1 { settings["hashdb_fingerprints"] = fingerprints.sorted().joined(separator: ",") }

        return CaseReport(
            generated: UTCClock.now(),
            tool: .init(name: "triage", version: toolVersion, libmagic: libmagicVersion),
            case: .init(name: info.name, examiner: scans.last?.examiner ?? "", examiners: info.examiners, profile: info.profile,
                        created: info.created,
                        categoryLabels: Dictionary(uniqueKeysWithValues: Category.allCases.map {
                            ($0.rawValue, (CategoryProfile.named(info.profile) ?? .uk).longLabel($0))
                        })),
            hashdb: .init(entries: latest?.hashDatabaseEntries ?? 0, sources: latest?.hashDatabaseSources ?? [],
                          fingerprint: latest?.hashDatabaseFingerprint ?? "", path: latest?.hashDatabasePath ?? ""),
            exhibits: tallies.keys.sorted().map { tallies[$0]!.finished() },
            totals: total.finished(),
            errors: errors, limits: limits, notExamined: notExamined, perceptualMatches: perceptualMatches,
            thumbnailMismatches: thumbnailMismatches, videoSegments: videoSegments,
            pendingItems: pendingOrder.map { pending[$0]! }.sorted { ($1.instances, $0.paths[0]) < ($0.instances, $1.paths[0]) },
            unfinishedScans: scans.unfinished.count,
            settings: settings)
    }
}

extension ReportBuilder {
    /// How many groups the unique items form when two whose PDQ hashes are within the threshold
    /// are joined (single linkage, so chains join). Pairwise: a few seconds at 100,000 items.
    static func visualGroups(_ contents: Set<[UInt8]>, _ pdqs: [[UInt8]: PDQHash], threshold: Int) -> Int {
        let hashed = contents.compactMap { pdqs[$0] }
        var parent = Array(hashed.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        for first in hashed.indices {
            for second in (first + 1)..<hashed.count where hashed[first].distance(to: hashed[second]) <= threshold {
                parent[root(second)] = root(first)
            }
        }
        let groups = Set(hashed.indices.map(root)).count
        return groups + (contents.count - hashed.count)
    }

    /// A video counted on its frames' perceptual matches: the nearest frame of the deciding
    /// category, and the times of every frame that matched that category.
    static func perceptualMatch(_ item: StoredItem) -> ReportedPerceptualMatch? {
        guard item.result.kind == .moving, let frames = item.result.frames else { return nil }
        let deciding = Resolution.deciding(item.matches).filter { $0.frames != nil && $0.perceptual != nil }
        guard let nearest = deciding.min(by: { $0.perceptual!.distance < $1.perceptual!.distance }), let near = nearest.perceptual else { return nil }
        let times = Set(deciding.flatMap { $0.frames ?? [] })
        let frame = frames.filter { (nearest.frames ?? []).contains($0.microseconds) }
            .min { $0.pdq.hash.distance(to: near.knownHash) < $1.pdq.hash.distance(to: near.knownHash) }
        return ReportedPerceptualMatch(
            exhibit: item.exhibit, source: SafeText.display(item.source), path: item.result.path.display, category: nearest.category.rawValue,
            distance: near.distance, variant: near.variant.rawValue, pdq: frame?.pdq.hash.hex ?? "", pdqQuality: frame?.pdq.quality ?? 0,
            knownPDQ: near.knownHash.hex, knownSource: SafeText.display(nearest.source),
            frameTimes: times.sorted().map(VideoFrameHash.clock), knownVideo: nearest.knownVideo?.description)
    }
}
