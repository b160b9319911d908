/// One detected (or ground-truth) object: a box in corner form `[x0, y0, x1, y1]` (any
/// unit, the same for every box compared), a class label and a confidence score; a
/// ground-truth box may be a crowd (COCO's `iscrowd`), which detections may overlap
/// without counting for or against them.
public struct Detection: Sendable, Equatable {
    public var x0: Double
    public var y0: Double
    public var x1: Double
    public var y1: Double
    public var label: Int
    public var score: Double
    /// A ground-truth box covering a crowd of objects.
    public var isCrowd: Bool

    public init(x0: Double, y0: Double, x1: Double, y1: Double, label: Int, score: Double = 1, isCrowd: Bool = false) {
        self.isCrowd = isCrowd
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
        self.label = label
        self.score = score
    }

    /// The box's area (0 for an empty or inverted box).
    public var area: Double { max(x1 - x0, 0) * max(y1 - y0, 0) }

    /// Intersection over union with the ground-truth box `other`, as COCO computes it (no
    /// +1 on widths); against a crowd, the union is this box alone. 0 for empty boxes.
    public func intersectionOverUnion(_ other: Detection) -> Double {
        let width = min(x1, other.x1) - max(x0, other.x0)
        let height = min(y1, other.y1) - max(y0, other.y0)
        guard width > 0, height > 0 else { return 0 }
        let intersection = width * height
        let union = other.isCrowd ? area : area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}
