// swift-tools-version:6.0
// calib: distributed INT8 post-training calibration for OpenVINO.
import PackageDescription

/// OpenVINO's C API and runtime, unpacked from the pinned wheel by `scripts/setup.sh`.
let openVINO = "\(Context.packageDirectory)/.deps/openvino"
let openVINOHeaders: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(openVINO)/include"])]
let openVINOLibraries: [LinkerSetting] = [
    .unsafeFlags(["-L\(openVINO)/libs", "-Xlinker", "-rpath", "-Xlinker", "\(openVINO)/libs"]),
]
/// OpenVINO's C++ API, for what its C API lacks (frontends' conversion, the serializer).
let openVINOCxxHeaders: [CXXSetting] = [.unsafeFlags(["-I\(openVINO)/include"])]
let openVINOCxxLibraries: [LinkerSetting] = [
    .unsafeFlags([
        "-L\(openVINO)/libs", "-l:libopenvino.so.2641", "-Xlinker", "-rpath", "-Xlinker", "\(openVINO)/libs",
    ]),
]

let package = Package(
    name: "calib",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "calib", targets: ["calib"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // SHA-256 with the CPU's SHA instructions, for the journal, job keys and models
        // received; Core keeps its own pure implementation.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "COpenVINO", path: "Sources/COpenVINO"),
        // libpng's regular read API reports errors by longjmp; this keeps the jumps in C.
        .target(name: "CPNGShim", linkerSettings: [.linkedLibrary("png16")]),
        // sched_getaffinity/sched_setaffinity, declared only under _GNU_SOURCE.
        .target(name: "CProcessorAffinity"),
        // `calib convert`: OpenVINO's frontends and `save_model` behind one C function.
        .target(name: "OpenVINOConversion", cxxSettings: openVINOCxxHeaders, linkerSettings: openVINOCxxLibraries),
        // Core's kernels (histogram, SHA-256, weights, resize) run over hundreds of
        // megabytes; optimized even in debug builds, tests and local runs stay fast.
        .target(name: "Core", swiftSettings: [.unsafeFlags(["-O"])]),
        .target(
            name: "Protocol",
            dependencies: ["Core", "CZeroMQ", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Worker",
            dependencies: [
                "Core", "Protocol", "COpenVINO", "CTurboJPEG", "CPNG", "CPNGShim", "CProcessorAffinity", "OpenVINOConversion",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: openVINOHeaders,
            linkerSettings: openVINOLibraries
        ),
        // A coordinator host needs no inference runtime: no Worker, no OpenVINO.
        .target(
            name: "Coordinator",
            dependencies: ["Core", "Protocol", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "calib",
            dependencies: [
                "Core", "Protocol", "Worker", "Coordinator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: openVINOHeaders,
            linkerSettings: openVINOLibraries
        ),
        .executableTarget(
            name: "ov-serialize",
            path: "Sources/OpenVINOSerialize",
            cxxSettings: openVINOCxxHeaders,
            linkerSettings: openVINOCxxLibraries
        ),
        // Raw-value reference implementations the threshold tests compare against, and
        // the small networks the quantizer placement tests run.
        .target(name: "TestSupport", dependencies: ["Core"], path: "Tests/Support"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"]),
        .testTarget(
            name: "ProtocolTests",
            dependencies: ["Protocol", "Core"]
        ),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Protocol", "Core"]),
        .testTarget(
            name: "WorkerTests",
            dependencies: ["Worker", "Core", "TestSupport"],
            swiftSettings: openVINOHeaders,
            linkerSettings: openVINOLibraries
        ),
        .testTarget(
            name: "CalibTests",
            dependencies: ["Core", "Protocol", "Worker", "Coordinator"],
            swiftSettings: openVINOHeaders,
            linkerSettings: openVINOLibraries
        ),
    ],
    cxxLanguageStandard: .cxx17
)
