import Testing

@testable import Core

/// COCO-style mAP@[.5:.95], checked against pycocotools on a generated case and on cases
/// small enough to work out by hand.
struct AveragePrecisionTests {
    /// COCO boxes `(image, x, y, w, h, class[, score])` of images 1...4 as per-image lists.
    private func perImage(_ boxes: [(Int, Double, Double, Double, Double, Int, Double)]) -> [[Detection]] {
        (1...4).map { image in
            boxes.filter { $0.0 == image }.map { Detection(x0: $0.1, y0: $0.2, x1: $0.1 + $0.3, y1: $0.2 + $0.4, label: $0.5, score: $0.6) }
        }
    }

    /// Four images of three classes with jittered, missing and extra detections, written
    /// and evaluated once with pycocotools 2.0 (`COCOeval(..., "bbox")`, `stats[0]` =
    /// 0.16206820682068207); pycocotools is not needed to run this test.
    @Test func agreesWithPycocotoolsOnAGeneratedCase() throws {
        let truth: [(Int, Double, Double, Double, Double, Int)] = [
            (1, 485, 77, 60, 16, 1), (1, 48, 187, 84, 17, 3), (1, 282, 217, 17, 82, 1), (1, 322, 321, 84, 17, 3),
            (2, 52, 297, 83, 34, 2), (2, 272, 218, 109, 50, 2), (2, 357, 124, 20, 83, 2), (3, 84, 175, 29, 72, 2),
            (3, 296, 233, 18, 21, 2), (3, 348, 228, 46, 59, 3), (3, 30, 111, 108, 46, 1), (3, 205, 281, 45, 27, 2),
            (4, 77, 118, 94, 39, 1), (4, 273, 189, 88, 82, 2), (4, 353, 263, 89, 16, 2),
        ]
        let found: [(Int, Double, Double, Double, Double, Int, Double)] = [
            (1, 42, 192, 87, 9, 3, 0.241), (1, 315, 320, 75, 24, 3, 0.858), (1, 214, 73, 79, 25, 3, 0.308),
            (2, 46, 290, 92, 30, 2, 0.496), (2, 278, 221, 108, 47, 2, 0.794), (2, 359, 130, 19, 92, 2, 0.98),
            (3, 78, 177, 29, 73, 2, 0.594), (3, 290, 226, 17, 31, 2, 0.578), (3, 354, 231, 41, 68, 3, 0.117),
            (3, 34, 115, 113, 38, 1, 0.166), (3, 361, 212, 55, 58, 1, 0.151), (4, 74, 118, 93, 29, 1, 0.146),
            (4, 408, 286, 60, 60, 2, 0.394), (4, 246, 324, 61, 17, 1, 0.067),
        ]
        let map = try #require(
            AveragePrecision.meanAveragePrecision(
                detections: perImage(found), groundTruth: perImage(truth.map { ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5, 1) })))
        #expect(abs(map - 0.16206820682068207) < 1e-12, "\(map)")
    }

    @Test func identicalDetectionsScoreOne() throws {
        let boxes = [[Detection(x0: 0, y0: 0, x1: 10, y1: 10, label: 1, score: 0.9), Detection(x0: 5, y0: 5, x1: 20, y1: 30, label: 2, score: 0.4)]]
        #expect(AveragePrecision.meanAveragePrecision(detections: boxes, groundTruth: boxes) == 1)
        #expect(AveragePrecision.meanAveragePrecision(detections: [[]], groundTruth: [[]]) == nil)
    }

    @Test func aBoxOfIoUThreeQuartersMatchesAtSixOfTheTenThresholds() throws {
        // 10x10 against 10x7.5 inside it: IoU 0.75, matched at 0.50 ... 0.75.
        let truth = [[Detection(x0: 0, y0: 0, x1: 10, y1: 10, label: 1)]]
        let found = [[Detection(x0: 0, y0: 0, x1: 10, y1: 7.5, label: 1, score: 0.5)]]
        #expect(found[0][0].intersectionOverUnion(truth[0][0]) == 0.75)
        let map = try #require(AveragePrecision.meanAveragePrecision(detections: found, groundTruth: truth))
        #expect(abs(map - 0.6) < 1e-12)
    }

    @Test func aFalsePositiveRankedFirstHalvesThePrecision() throws {
        let truth = [[Detection(x0: 0, y0: 0, x1: 10, y1: 10, label: 1)]]
        let found = [[
            Detection(x0: 50, y0: 50, x1: 60, y1: 60, label: 1, score: 0.9),
            Detection(x0: 0, y0: 0, x1: 10, y1: 10, label: 1, score: 0.8),
        ]]
        let map = try #require(AveragePrecision.meanAveragePrecision(detections: found, groundTruth: truth))
        #expect(abs(map - 0.5) < 1e-12)
    }
}
