import Core
import Foundation

/// Writes a COCO instances file (the format of `instances_train2017.json`) for example
/// images, so the seed's path that needs one (POT's `mscoco_detection` converter, COCO
/// mAP) runs on generated data: one category per kind of shape drawn (1 ellipse,
/// 2 rectangle, 3 triangle), one annotation per shape with its box.
public enum COCOInstancesWriter {
    /// One image and what is drawn on it.
    public struct Image: Sendable {
        public let fileName: String
        public let width: Int
        public let height: Int
        public let objects: [SyntheticScene.Object]

        public init(fileName: String, width: Int, height: Int, objects: [SyntheticScene.Object]) {
            self.fileName = fileName
            self.width = width
            self.height = height
            self.objects = objects
        }
    }

    /// The file's bytes. An image's id is the number its file name's stem spells
    /// (`000000391895.jpg` is 391895, as in COCO) when every stem is a distinct number,
    /// else its position from 1.
    public static func json(_ images: [Image]) throws -> [UInt8] {
        let stems = images.map { Int(URL(fileURLWithPath: $0.fileName).deletingPathExtension().lastPathComponent) }
        let numbered = stems.allSatisfy { $0 != nil } && Set(stems.compactMap { $0 }).count == images.count
        var file = File(images: [], annotations: [], categories: SyntheticScene.Object.Kind.allCases.map {
            Category(id: $0.rawValue + 1, name: "\($0)", supercategory: "shape")
        })
        for (position, image) in images.enumerated() {
            let id = numbered ? stems[position]! : position + 1
            file.images.append(FileImage(id: id, file_name: image.fileName, width: image.width, height: image.height))
            for object in image.objects where object.width > 0 && object.height > 0 {
                let box = [object.x, object.y, object.width, object.height].map { ($0 * 100).rounded() / 100 }
                file.annotations.append(
                    Annotation(
                        id: file.annotations.count + 1, image_id: id, category_id: object.kind.rawValue + 1, bbox: box,
                        area: box[2] * box[3], iscrowd: 0))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(file))
    }

    private struct File: Encodable {
        var images: [FileImage]
        var annotations: [Annotation]
        let categories: [Category]
    }

    // Field names as COCO spells them.
    private struct FileImage: Encodable {
        let id: Int
        let file_name: String
        let width: Int
        let height: Int
    }

    private struct Annotation: Encodable {
        let id: Int
        let image_id: Int
        let category_id: Int
        let bbox: [Double]
        let area: Double
        let iscrowd: Int
    }

    private struct Category: Encodable {
        let id: Int
        let name: String
        let supercategory: String
    }
}
