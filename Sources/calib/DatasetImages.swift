import Coordinator
import Foundation
import Worker

/// A calibration set on disk as the coordinator ships it: the names, sizes and bytes of
/// its image files.
struct DatasetImages: CalibrationImages {
    let dataset: CalibrationDataset

    var count: Int { dataset.count }

    func name(at index: Int) throws -> String {
        try dataset.url(at: index).lastPathComponent
    }

    func fileSize(at index: Int) -> Int? {
        guard let url = try? dataset.url(at: index) else { return nil }
        return try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
    }

    func bytes(at index: Int) throws -> [UInt8] {
        try AtomicFile.read(dataset.url(at: index).path)
    }
}
