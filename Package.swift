// swift-tools-version:6.0
//
// The package reads as the pipeline: C shims over ICU and libxml2 at the bottom,
// then reading pages, the text engine, records, the pipeline, and the CLI on top.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

// The command-line tool allocates with Debian's mimalloc (libmimalloc-dev), linked
// ahead of the C library so that every malloc of the process, libxml2's and the Swift
// runtime's included, goes to it: a run is an allocation per string, and glibc's
// allocator was an eighth of `extract` (docs/batch.md, session 16). The libraries
// leave the allocator to the program that uses them. Sanitized builds
// (Scripts/sanitize sets DECLPROC_SANITIZER) keep the sanitizer's own allocator.
let declprocAllocator: [LinkerSetting] = Context.environment["DECLPROC_SANITIZER"] == nil ? [.linkedLibrary("mimalloc")] : []

let package = Package(
    name: "declproc",
    platforms: [.macOS(.v13)],
    products: [
        // The text engine on its own: normalization, segmentation, Pinyin, scripts.
        .library(name: "DeclprocText", targets: ["DeclprocText"]),
        // Everything: reading pages, extraction, records and the pipeline.
        .library(name: "Declproc", targets: ["DeclprocPipeline"]),
        .executable(name: "declproc", targets: ["declproc"]),
        // The fuzzing harnesses (Scripts/fuzz builds them with libFuzzer; otherwise they replay inputs).
        .executable(name: "declproc-fuzz", targets: ["declproc-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C shim over system ICU; its public header includes no ICU header (FACTS 1-2).
        .target(
            name: "CICU",
            linkerSettings: [
                .linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata"),
            ]
        ),
        // System libxml2 through pkg-config (libxml2-dev).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // System SQLite through pkg-config (libsqlite3-dev), for the database output format.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // System OpenSSL's libcrypto (libssl-dev), for the keyed hash behind redaction pseudonyms.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // C shim over system zlib (gzip inside .gz pages, WARC archives and HTTP bodies).
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // MinHash's inner loop in C, for one function built for AVX2 and AVX-512 and chosen at run time.
        .target(name: "CMinHash"),
        // A hint to the processor, in C because Swift cannot give it: start loading a
        // cache line that a lookup will read soon.
        .target(name: "CPrefetch"),
        // Counting loops over whole pages (the checks for binary content), in C because
        // its compiler vectorizes them and Swift's did not. Imported internally, by
        // DeclprocReader only: imported by DeclprocPipeline, which also sees libxml2's
        // module (ICU's headers) and Foundation's own ICU, it broke a clean debug build.
        .target(name: "CByteCounts"),
        // UTF-8 validation of whole pages, and the cue words' search, with AVX2 chosen at
        // run time, in C for the same reason as MinHash's loop. Imported internally, by
        // DeclprocICU only.
        .target(name: "CUTF8"),
        // At the bottom of the Swift modules: arrays made through the standard library's
        // specialized paths (its `Array(repeating:count:)` looks a type up at run time).
        .target(name: "DeclprocCollections"),
        // Swift owners of ICU handles: the only module that imports CICU.
        .target(name: "DeclprocICU", dependencies: ["CICU", "CUTF8", "DeclprocCollections"]),
        // SQLite connections and statements: the only module that imports CSQLite.
        .target(name: "DeclprocSQLite", dependencies: ["CSQLite"]),
        // HTML bytes (already UTF-8) to a Swift tree: the only module that imports libxml2.
        .target(name: "DeclprocHTML", dependencies: ["DeclprocCollections", "CLibXML2", "DeclprocICU"]),
        // Starting a file's writeback early (sync_file_range), in C because Swift's
        // Glibc module does not declare it. Imported internally, by DeclprocFiles only.
        .target(name: "CWriteback"),
        // Temporary files: their names, clearing those of killed runs, writing them back early.
        .target(name: "DeclprocFiles", dependencies: ["CWriteback"]),
        // Finding and loading Locales/ data.
        .target(name: "DeclprocLocales", dependencies: ["DeclprocCollections", "DeclprocFiles", "CPrefetch"]),
        // The text engine.
        .target(name: "DeclprocText", dependencies: ["DeclprocCollections", "DeclprocICU", "DeclprocLocales"]),
        // Inputs to pages: enumerating inputs, deciding the charset, decoding.
        .target(name: "DeclprocReader", dependencies: ["DeclprocCollections", "DeclprocICU", "CZlib", "CByteCounts"]),
        // Pages to statements: blocks, main content, statement detection.
        .target(name: "DeclprocExtract", dependencies: ["DeclprocCollections", "DeclprocHTML", "DeclprocText", "DeclprocLocales", "DeclprocICU"]),
        // Record types and their stable JSON encoding.
        .target(name: "DeclprocRecords", dependencies: ["DeclprocText", "DeclprocICU"], exclude: ["schema"]),
        // Chinese–English sentence alignment (CC-CEDICT keywords, numbers, names, lengths).
        .target(name: "DeclprocAlign", dependencies: ["DeclprocCollections", "DeclprocICU", "DeclprocLocales", "DeclprocText"]),
        // Records to files: JSON Lines, CSV/TSV, TMX, parallel text, SQLite; atomic writes.
        .target(name: "DeclprocFormats", dependencies: ["DeclprocFiles", "DeclprocRecords", "DeclprocSQLite"]),
        // The dataset report: one self-contained HTML page with SVG charts.
        .target(name: "DeclprocReport", dependencies: ["DeclprocRecords"]),
        // Across records: deduplication, exclusion lists, redaction of names and contacts.
        .target(name: "DeclprocCuration", dependencies: ["DeclprocCollections", "DeclprocRecords", "DeclprocText", "DeclprocSQLite",
                                                         "DeclprocFiles", "CCrypto", "CMinHash", "CPrefetch"]),
        // The chain of stages and the output layout.
        .target(
            name: "DeclprocPipeline",
            dependencies: ["DeclprocCollections", "DeclprocReader", "DeclprocHTML", "DeclprocExtract", "DeclprocText", "DeclprocRecords",
                           "DeclprocLocales", "DeclprocICU", "DeclprocFiles", "DeclprocFormats", "DeclprocCuration", "DeclprocAlign",
                           "DeclprocReport"]
        ),
        // The command-line shell.
        .executableTarget(
            name: "declproc",
            dependencies: ["DeclprocPipeline", "DeclprocExtract", "DeclprocReader", "DeclprocText", "DeclprocICU", "DeclprocHTML",
                           "DeclprocLocales", "DeclprocRecords", "DeclprocFormats", "DeclprocCuration", "DeclprocAlign", "DeclprocReport", argumentParser],
            linkerSettings: declprocAllocator
        ),

        // Every entry point that takes outside bytes, as a fuzzing harness.
        .target(name: "DeclprocFuzz", dependencies: ["DeclprocPipeline", "DeclprocReader", "DeclprocText", "DeclprocLocales", "DeclprocICU"]),
        .executableTarget(name: "declproc-fuzz", dependencies: ["DeclprocFuzz"]),

        .target(name: "TestSupport", dependencies: ["DeclprocLocales", "DeclprocReader"], path: "Tests/TestSupport"),
        .testTarget(name: "DeclprocCollectionsTests", dependencies: ["DeclprocCollections"]),
        .testTarget(name: "DeclprocICUTests", dependencies: ["DeclprocICU", "CUTF8", "TestSupport"]),
        .testTarget(name: "DeclprocHTMLTests", dependencies: ["DeclprocHTML", "DeclprocCollections", "DeclprocICU", "TestSupport"]),
        .testTarget(name: "DeclprocTextTests", dependencies: ["DeclprocText", "TestSupport"]),
        .testTarget(name: "DeclprocReaderTests", dependencies: ["DeclprocReader", "TestSupport"]),
        .testTarget(name: "DeclprocPipelineTests", dependencies: ["DeclprocPipeline", "DeclprocExtract", "DeclprocReader", "DeclprocHTML", "DeclprocICU", "DeclprocRecords", "DeclprocFiles", "DeclprocFormats", "TestSupport"]),
        .testTarget(name: "DeclprocAlignTests", dependencies: ["DeclprocAlign", "DeclprocLocales", "TestSupport"]),
        .testTarget(name: "DeclprocCurationTests", dependencies: ["DeclprocCuration", "DeclprocRecords", "DeclprocText", "CMinHash", "TestSupport"]),
        .testTarget(name: "DeclprocFuzzTests", dependencies: ["DeclprocFuzz", "TestSupport"]),
        .testTarget(name: "DeclprocCLITests", dependencies: ["declproc", "DeclprocReader", "DeclprocICU", "DeclprocText", "DeclprocLocales", "DeclprocReport", "DeclprocRecords", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
