import ArgumentParser
import Foundation
import HashDatabase
import Identification
import Imaging
import CaseStore
import Review
import TriageCore

/// Timing helpers for `Benchmarks/` (hidden): the figures in the notes come from these, run
/// on release builds beside the reference tools.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

struct BenchPDQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pdq", abstract: "Time decoding and PDQ hashing of image files (benchmarks).", shouldDisplay: false)

    @Argument(help: "Image files (JPEG, PNG, …).") var files: [String]
    @Option(name: .customLong("repeat"), help: "Runs per file; medians are printed.") var runs = 7
    @Option(help: "exact or fast (JPEG at a reduced scale, short side ≥ 512).") var decode: PerceptualFlags.DecodeMode = .exact
    @Flag(help: "Print one JSON object per file.") var json = false

    func run() throws {
        let hasher = PDQHasher()
        let options = DecodeOptions(jpegMinimumShortSide: decode == .fast ? 512 : nil)
        var results: [[String: String]] = []
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let mime = file.lowercased().hasSuffix(".png") ? "image/png" : "image/jpeg"
            guard let decoder = ImageDecoders.decoder(forMIME: mime) else { continue }
            var image: DecodedImage?
            var decodeTimes: [Double] = []
            var hashTimes: [Double] = []
            var signature = PDQSignature(hash: .zero, quality: 0)
            for _ in 0..<max(1, runs) {
                var recycled = image?.pixels ?? []
                image = nil
                decodeTimes.append(try milliseconds {
                    image = try bytes.withUnsafeBytes { data throws(DecodeError) in
                        try decoder.decode(data, options: options, recycling: &recycled)
                    }
                })
                hashTimes.append(milliseconds { signature = hasher.signature(of: image!) })
            }
            let row = [
                "file": file, "decoder": decoder.name, "size": "\(image!.width)x\(image!.height)", "channels": String(image!.channels),
                "decode_ms": String(format: "%.2f", median(decodeTimes)), "hash_ms": String(format: "%.2f", median(hashTimes)),
                "total_ms": String(format: "%.2f", median(zip(decodeTimes, hashTimes).map { $0 + $1 })),
                "pdq": signature.hash.hex, "quality": String(signature.quality),
            ]
            results.append(row)
            if json {
                Console.out(Console.json(row).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "  ", with: " ") + "\n")
            } else {
                Console.out("\(file): \(row["size"]!) \(decoder.name) decode \(row["decode_ms"]!) ms, hash \(row["hash_ms"]!) ms (medians of \(runs)), quality \(signature.quality), \(signature.hash.hex)\n")
            }
        }
    }
}

/// The floor under a scan's time: the image decoders alone (then with PDQ), on every image
/// of a folder already read and identified, on all cores. Nothing else a scan does (walking,
/// reading, libmagic, digests, lookups, the case database) is timed.
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-decode", abstract: "Time the image decoders alone, then with PDQ, on the images under a folder (benchmarks).",
        shouldDisplay: false)

    @Argument(help: "A folder: every regular file under it that libmagic names a decodable image type.") var folder: String
    @Option(help: "Worker threads (default: one per core).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("repeat"), help: "Rounds of each; the median wall time is printed.") var rounds = 3

    struct Image: Sendable { let mime: String; let bytes: [UInt8] }

    /// CPU time spent per MIME type (decoding) and in PDQ, summed over the workers.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        var decodeSeconds: [String: Double] = [:]
        var pdqSeconds = 0.0
        var failures = 0

        func take() -> Int { lock.withLock { defer { next += 1 }; return next } }
        func add(decode: [String: Double], pdq: Double, failures: Int) {
            lock.withLock {
                decodeSeconds.merge(decode, uniquingKeysWith: +)
                pdqSeconds += pdq
                self.failures += failures
            }
        }
    }

    func run() throws {
        let identifier = try ContentIdentifier()
        var images: [Image] = []
        let root = URL(fileURLWithPath: folder)
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) ?? .init()
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            let bytes = try [UInt8](Data(contentsOf: url))
            // The head a scan gives libmagic (FileExaminer.headLength).
            let mime = try bytes.withUnsafeBytes { raw throws(IdentificationError) in
                try identifier.mimeType(of: UnsafeRawBufferPointer(rebasing: raw.prefix(16 * 1024)))
            }
            if ImageDecoders.decoder(forMIME: mime) != nil { images.append(Image(mime: mime, bytes: bytes)) }
        }
        Console.out("\(images.count) image files under \(folder) (read and identified beforehand, untimed), \(threads) threads\n")
        for withPDQ in [false, true] {
            var walls: [Double] = []
            var last = Tally()
            for _ in 0..<max(1, rounds) {
                let tally = Tally()
                walls.append(milliseconds { Self.work(images, threads: threads, pdq: withPDQ, tally: tally) } / 1000)
                last = tally
            }
            let cpu = last.decodeSeconds.values.reduce(0, +) + last.pdqSeconds
            Console.out(String(format: "%@: wall %.2f s (median of %d; runs %@), %.2f CPU-s", withPDQ ? "decode + PDQ" : "decode only",
                               median(walls), walls.count, walls.map { String(format: "%.2f", $0) }.joined(separator: " "), cpu)
                        + (withPDQ ? String(format: " (PDQ %.2f)", last.pdqSeconds) : "") + ", \(last.failures) not decoded\n")
            if !withPDQ {
                for (mime, seconds) in last.decodeSeconds.sorted(by: { $0.key < $1.key }) {
                    let count = images.filter { $0.mime == mime }.count
                    Console.out(String(format: "  %-12@ %6d files  %.2f CPU-s\n", mime, count, seconds))
                }
            }
        }
    }

    /// CPU time of the calling thread (not wall time: a thread that waits for a core is not
    /// charged for the wait).
    static func cpuSeconds(_ body: () -> Void) -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        body()
        return now() - start
    }

    static func work(_ images: [Image], threads: Int, pdq: Bool, tally: Tally) {
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            let hasher = PDQHasher()
            var decodeSeconds: [String: Double] = [:]
            var pdqSeconds = 0.0, failures = 0
            var recycled: [UInt8] = []
            while case let i = tally.take(), i < images.count {
                let image = images[i]
                var decoded: DecodedImage?
                decodeSeconds[image.mime, default: 0] += cpuSeconds {
                    decoded = image.bytes.withUnsafeBytes { data in
                        try? ImageDecoders.decoder(forMIME: image.mime)!.decode(data, options: DecodeOptions(), recycling: &recycled)
                    }
                }
                guard let decoded else { failures += 1; continue }
                if pdq { pdqSeconds += cpuSeconds { _ = hasher.signature(of: decoded) } }
                recycled = decoded.pixels
            }
            tally.add(decode: decodeSeconds, pdq: pdqSeconds, failures: failures)
        }
    }
}

struct BenchIndex: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-index", abstract: "Time the PDQ near-match index against a brute-force scan (benchmarks).", shouldDisplay: false)

    @Option(help: "Database hashes: one 64-hex PDQ per line.") var hashes: String
    @Option(help: "Query hashes: one 64-hex PDQ per line.") var queries: String
    @Option(help: "Match distance.") var threshold = 31
    @Option(help: "Write `query: entry entry …` (0-based line numbers, ascending) per query.") var results: String?
    @Option(help: "Brute-force queries to time and compare (0: none).") var brute = 100

    static func read(_ path: String) throws -> [PDQHash] {
        var hashes: [PDQHash] = []
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var start = 0
            for i in 0...raw.count where i == raw.count || raw[i] == UInt8(ascii: "\n") {
                if i - start >= 64, let bytes = Hex.decode(bytes: UnsafeRawBufferPointer(rebasing: raw[start..<start + 64])) {
                    hashes.append(PDQHash(bytes: bytes))
                }
                start = i + 1
            }
        }
        return hashes
    }

    func run() throws {
        var database: [PDQHash] = []
        let loadMs = try milliseconds { database = try Self.read(hashes) }
        let probes = try Self.read(queries)
        var index = PDQIndex([])
        let buildMs = milliseconds { index = PDQIndex(database.map { PDQIndex.Entry(hash: $0, category: .a, source: "bench") }) }
        var times: [Double] = []
        var answers: [[Int]] = []
        for probe in probes {
            var hits: [PDQIndex.Hit] = []
            times.append(milliseconds { hits = index.search(probe, threshold: threshold) })
            answers.append(hits.map(\.entry).sorted())
        }
        var bruteTimes: [Double] = []
        var mismatches = 0
        for (i, probe) in probes.prefix(brute).enumerated() {
            var hits: [PDQIndex.Hit] = []
            bruteTimes.append(milliseconds { hits = index.bruteForce(probe, threshold: threshold) })
            if hits.map(\.entry).sorted() != answers[i] { mismatches += 1 }
        }
        if let results {
            let text = answers.enumerated().map { (["\($0.offset):"] + $0.element.map(String.init)).joined(separator: " ") }.joined(separator: "\n") + "\n"
            try text.write(toFile: results, atomically: true, encoding: .utf8)
        }
        let found = answers.reduce(0) { $0 + $1.count }
        Console.out(String(format: "%d hashes (read %.0f ms, index built in %.0f ms, %.1f bytes per hash); %d queries at distance <= %d: median %.4f ms, p99 %.4f ms, %d hits; brute force (%d queries): median %.3f ms, %d disagreements\n",
                           database.count, loadMs, buildMs, Double(index.memoryBytes) / Double(max(database.count, 1)), probes.count, threshold,
                           median(times), percentile(times, 0.99), found, bruteTimes.count, median(bruteTimes), mismatches))
    }
}

struct BenchReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-review",
        abstract: "Time the review screen from a key press to the next item fully drawn, in-process (benchmarks; decides every item N).",
        shouldDisplay: false)

    @OptionGroup var caseOption: CaseOption
    @Option(help: "blocks (24-bit) or kitty.") var display: DisplayMode = .blocks
    @Option(help: "Window width in cells.") var columns = 200
    @Option(help: "Window height in cells.") var rows = 60
    @Option(help: "Window size in pixels, WIDTHxHEIGHT (kitty scales pictures to it).") var pixels = "1920x1080"
    @Flag(help: "Draw every item revealed (full resolution) instead of blurred.") var revealed = false
    @Option(help: "Items to time (at most the queue).") var items = 500

    func run() throws {
        let parts = pixels.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--pixels WIDTHxHEIGHT") }
        let store = try CaseStore(directory: caseOption.directory, create: false)
        let queue = try ReviewQueue.load(from: store)
        let session = ReviewSession(items: queue, store: store, examiner: "Benchmark", breaks: BreakPolicy(items: 0, minutes: 0))
        let renderer: any PictureRenderer = display == .kitty ? KittyRenderer() : HalfBlockRenderer(trueColour: true)
        let loader = PreviewLoader()
        let composer = PictureComposer()
        let sink = FileHandle(forWritingAtPath: "/dev/null")!
        func draw() -> Int {
            let frame = ReviewTerminal.frame(session: session, caseName: "bench", columns: columns, rows: rows, pixelWidth: parts[0],
                                             pixelHeight: parts[1], renderer: renderer, mode: display, loader: loader, composer: composer)
            sink.write(Data(frame))
            return frame.count
        }
        if revealed { try session.handle(.reveal) }
        _ = draw()
        var times: [Double] = []
        var bytes = 0
        for _ in 0..<min(items, queue.count - 1) {
            times.append(try milliseconds {
                try session.handle(.categorise(.n))  // committed to the case, as on the screen
                if revealed { try session.handle(.reveal) }
                bytes += draw()
            })
        }
        Console.out(String(format: "%@ %@, %dx%d cells, %@: %d items, key to drawn median %.2f ms, p99 %.2f ms, mean frame %d bytes\n",
                           display.rawValue, revealed ? "revealed" : "blurred", columns, rows, pixels, times.count, median(times),
                           percentile(times, 0.99), bytes / max(1, times.count)))
    }
}

struct BenchVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-video", abstract: "Time video frame sampling and PDQ hashing (benchmarks).", shouldDisplay: false)

    @Argument(help: "Video files.") var files: [String]
    @Option(name: .customLong("repeat"), help: "Runs per file; medians are printed.") var runs = 3
    @Option(name: .customLong("frames-per-second"), help: "Time samples per second.") var framesPerSecond = VideoOptions.defaultFramesPerSecond
    @Option(name: .customLong("scene-threshold"), help: "Scene-change threshold (0: off).") var sceneThreshold = VideoOptions.defaultSceneThreshold
    @Flag(help: "Print every sampled frame (vPDQ lines: frame,quality,hash,timestamp).") var frames = false

    func run() throws {
        let hasher = PDQHasher()
        let options = VideoOptions(framesPerSecond: framesPerSecond, sceneThreshold: sceneThreshold)
        for file in files {
            let descriptor = open(file, O_RDONLY)
            guard descriptor >= 0 else { throw ValidationError("cannot open \(file)") }
            defer { close(descriptor) }
            var status = stat()
            fstat(descriptor, &status)
            var times: [Double] = []
            var fingerprint: VideoFingerprint?
            for _ in 0..<max(1, runs) {
                times.append(try milliseconds {
                    let reader = try VideoReader(size: Int64(status.st_size), options: options) { buffer, offset in
                        pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
                    }
                    fingerprint = VideoFingerprint.compute(reader, hasher: hasher)
                })
            }
            let print = fingerprint!
            let seconds = median(times) / 1000
            Console.out(String(format: "%@: %dx%d %@, %@, %.1f s; sampling %@ (key frames ≤ %.2f s apart, interval %.2f s): %d frames in %.3f s (median of %d), %.1f frames/s%@%@\n",
                               file, print.width, print.height, print.facts.codec, print.facts.container, print.facts.duration ?? -1,
                               print.facts.sampling, print.facts.keySpacing ?? -1, print.facts.interval, print.frames.count, seconds, times.count,
                               Double(print.frames.count) / seconds, print.damage.map { "; damage: \($0)" } ?? "",
                               print.stopped.map { "; stopped: \($0.message)" } ?? ""))
            if frames {
                for frame in print.frames {
                    Console.out("\(frame.frame),\(frame.pdq.quality),\(frame.pdq.hash.hex),\(String(format: "%.3f", frame.seconds))\(frame.sceneChange ? " scene" : "")\n")
                }
            }
        }
    }
}
