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

    @Option(
        help: ArgumentHelp(
            "A COCO instances file selecting and ordering the images, as POT's mscoco_detection converter does (by image id).",
            discussion: "calib eval also scores both models' detections against its boxes."))
    var annotations: String?

    @Option(parsing: .unconditional, help: "Use only the first N images.")
    var subset: Int?

    @Option(name: .customLong("interpolation"), help: "Resize interpolation: bilinear (default; MLPerf harnesses) or bicubic (POT's config).")
    var interpolationChoice: Interpolation?

    @Option(name: .customLong("channel-order"), help: "Channel order the model expects: rgb (default) or bgr.")
    var channelOrderChoice: ChannelOrder?

    @Option(
        name: .customLong("reader"),
        help: ArgumentHelp(
            "Image reader whose pixels to reproduce: pillow (default) or opencv.",
            discussion: """
                pillow follows Pillow's Image.open(f).convert('RGB'), the reader of Accuracy Checker's \
                pillow_imread (MLPerf ssd-resnet34's POT configuration); opencv follows cv2.imread(f, IMREAD_COLOR), the \
                reader of POT's simplified engine. Both ignore PNG gAMA, sRGB and iCCP, drop alpha and tRNS \
                without compositing, expand palettes, and repeat grey (1, 2 and 4-bit grey scaled to 0-255) \
                in R, G and B. They differ: EXIF orientation (JPEG APP1, PNG eXIf) is ignored by pillow and \
                applied by opencv; 16-bit grey PNGs are clipped at 255 by pillow and shifted right by 8 by \
                opencv (16-bit colour and grey+alpha PNGs keep the high byte in both); CMYK and YCCK JPEGs \
                are converted to RGB with each library's own rounding.
                """))
    var readerChoice: ImageReader?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The input shape to calibrate with, for a model whose input is dynamic, e.g. 1,3,1200,1200 (as the model lays it out).",
            valueName: "N,C,H,W"),
        transform: { try NumberList.positiveIntegers($0, option: "--input-shape") })
    var inputShape: [Int]?

    @Option(help: "The input layout, NCHW or NHWC (default: the model's rt_info, else guessed from the shape).")
    var layout: ImageInput.Layout?

    /// The resize interpolation, the channel order and the reader in effect.
    var interpolation: Interpolation { interpolationChoice ?? .bilinear }
    var channelOrder: ChannelOrder { channelOrderChoice ?? .rgb }
    var reader: ImageReader { readerChoice ?? .pillow }

    func validate() throws {
        if let subset { try OptionRange.require(subset >= 1, "--subset", "at least 1", subset) }
        if list != nil, annotations != nil {
            throw ValidationError("give --list or --annotations, not both: each selects and orders the images")
        }
    }

    /// The images: from `--list`, from `instances` (the `--annotations` file, read by
    /// the caller), or every image of the folder.
    func dataset(instances: COCOInstances? = nil) throws -> CalibrationDataset {
        guard let data else { throw CommandFailure("--data is required: the folder of calibration images") }
        let folder = URL(fileURLWithPath: data)
        var dataset: CalibrationDataset
        switch (list, try instances ?? self.instances()) {
        case let (.some(list), _):
            dataset = try CalibrationDataset(folder: folder, listFile: URL(fileURLWithPath: list))
        case let (nil, .some(instances)):
            let source = URL(fileURLWithPath: annotations ?? "").lastPathComponent
            dataset = try CalibrationDataset(folder: folder, list: CalibrationList(names: instances.calibrationOrder, source: source))
        case (nil, nil):
            dataset = try CalibrationDataset(folder: folder)
        }
        if let subset {
            if subset > dataset.count {
                StandardErrorLog.logger.notice("--subset \(subset) is more than the \(dataset.count) images there are: all \(dataset.count) are used")
            }
            dataset = dataset.subset(subset)
        }
        guard dataset.count > 0 else { throw CommandFailure("no images in \(data)") }
        return dataset
    }

    /// Takes the images and how to read them from a POT configuration: `data_source`, its
    /// COCO annotation file, the reader (OpenCV's gives BGR, as POT feeds it) and the
    /// resize interpolation.
    mutating func apply(_ settings: POTConfiguration) {
        data = settings.dataSource
        annotations = settings.annotationFile
        readerChoice = settings.reader
        channelOrderChoice = settings.reader == .opencv ? .bgr : .rgb
        interpolationChoice = settings.interpolation
    }

    /// The options `apply(_:)` sets that were also given on the command line.
    var givenWithConfiguration: [String] {
        [
            ("--data", data != nil), ("--list", list != nil), ("--annotations", annotations != nil), ("--subset", subset != nil),
            ("--reader", readerChoice != nil), ("--interpolation", interpolationChoice != nil),
            ("--channel-order", channelOrderChoice != nil),
        ].filter(\.1).map(\.0)
    }

    /// The `--annotations` file, read; nil without the option.
    func instances() throws -> COCOInstances? {
        try annotations.map { try COCOInstances(path: $0) }
    }
}

extension Interpolation: ExpressibleByArgument {}
extension ImageInput.Layout: ExpressibleByArgument {}
extension ChannelOrder: ExpressibleByArgument {}
extension ImageReader: ExpressibleByArgument {}
