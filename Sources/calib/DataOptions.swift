import ArgumentParser
import Core
import Foundation
import Worker

/// The options that say which images to read and how to turn them into network input.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder of calibration images (JPEG or PNG).")
    var data: String?

    @Option(help: "List file (cali.txt format) selecting and ordering the images.")
    var list: String?

    @Option(help: "Use only the first N images.")
    var subset: Int?

    @Option(help: "Resize interpolation: bilinear (MLPerf harnesses) or bicubic (POT's config).")
    var interpolation: Interpolation = .bilinear

    @Option(help: "Channel order the model expects: rgb or bgr.")
    var channelOrder: ChannelOrder = .rgb

    func dataset() throws -> CalibrationDataset {
        guard let data else { throw ValidationError("--data is required") }
        let folder = URL(fileURLWithPath: data)
        var dataset = try list.map { try CalibrationDataset(folder: folder, listFile: URL(fileURLWithPath: $0)) }
            ?? CalibrationDataset(folder: folder)
        if let subset {
            guard subset > 0 else { throw ValidationError("--subset must be positive") }
            dataset = dataset.subset(subset)
        }
        guard dataset.count > 0 else { throw ValidationError("no images in \(data)") }
        return dataset
    }
}

extension Interpolation: ExpressibleByArgument {}
extension ChannelOrder: ExpressibleByArgument {}
