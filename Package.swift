// swift-tools-version: 6.0
import PackageDescription

// Targets follow the pipeline in DESIGN.md: C libraries → TriageCore (values, no I/O) →
// one module per stage → Scanning (runs the stages) → Reporting → the `triage` CLI.
let package = Package(
    name: "triage",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries, one target each.
        .systemLibrary(name: "CMagic", pkgConfig: "libmagic", providers: [.apt(["libmagic-dev"])]),
        .systemLibrary(name: "CYAJL", pkgConfig: "yajl", providers: [.apt(["libyajl-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CQPDF", pkgConfig: "libqpdf", providers: [.apt(["libqpdf-dev"])]),
        .systemLibrary(name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
        // The image decoders: thin C wrappers so that libjpeg's and libpng's longjmp errors
        // never cross Swift frames (PLATFORM.md).
        .target(name: "CImageCodecs", linkerSettings: [
            .linkedLibrary("turbojpeg"), .linkedLibrary("png16"), .linkedLibrary("gif"), .linkedLibrary("webp"),
            .linkedLibrary("heif"), .linkedLibrary("tiff"), .linkedLibrary("stb"),
        ]),

        // Video frames on FFmpeg's libraries: a C wrapper for their macros and its read callbacks.
        .target(name: "CVideo", linkerSettings: [
            .linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("swscale"), .linkedLibrary("avutil"),
        ]),
        .target(name: "CPrefetch"),
        // Terminal state that signal handlers restore (async-signal-safe, so in C), and sixel
        // encoding by libsixel, opened with dlopen (see sixel_encoder.h for why).
        .target(name: "CTerminal", linkerSettings: [.linkedLibrary("dl")]),

        // Value types shared by every stage.
        .target(name: "TriageCore", resources: [.copy("Profiles")]),

        // Pipeline stages.
        .target(name: "Evidence", dependencies: ["TriageCore", "CArchive", "CQPDF", "CExif"]),
        .target(name: "Identification", dependencies: ["TriageCore", "CMagic"],
                exclude: ["Magic/README.md", "Magic/COPYING"], resources: [.copy("Magic/Magdir")]),
        .target(name: "Imaging", dependencies: ["TriageCore", "CImageCodecs", "CVideo"]),
        .target(name: "Hashing", dependencies: ["TriageCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "HashDatabase", dependencies: [
            "TriageCore", "CYAJL", "CPrefetch",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's own binding calls for the bulk import's inner loop.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "CaseStore", dependencies: [
            "TriageCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Scanning", dependencies: ["TriageCore", "Evidence", "Identification", "Imaging", "Hashing", "HashDatabase", "CaseStore"]),
        .target(name: "Review", dependencies: ["TriageCore", "CaseStore", "Imaging", "Scanning", "HashDatabase", "CTerminal"]),
        .target(name: "Reporting", dependencies: ["TriageCore", "CaseStore", .product(name: "Crypto", package: "swift-crypto")]),

        // Command line: argument parsing only.
        .executableTarget(name: "triage", dependencies: [
            "TriageCore", "Evidence", "Identification", "Imaging", "Hashing", "HashDatabase", "CaseStore", "Scanning", "Review", "Reporting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .target(name: "TriageTestSupport", dependencies: ["TriageCore"], path: "Tests/TriageTestSupport"),
        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore", "TriageTestSupport"]),
        .testTarget(name: "EvidenceTests", dependencies: ["Evidence", "TriageTestSupport"]),
        .testTarget(name: "IdentificationTests", dependencies: ["Identification", "TriageTestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TriageTestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "TriageTestSupport"]),
        .testTarget(name: "HashDatabaseTests", dependencies: ["HashDatabase", "TriageTestSupport"]),
        .testTarget(name: "CaseStoreTests", dependencies: ["CaseStore", "TriageTestSupport"]),
        .testTarget(name: "ScanningTests", dependencies: ["Scanning", "CaseStore", "HashDatabase", "TriageTestSupport"]),
        .testTarget(name: "ReviewTests", dependencies: ["Review", "CaseStore", "Imaging", "TriageTestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "CaseStore", "TriageTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TriageTestSupport"]),
    ]
)
