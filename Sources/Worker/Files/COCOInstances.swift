import Core
import Foundation

/// A COCO instances file (`instances_val2017.json`, or the small ones users make): the
/// ground truth `calib eval --annotations` scores detections against. Only what box mAP
/// needs is read: images (id, file name, size), categories (ids), and each annotation's
/// image, category, `[x, y, width, height]` box and crowd flag.
public struct COCOInstances: Sendable {
    public struct Image: Sendable, Decodable {
        public let id: Int
        public let fileName: String
        public let width: Double
        public let height: Double

        enum CodingKeys: String, CodingKey {
            case id, width, height
            case fileName = "file_name"
        }
    }

    struct Annotation: Sendable, Decodable {
        let imageID: Int
        let categoryID: Int
        let bbox: [Double]
        let isCrowd: Int?

        enum CodingKeys: String, CodingKey {
            case bbox
            case imageID = "image_id"
            case categoryID = "category_id"
            case isCrowd = "iscrowd"
        }
    }

    struct Category: Sendable, Decodable {
        let id: Int
    }

    private struct File: Decodable {
        let images: [Image]
        let annotations: [Annotation]
        let categories: [Category]
    }

    /// Images by file name.
    public let images: [String: Image]
    /// The image files in the order POT's `mscoco_detection` converter gives them: by
    /// ascending image id, the file's order among equal ids.
    public let calibrationOrder: [String]
    /// Category ids, ascending: a detector's contiguous label `l` (1-based) is category `categoryIDs[l - 1]`.
    public let categoryIDs: [Int]
    /// Ground truth by image id, boxes in pixels.
    public let groundTruth: [Int: [Detection]]

    /// Reads the file at `path`. Throws `FileError` naming it when it cannot be read, is not
    /// such a file, or has a box that is not four numbers.
    public init(path: String) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(AtomicFile.read(path)))
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(path: path, reason: "not a COCO instances file: \(Self.describe(error))")
        }
        images = Dictionary(file.images.map { ($0.fileName, $0) }, uniquingKeysWith: { first, _ in first })
        calibrationOrder = file.images.enumerated().sorted { ($0.element.id, $0.offset) < ($1.element.id, $1.offset) }
            .map(\.element.fileName)
        categoryIDs = file.categories.map(\.id).sorted()
        var truth = [Int: [Detection]]()
        for annotation in file.annotations {
            guard annotation.bbox.count == 4 else {
                throw FileError(path: path, reason: "an annotation of image \(annotation.imageID) has a box of \(annotation.bbox.count) numbers")
            }
            let (x, y, width, height) = (annotation.bbox[0], annotation.bbox[1], annotation.bbox[2], annotation.bbox[3])
            truth[annotation.imageID, default: []].append(
                Detection(
                    x0: x, y0: y, x1: x + width, y1: y + height, label: annotation.categoryID, isCrowd: annotation.isCrowd == 1))
        }
        groundTruth = truth
    }

    /// `detections` of `image` as COCO scores them: boxes normalized to 0...1 scaled to the
    /// image's pixels, contiguous labels 1...K turned into category ids; labels outside
    /// 1...K are dropped.
    public func cocoDetections(_ detections: [Detection], of image: Image) -> [Detection] {
        detections.compactMap { detection in
            guard (1...categoryIDs.count).contains(detection.label) else { return nil }
            return Detection(
                x0: detection.x0 * image.width, y0: detection.y0 * image.height, x1: detection.x1 * image.width,
                y1: detection.y1 * image.height, label: categoryIDs[detection.label - 1], score: detection.score)
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            "missing '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let DecodingError.dataCorrupted(context):
            context.debugDescription
        default:
            "\(error)"
        }
    }
}
