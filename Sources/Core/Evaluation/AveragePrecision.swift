/// COCO-style mean average precision, mAP@[.5:.95], as pycocotools' `COCOeval` computes it
/// for boxes over all areas: per class and IoU threshold (0.50, 0.55, ..., 0.95), each
/// image's detections of the class in descending score order (at most `maxDetections`)
/// are matched greedily to the unmatched ground truth of highest IoU at or above the
/// threshold; precision over all images is made non-increasing and read at 101 recall
/// points; the mean over (class, threshold) pairs with any ground truth is the mAP.
/// A crowd box is matched only when no ordinary one is, may be matched many times, and a
/// detection matched to it counts neither way. Pure and deterministic.
public enum AveragePrecision {
    /// The IoU thresholds 0.50 to 0.95 in steps of 0.05.
    public static let iouThresholds: [Double] = (0..<10).map { 0.5 + 0.05 * Double($0) }

    /// mAP@[.5:.95] of `detections` against `groundTruth`, both indexed by image; nil when
    /// there is no ground truth at all.
    public static func meanAveragePrecision(
        detections: [[Detection]], groundTruth: [[Detection]], maxDetections: Int = 100
    ) -> Double? {
        precondition(detections.count == groundTruth.count, "one list of detections per image of ground truth")
        let labels = Set(groundTruth.flatMap { $0.map(\.label) }).sorted()
        var precisions = [Double]()
        for label in labels {
            for threshold in iouThresholds {
                if let value = averagePrecision(
                    label: label, threshold: threshold, detections: detections, groundTruth: groundTruth,
                    maxDetections: maxDetections)
                {
                    precisions.append(value)
                }
            }
        }
        return precisions.isEmpty ? nil : precisions.reduce(0, +) / Double(precisions.count)
    }

    /// The AP of one class at one IoU threshold; nil without ground truth of the class.
    static func averagePrecision(
        label: Int, threshold: Double, detections: [[Detection]], groundTruth: [[Detection]], maxDetections: Int
    ) -> Double? {
        var scored = [(score: Double, isMatch: Bool)]()
        var truthCount = 0
        for (found, truth) in zip(detections, groundTruth) {
            // Ordinary boxes first, then crowds, each in their own order (pycocotools' stable sort).
            let objects = truth.filter { $0.label == label && !$0.isCrowd } + truth.filter { $0.label == label && $0.isCrowd }
            truthCount += objects.count { !$0.isCrowd }
            // Descending score, ties in their original order (pycocotools' stable sort).
            let candidates = found.enumerated().filter { $0.element.label == label }
                .sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
                .prefix(maxDetections).map(\.element)
            var matched = [Bool](repeating: false, count: objects.count)
            for detection in candidates {
                var best = min(threshold, 1 - 1e-10)
                var match: Int?
                for (index, object) in objects.enumerated() where !matched[index] || object.isCrowd {
                    // Once an ordinary box matched, crowds (all after it) cannot replace it.
                    if let match, !objects[match].isCrowd, object.isCrowd { break }
                    let overlap = detection.intersectionOverUnion(object)
                    if overlap >= best {
                        best = overlap
                        match = index
                    }
                }
                if let match {
                    matched[match] = true
                    // A detection on a crowd is ignored: neither a true nor a false positive.
                    if objects[match].isCrowd { continue }
                }
                scored.append((detection.score, match != nil))
            }
        }
        guard truthCount > 0 else { return nil }
        // All images' detections by descending score; a stable sort keeps image order on ties.
        let ordered = scored.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
        var truePositives = 0.0
        var falsePositives = 0.0
        var recall = [Double]()
        var precision = [Double]()
        for entry in ordered {
            if entry.isMatch { truePositives += 1 } else { falsePositives += 1 }
            recall.append(truePositives / Double(truthCount))
            precision.append(truePositives / (truePositives + falsePositives))
        }
        for index in stride(from: precision.count - 1, to: 0, by: -1) where precision[index] > precision[index - 1] {
            precision[index - 1] = precision[index]
        }
        let recallPoints = (0...100).map { Double($0) / 100 }
        let sampled = recallPoints.map { point -> Double in
            guard let position = recall.firstIndex(where: { $0 >= point }) else { return 0 }
            return precision[position]
        }
        return sampled.reduce(0, +) / Double(sampled.count)
    }
}
