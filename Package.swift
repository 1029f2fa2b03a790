// swift-tools-version: 6.0
import PackageDescription

// Layers (see ARCHITECTURE.md): SeerTensor (math) <- SeerModels (families behind one seam) <- seer (CLI), SeerServer.
// SeerImage and SeerTokenizers turn files and strings into model inputs and know no tensors.
let package = Package(
    name: "Seer",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SeerRuntime", targets: ["SeerRuntime"]),
        .library(name: "SeerTensor", targets: ["SeerTensor"]),
        .library(name: "SeerImage", targets: ["SeerImage"]),
        .library(name: "SeerTokenizers", targets: ["SeerTokenizers"]),
        .library(name: "SeerModels", targets: ["SeerModels"]),
        .library(name: "SeerHub", targets: ["SeerHub"]),
        .library(name: "SeerIndex", targets: ["SeerIndex"]),
        .library(name: "SeerVideo", targets: ["SeerVideo"]),
        .library(name: "SeerAnalytics", targets: ["SeerAnalytics"]),
        .library(name: "SeerWorkflows", targets: ["SeerWorkflows"]),
        .library(name: "SeerMap", targets: ["SeerMap"]),
        .library(name: "SeerServer", targets: ["SeerServer"]),
        .library(name: "SeerDrawing", targets: ["SeerDrawing"]),
        .library(name: "SeerDatasets", targets: ["SeerDatasets"]),
        .executable(name: "seer", targets: ["seer"]),
        .executable(name: "seer-bench", targets: ["seer-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // C libraries from Debian -dev packages (Accelerate replaces OpenBLAS on Apple platforms).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"]), .brew(["webp"])]),
        // FreeType: the labels `seer detect --draw` writes on boxes.
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"]), .brew(["freetype"])]),
        // libpq: the client of `--db postgres://…` stores (PostgreSQL with pgvector).
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),

        // Vectorizable elementwise kernels (C: the compiler targets AVX-512/AVX2 per CPU at run time).
        .target(name: "CSeerKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        // Settings every layer reads (the worker-thread count); no dependencies.
        .target(name: "SeerRuntime"),
        .target(
            name: "SeerTensor",
            dependencies: ["CSeerKernels", "SeerRuntime", .target(name: "CBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        // C wrappers around libjpeg/libpng: their error handling longjmps, which Swift cannot do.
        .target(name: "CImageCodecs", dependencies: ["CJPEG", "CPNG"]),
        .target(name: "SeerImage", dependencies: ["CImageCodecs", "CWebP", "CPNG", "SeerRuntime"]),
        .target(name: "SeerTokenizers"),
        // Boxes and their labels drawn on images (FreeType renders the text).
        .target(name: "SeerDrawing", dependencies: ["SeerImage", "CFreeType"]),
        .target(name: "SeerModels", dependencies: ["SeerTensor", "SeerImage", "SeerTokenizers"]),
        // Hugging Face Hub: download, cache (the Hub's own layout), verify, offline.
        .target(name: "SeerHub", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // FFmpeg's libraries from Debian -dev packages: frames from files and streams.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat", providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"]), .brew(["ffmpeg"])]),
        .target(name: "SeerVideo", dependencies: ["CFFmpeg", "SeerImage"]),
        // Change/outlier detectors, projections (UMAP, PCA): math over embeddings, no I/O.
        // Optimised even in debug builds: a UMAP of a few thousand rows runs 10^8 gradient steps.
        .target(name: "SeerAnalytics", dependencies: ["SeerTensor"], swiftSettings: [.unsafeFlags(["-O"])]),
        // Roboflow-compatible workflows: definition compiler, executor, blocks (math in SeerAnalytics).
        .target(name: "SeerWorkflows", dependencies: ["SeerAnalytics"]),
        // Embedding catalog (SQLite through GRDB) and vector search (exact, then ANN).
        .target(name: "SeerIndex", dependencies: ["SeerTensor", "CSeerKernels", "CPostgres", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        // The dataset map (`seer map`): an index projected (UMAP/PCA), stored in it, drawn as a page and a picture.
        .target(name: "SeerMap", dependencies: ["SeerIndex", "SeerAnalytics", "SeerImage"]),
        // The allocator's count of bytes in use (glibc's mallinfo2 is in <malloc.h>, which Swift cannot import).
        .target(name: "CSeerHeap"),
        // Hummingbird 2 HTTP server: Roboflow Inference's CLIP API, Seer's search API, batching, limits.
        .target(name: "SeerServer", dependencies: ["SeerModels", "SeerIndex", "CSeerHeap", .product(name: "Hummingbird", package: "hummingbird"),
                                                   .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        // Training datasets from model labels: YOLO and COCO writers, seeded splits, a resumable SQLite state.
        .target(name: "SeerDatasets", dependencies: ["SeerModels", "SeerImage", "SeerTensor", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(
            name: "seer",
            dependencies: ["SeerModels", "SeerIndex", "SeerDatasets", "SeerVideo", "SeerAnalytics", "SeerWorkflows", "SeerMap", "SeerHub", "SeerServer", "SeerDrawing", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // The Swift side of bench/*.py, which run the Python peers beside it in the same run.
        .executableTarget(name: "seer-bench", dependencies: ["SeerModels", "SeerImage", "SeerTensor", "SeerTokenizers", "SeerIndex", "SeerAnalytics", "SeerWorkflows"], path: "bench/seer-bench"),

        .testTarget(name: "SeerTensorTests", dependencies: ["SeerTensor"]),
        .testTarget(name: "SeerImageTests", dependencies: ["SeerImage"]),
        .testTarget(name: "SeerDrawingTests", dependencies: ["SeerDrawing"]),
        .testTarget(name: "SeerTokenizersTests", dependencies: ["SeerTokenizers"]),
        .testTarget(name: "SeerModelsTests", dependencies: ["SeerModels"]),
        .testTarget(name: "SeerHubTests", dependencies: ["SeerHub"]),
        .testTarget(name: "SeerVideoTests", dependencies: ["SeerVideo", "SeerAnalytics", "SeerModels"]),
        .testTarget(name: "SeerAnalyticsTests", dependencies: ["SeerAnalytics", "SeerTensor", "SeerRuntime"]),
        .testTarget(name: "SeerWorkflowsTests", dependencies: ["SeerWorkflows"]),
        .testTarget(name: "SeerIndexTests", dependencies: ["SeerIndex", "SeerTensor", "CSeerKernels"]),
        .testTarget(name: "SeerServerTests", dependencies: ["SeerServer"]),
        .testTarget(name: "SeerDatasetsTests", dependencies: ["SeerDatasets"]),
        .testTarget(name: "SeerCLITests", dependencies: ["seer", "SeerModels", "SeerDrawing", "SeerServer", "SeerIndex", "SeerVideo"]),
    ]
)
