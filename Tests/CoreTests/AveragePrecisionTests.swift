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

    /// The same with crowd boxes (two detections on each), pycocotools' `stats[0]` =
    /// 0.06977447744774479.
    @Test func agreesWithPycocotoolsWithCrowds() throws {
        let truth: [(Int, Double, Double, Double, Double, Int, Bool)] = [
            (1, 443, 286, 119, 69, 2, false), (1, 406, 95, 22, 67, 2, true), (1, 334, 378, 88, 30, 3, true),
            (1, 119, 327, 47, 73, 1, false), (1, 130, 161, 107, 39, 3, false), (1, 197, 34, 12, 10, 1, false),
            (2, 30, 238, 112, 72, 1, false), (2, 329, 196, 24, 60, 2, false), (2, 201, 308, 92, 83, 1, true),
            (3, 426, 294, 27, 59, 1, false), (3, 378, 322, 80, 35, 3, false), (3, 309, 40, 63, 16, 1, true),
            (3, 368, 35, 26, 39, 2, false), (3, 314, 37, 45, 37, 1, false), (3, 144, 188, 77, 83, 1, true),
            (4, 231, 279, 57, 15, 3, false), (4, 39, 213, 111, 13, 2, false), (4, 41, 46, 91, 24, 2, false)
        ]
        let found: [(Int, Double, Double, Double, Double, Int, Double)] = [
            (1, 439, 292, 115, 64, 2, 0.63), (1, 411, 99, 3, 66, 2, 0.982), (1, 328, 372, 74, 17, 3, 0.6), (1,
            333, 379, 86, 36, 3, 0.195), (1, 117, 327, 44, 79, 1, 0.083), (1, 136, 156, 99, 22, 3, 0.847), (1,
            192, 362, 60, 63, 1, 0.566), (1, 101, 345, 44, 53, 1, 0.311), (1, 7, 209, 25, 27, 1, 0.707), (2,
            32, 235, 115, 76, 1, 0.131), (2, 335, 199, 13, 40, 2, 0.211), (2, 202, 306, 72, 87, 1, 0.61), (2,
            201, 303, 74, 65, 1, 0.209), (2, 7, 307, 57, 57, 3, 0.453), (3, 423, 297, 14, 62, 1, 0.19), (3,
            307, 37, 66, 18, 1, 0.392), (3, 312, 41, 52, 12, 1, 0.175), (3, 314, 38, 32, 18, 1, 0.047), (3,
            145, 187, 78, 86, 1, 0.691), (3, 140, 191, 58, 63, 1, 0.475), (3, 358, 159, 14, 12, 3, 0.636), (3,
            246, 34, 49, 50, 1, 0.999), (4, 230, 278, 39, 16, 3, 0.473), (4, 39, 213, 109, 2, 2, 0.609), (4,
            41, 51, 93, 22, 2, 0.458), (4, 429, 277, 20, 76, 3, 0.03), (4, 307, 44, 71, 12, 1, 0.957), (4, 57,
            254, 88, 72, 2, 0.896)
        ]
        let groundTruth = (1...4).map { image in
            truth.filter { $0.0 == image }.map {
                Detection(x0: $0.1, y0: $0.2, x1: $0.1 + $0.3, y1: $0.2 + $0.4, label: $0.5, isCrowd: $0.6)
            }
        }
        let map = try #require(AveragePrecision.meanAveragePrecision(detections: perImage(found), groundTruth: groundTruth))
        #expect(abs(map - 0.06977447744774479) < 1e-12, "\(map)")
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
