import Foundation

/// Stand-ins for COCO photographs where the real calibration images cannot be downloaded:
/// deterministic scenes with a sky/ground gradient, shaded soft-edged shapes, texture and
/// sensor-like noise, so activation statistics look like those of natural images rather
/// than of flat colours or white noise.
extension RGBImage {
    /// The seed `synthetic(index:seed:)` uses unless told otherwise.
    public static let defaultSyntheticSeed: UInt64 = 0x00C0_C0CA_2017

    /// Picture sizes (width, height) that are common in COCO, the commonest listed more
    /// than once so they come up more often.
    static let syntheticSizes: [(width: Int, height: Int)] = [
        (640, 480), (640, 480), (640, 480), (480, 640), (480, 640), (640, 427), (640, 427),
        (640, 426), (500, 375), (612, 612), (640, 360), (427, 640), (640, 512), (375, 500),
    ]

    /// The example image number `index`: identical bytes for the same `index` and `seed`
    /// on every run and machine, with a COCO-like size picked from `index`.
    public static func synthetic(index: Int, seed: UInt64 = defaultSyntheticSeed) -> RGBImage {
        var generator = SeededGenerator(seed: seed, stream: "synthetic-size-\(index)")
        let size = syntheticSizes[Int(generator.next() % UInt64(syntheticSizes.count))]
        return synthetic(index: index, seed: seed, width: size.width, height: size.height)
    }

    /// The example image number `index` at an explicit size; the content depends only on
    /// `index`, `seed` and the size. Sides below 1 are raised to 1.
    public static func synthetic(index: Int, seed: UInt64 = defaultSyntheticSeed, width: Int, height: Int)
        -> RGBImage
    {
        syntheticScene(index: index, seed: seed, width: width, height: height).image
    }

    /// The example image number `index` (as `synthetic(index:seed:)`) and the boxes of the
    /// shapes drawn on it, for annotation files that match the pictures.
    public static func syntheticScene(index: Int, seed: UInt64 = defaultSyntheticSeed) -> SyntheticScene {
        var generator = SeededGenerator(seed: seed, stream: "synthetic-size-\(index)")
        let size = syntheticSizes[Int(generator.next() % UInt64(syntheticSizes.count))]
        return syntheticScene(index: index, seed: seed, width: size.width, height: size.height)
    }

    private static func syntheticScene(index: Int, seed: UInt64, width: Int, height: Int) -> SyntheticScene {
        var painter = ScenePainter(width: max(width, 1), height: max(height, 1))
        var generator = SeededGenerator(seed: seed, stream: "synthetic-image-\(index)")
        painter.paintBackground(using: &generator)
        let shapeCount = 3 + Int(generator.next() % 6)
        var objects = [SyntheticScene.Object]()
        for _ in 0..<shapeCount {
            if let object = painter.paintShape(using: &generator) { objects.append(object) }
        }
        return SyntheticScene(image: painter.finish(using: &generator), objects: objects)
    }
}

/// An example image with what is drawn on it: the shapes, each as a kind and a box.
public struct SyntheticScene: Sendable {
    /// One shape: its kind and its axis-aligned box in pixels, clipped to the image.
    public struct Object: Sendable, Equatable {
        public enum Kind: Int, Sendable, CaseIterable {
            case ellipse, rectangle, triangle
        }

        public let kind: Kind
        public let x: Double
        public let y: Double
        public let width: Double
        public let height: Double
    }

    public let image: RGBImage
    /// The shapes in drawing order (later ones may cover earlier ones).
    public let objects: [Object]
}

/// A floating-point RGB canvas (0...255 per channel) that the scene is drawn on before
/// noise is added and the result is rounded to bytes.
private struct ScenePainter {
    let width: Int
    let height: Int
    var canvas: [Float]
    /// A smooth random field in about -1...1, shared by the ground and textured shapes.
    var texture: [Float] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        canvas = [Float](repeating: 0, count: width * height * 3)
    }

    /// Sky gradient above a wavy horizon, ground gradient below it, both modulated by texture.
    mutating func paintBackground(using generator: inout SeededGenerator) {
        let width = width, height = height
        texture = ScenePainter.valueNoise(width: width, height: height, using: &generator)
        let skyHue = generator.unit()
        let skySaturation = 0.2 + 0.4 * generator.unit()
        let skyValue = 0.55 + 0.4 * generator.unit()
        let skyTop = Colour(hue: skyHue, saturation: skySaturation, value: skyValue)
        let skyLow = Colour(
            hue: skyHue + 0.05 * (generator.unit() - 0.5), saturation: skySaturation * 0.5,
            value: min(1, skyValue + 0.15))
        let groundHue = 0.05 + 0.35 * generator.unit()
        let groundSaturation = 0.25 + 0.45 * generator.unit()
        let groundValue = 0.2 + 0.35 * generator.unit()
        let groundFar = Colour(hue: groundHue + 0.03, saturation: groundSaturation * 0.7, value: groundValue * 1.3)
        let groundNear = Colour(hue: groundHue, saturation: groundSaturation, value: groundValue)

        let h = Double(height)
        let level = h * (0.3 + 0.4 * generator.unit())
        let tilt = h * 0.3 * (generator.unit() - 0.5)
        let waveHeight = h * 0.04 * generator.unit()
        let waveFrequency = 2 * Double.pi * (1 + 3 * generator.unit()) / Double(width)
        let wavePhase = 2 * Double.pi * generator.unit()
        let horizon: [Float] = (0..<width).map { x in
            let across = Double(x) / Double(width) - 0.5
            return Float(level + tilt * across + waveHeight * sin(waveFrequency * Double(x) + wavePhase))
        }
        let skyTexture = Float(0.02 + 0.05 * generator.unit())
        let groundTexture = Float(0.1 + 0.2 * generator.unit())

        texture.withUnsafeBufferPointer { noise in
            canvas.withUnsafeMutableBufferPointer { pixels in
                for y in 0..<height {
                    let row = Float(y) + 0.5
                    for x in 0..<width {
                        let line = horizon[x]
                        let skyT = min(max(row / max(line, 1), 0), 1)
                        let groundT = min(max((row - line) / max(Float(height) - line, 1), 0), 1)
                        let ground = min(max(row - line + 0.5, 0), 1)  // one-pixel soft horizon
                        let sky = 1 - ground
                        let n = noise[y * width + x]
                        let shade = sky * (1 + skyTexture * n) + ground * (1 + groundTexture * n)
                        let skyColour = skyTop.mix(skyLow, skyT), groundColour = groundFar.mix(groundNear, groundT)
                        let p = (y * width + x) * 3
                        pixels[p] = shade * (sky * skyColour.red + ground * groundColour.red)
                        pixels[p + 1] = shade * (sky * skyColour.green + ground * groundColour.green)
                        pixels[p + 2] = shade * (sky * skyColour.blue + ground * groundColour.blue)
                    }
                }
            }
        }
    }

    /// One filled ellipse, rectangle or triangle with a soft edge, directional shading and
    /// optionally stripes or noise texture, blended over what is already drawn; returns its
    /// box (nil when it lies outside the image).
    mutating func paintShape(using generator: inout SeededGenerator) -> SyntheticScene.Object? {
        let shortSide = Double(min(width, height))
        let kind = generator.next() % 3
        let centreX = Double(width) * (0.05 + 0.9 * generator.unit())
        let centreY = Double(height) * (0.15 + 0.8 * generator.unit())
        let radius = shortSide * (0.05 + 0.25 * generator.unit())
        let aspect = 0.5 + 1.3 * generator.unit()
        let angle = Double.pi * generator.unit()
        let colour = Colour(
            hue: generator.unit(), saturation: 0.25 + 0.7 * generator.unit(), value: 0.25 + 0.7 * generator.unit())
        let softness = Float(0.7 + 2.0 * generator.unit())
        let lightAngle = 2 * Double.pi * generator.unit()
        let shading = Float(0.15 + 0.3 * generator.unit())
        let textureKind = generator.next() % 3  // 0: plain, 1: stripes, 2: noise
        let textureAmount = Float(0.06 + 0.14 * generator.unit())
        let stripeFrequency = Float(2 * Double.pi / (3 + 15 * generator.unit()))

        let cosine = Float(cos(angle)), sine = Float(sin(angle))
        let radiusX = Float(radius * aspect.squareRoot()), radiusY = Float(radius / aspect.squareRoot())
        let lightX = Float(cos(lightAngle)), lightY = Float(sin(lightAngle))
        let reach = Float(radius) * 2 + 2 * softness
        let triangle = Triangle(radius: Float(radius), using: &generator)

        let x0 = max(Int(Float(centreX) - reach), 0), x1 = min(Int(Float(centreX) + reach), width - 1)
        let y0 = max(Int(Float(centreY) - reach), 0), y1 = min(Int(Float(centreY) + reach), height - 1)
        guard x0 <= x1, y0 <= y1 else { return nil }
        // The extent of the shape's ellipse of radii (radiusX, radiusY) turned by `angle`.
        let halfWidth = (pow(Double(radiusX) * cos(angle), 2) + pow(Double(radiusY) * sin(angle), 2)).squareRoot()
        let halfHeight = (pow(Double(radiusX) * sin(angle), 2) + pow(Double(radiusY) * cos(angle), 2)).squareRoot()
        let left = max(centreX - halfWidth, 0), right = min(centreX + halfWidth, Double(width))
        let top = max(centreY - halfHeight, 0), bottom = min(centreY + halfHeight, Double(height))
        let object = SyntheticScene.Object(
            kind: SyntheticScene.Object.Kind(rawValue: Int(kind)) ?? .ellipse, x: left, y: top, width: max(right - left, 0),
            height: max(bottom - top, 0))
        let cx = Float(centreX), cy = Float(centreY), size = Float(radius)
        let width = width
        texture.withUnsafeBufferPointer { noise in
            canvas.withUnsafeMutableBufferPointer { pixels in
                for y in y0...y1 {
                    let dy = Float(y) + 0.5 - cy
                    for x in x0...x1 {
                        let dx = Float(x) + 0.5 - cx
                        let u = cosine * dx + sine * dy
                        let v = cosine * dy - sine * dx
                        var distance: Float
                        var shade: Float = 1 + shading * (u * lightX + v * lightY) / size
                        switch kind {
                        case 0:
                            let scaledU = u / radiusX, scaledV = v / radiusY
                            let rho = (scaledU * scaledU + scaledV * scaledV).squareRoot()
                            distance = (rho - 1) * min(radiusX, radiusY)
                            shade *= 0.7 + 0.3 * max(1 - rho * rho, 0).squareRoot()
                        case 1:
                            distance = max(abs(u) - radiusX, abs(v) - radiusY)
                        default:
                            distance = triangle.distance(u, v)
                        }
                        let coverage = min(max(0.5 - distance / softness, 0), 1)
                        if coverage == 0 { continue }
                        switch textureKind {
                        case 1: shade *= 1 + textureAmount * sin(stripeFrequency * u)
                        case 2: shade *= 1 + 2 * textureAmount * noise[y * width + x]
                        default: break
                        }
                        let p = (y * width + x) * 3
                        let keep = 1 - coverage
                        pixels[p] = keep * pixels[p] + coverage * shade * colour.red
                        pixels[p + 1] = keep * pixels[p + 1] + coverage * shade * colour.green
                        pixels[p + 2] = keep * pixels[p + 2] + coverage * shade * colour.blue
                    }
                }
            }
        }
        return object
    }

    /// Adds per-pixel gaussian noise of a random strength and rounds to bytes.
    mutating func finish(using generator: inout SeededGenerator) -> RGBImage {
        // Drawing a fresh normal per sample costs a logarithm and a cosine; a table of
        // normal draws indexed by 12 random bits at a time is as good for mild noise.
        let sigma = Float(1 + 2.5 * generator.unit())
        let table = (0..<4096).map { _ in sigma * Float(generator.normal()) }
        let count = canvas.count
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            table.withUnsafeBufferPointer { normals in
                canvas.withUnsafeBufferPointer { pixels in
                    var bits: UInt64 = 0
                    var remaining = 0
                    for i in 0..<count {
                        if remaining == 0 {
                            bits = generator.next()
                            remaining = 5
                        }
                        let value = pixels[i] + normals[Int(bits & 0xFFF)]
                        bits >>= 12
                        remaining -= 1
                        output[i] = UInt8(min(max(value, 0), 255) + 0.5)
                    }
                }
            }
            initialized = count
        }
        return RGBImage(validWidth: width, validHeight: height, pixels: bytes)
    }

    /// Two octaves of value noise: random values on coarse grids, smoothly interpolated.
    static func valueNoise(width: Int, height: Int, using generator: inout SeededGenerator) -> [Float] {
        var field = [Float](repeating: 0, count: width * height)
        let coarseCell = 24 + 56 * generator.unit()
        for (cell, amplitude) in [(coarseCell, Float(0.7)), (coarseCell / 5, Float(0.3))] {
            let columns = Int(Double(width) / cell) + 2, rows = Int(Double(height) / cell) + 2
            let grid = (0..<columns * rows).map { _ in Float(2 * generator.unit() - 1) }
            let xCells = (0..<width).map { GridStep(position: (Double($0) + 0.5) / cell) }
            let yCells = (0..<height).map { GridStep(position: (Double($0) + 0.5) / cell) }
            field.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = yCells[y]
                    let top = row.index * columns, bottom = top + columns
                    for x in 0..<width {
                        let column = xCells[x]
                        let i = column.index
                        let upper = grid[top + i] + column.weight * (grid[top + i + 1] - grid[top + i])
                        let lower = grid[bottom + i] + column.weight * (grid[bottom + i + 1] - grid[bottom + i])
                        out[y * width + x] += amplitude * (upper + row.weight * (lower - upper))
                    }
                }
            }
        }
        return field
    }
}

/// A grid cell index and the smoothstep weight towards the next grid point.
private struct GridStep {
    let index: Int
    let weight: Float

    init(position: Double) {
        let floor = position.rounded(.down)
        let t = Float(position - floor)
        index = Int(floor)
        weight = t * t * (3 - 2 * t)
    }
}

/// An RGB colour scaled to 0...255.
private struct Colour {
    let red: Float
    let green: Float
    let blue: Float

    init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// From hue (wrapping, 1 = full turn), saturation and value in 0...1.
    init(hue: Double, saturation: Double, value: Double) {
        let h = (hue - hue.rounded(.down)) * 6
        let sector = Int(h) % 6
        let f = h - Double(Int(h))
        let v = min(max(value, 0), 1) * 255, s = min(max(saturation, 0), 1)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double) =
            switch sector {
            case 0: (v, t, p)
            case 1: (q, v, p)
            case 2: (p, v, t)
            case 3: (p, q, v)
            case 4: (t, p, v)
            default: (v, p, q)
            }
        self.init(red: Float(rgb.0), green: Float(rgb.1), blue: Float(rgb.2))
    }

    /// Linear blend towards `other` by `t` in 0...1.
    func mix(_ other: Colour, _ t: Float) -> Colour {
        Colour(
            red: red + t * (other.red - red), green: green + t * (other.green - green),
            blue: blue + t * (other.blue - blue))
    }
}

/// A triangle around the origin, as three edges with outward unit normals, so the signed
/// distance of a point is the largest of its distances beyond each edge.
private struct Triangle {
    let normals: [(x: Float, y: Float)]
    let offsets: [Float]

    init(radius: Float, using generator: inout SeededGenerator) {
        let vertices: [(x: Float, y: Float)] = (0..<3).map { k in
            let angle = 2 * Double.pi * (Double(k) / 3 + 0.12 * (generator.unit() - 0.5))
            let reach = Double(radius) * (0.75 + 0.5 * generator.unit())
            return (Float(reach * cos(angle)), Float(reach * sin(angle)))
        }
        var normals: [(x: Float, y: Float)] = []
        var offsets: [Float] = []
        for k in 0..<3 {
            let a = vertices[k], b = vertices[(k + 1) % 3]
            // Vertices run counter-clockwise, so (dy, -dx) points outwards.
            let edgeX = b.x - a.x, edgeY = b.y - a.y
            let length = max((edgeX * edgeX + edgeY * edgeY).squareRoot(), 1e-6)
            let normal = (x: edgeY / length, y: -edgeX / length)
            normals.append(normal)
            offsets.append(normal.x * a.x + normal.y * a.y)
        }
        self.normals = normals
        self.offsets = offsets
    }

    func distance(_ u: Float, _ v: Float) -> Float {
        max(
            normals[0].x * u + normals[0].y * v - offsets[0],
            normals[1].x * u + normals[1].y * v - offsets[1],
            normals[2].x * u + normals[2].y * v - offsets[2])
    }
}
