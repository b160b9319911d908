import ArgumentParser
import Core
import Foundation
import Worker

/// `calib example-images`: writes deterministic, natural-looking calibration JPEGs.
struct ExampleImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-images",
        abstract: "Write deterministic example calibration images (COCO-like sizes, JPEG)."
    )

    @Option(parsing: .unconditional, help: "Number of images.")
    var count: Int

    func validate() throws {
        try OptionRange.require(count >= 1, "--count", "at least 1", count)
    }

    @Option(help: "Output folder (created if needed).")
    var output: String

    @Option(help: "List file (cali.txt format) whose file names the images take, in order.")
    var names: String?

    @Option(help: "Also write a COCO instances file of the images, one box per shape drawn (with --names: default FOLDER/instances.json).")
    var instances: String?

    /// Where the instances file goes: `--instances`, else `FOLDER/instances.json` with `--names`.
    private var instancesPath: String? {
        instances ?? names.map { _ in URL(fileURLWithPath: output).appendingPathComponent("instances.json").path }
    }

    func run() throws {
        let writer = ExampleImageWriter(directory: URL(fileURLWithPath: output))
        let written: [String]
        if let names {
            let text = try String(decoding: AtomicFile.read(names), as: UTF8.self)
            let list = try CalibrationList(text: text, source: names)
            written = try writer.write(names: list.names, limit: count, instancesPath: instancesPath)
        } else {
            written = try writer.write(names: (0..<count).map(ExampleImageWriter.exampleName), instancesPath: instancesPath)
        }
        print("wrote \(written.count) images to \(output) (\(written.first ?? "")\(written.count > 1 ? " ... \(written.last!)" : ""))")
        if let instancesPath {
            print("wrote \(instancesPath) (COCO instances: one box per shape drawn)")
        }
    }
}
