/// The model's image input as calibration feeds it: real IRs take NCHW or NHWC (from
/// TensorFlow and TFLite converters), f32 or u8, three channels or one (grey), a batch of
/// one image or several, and sometimes dynamic dimensions that the user fixes, as the
/// seed's converter option `--input-shape` does.
///
/// Values are raw 0...255 (mean and scale are inside the IR): an f32 input gets them as
/// floats, a u8 input as bytes. A grey input gets OpenCV's RGB-to-grey conversion
/// (domain.md §8): `(4899 R + 9617 G + 1868 B + 8192) >> 14`, the fixed-point form of
/// `0.299 R + 0.587 G + 0.114 B`.
public struct ImageInput: Sendable, Equatable {
    /// Where the channel axis is.
    public enum Layout: String, Sendable, CaseIterable {
        case nchw = "NCHW"
        case nhwc = "NHWC"
    }

    /// Images per inference.
    public let batch: Int
    /// 3 (colour) or 1 (grey).
    public let channels: Int
    public let height: Int
    public let width: Int
    public let layout: Layout
    /// `.f32` or `.u8`.
    public let elementType: ElementType
    /// The name of the model's input.
    public let name: String

    /// The static input shape in the model's layout.
    public var shape: [Int] {
        layout == .nchw ? [batch, channels, height, width] : [batch, height, width, channels]
    }

    /// Reads the single Parameter of `graph`. `shape` gives the dimensions the model leaves
    /// dynamic (it must agree with its static ones); `layout` overrides the layout found in
    /// the Parameter's `rt_info`, or else guessed from the shape (channels of 1 or 3 on
    /// axis 1 means NCHW, else on axis 3 NHWC).
    /// - Throws: `ImageInputError` naming the inputs, the shape or the element type calib
    ///   cannot feed.
    public init(graph: IRGraph, shape requested: [Int]? = nil, layout requestedLayout: Layout? = nil) throws {
        let parameters = graph.layers(ofType: "Parameter")
        guard parameters.count == 1, let parameter = parameters.first, let port = parameter.outputs.first else {
            throw ImageInputError(
                "calib needs one image input, the model has \(parameters.count): \(parameters.map(\.label).joined(separator: ", "))")
        }
        let declared = port.dims ?? []
        guard declared.count == 4 else {
            throw ImageInputError("the input \(parameter.label) has shape \(declared), not 4 dimensions of an image")
        }
        var dims = declared
        if let requested {
            guard requested.count == 4, requested.allSatisfy({ $0 > 0 }),
                zip(declared, requested).allSatisfy({ $0 < 0 || $0 == $1 })
            else {
                throw ImageInputError(
                    "--input-shape \(requested.map(String.init).joined(separator: ",")) does not fit the input \(parameter.label) of shape \(declared)")
            }
            dims = requested
        }
        guard dims.allSatisfy({ $0 > 0 }) else {
            throw ImageInputError(
                "the input \(parameter.label) has dynamic shape \(declared): give the shape to calibrate with, e.g. --input-shape 1,3,1200,1200")
        }
        let layout = requestedLayout ?? Self.layout(of: parameter) ?? ([1, 3].contains(dims[1]) ? .nchw : .nhwc)
        let (channels, height, width) = layout == .nchw ? (dims[1], dims[2], dims[3]) : (dims[3], dims[1], dims[2])
        guard [1, 3].contains(channels) else {
            throw ImageInputError("the input \(parameter.label) of shape \(dims) has \(channels) channels in \(layout.rawValue); calib feeds 1 or 3")
        }
        let elementType = port.precision ?? .f32
        guard [.f32, .u8].contains(elementType) else {
            throw ImageInputError("the input \(parameter.label) is \(elementType.constName); calib feeds f32 or u8 images")
        }
        batch = dims[0]
        self.channels = channels
        self.height = height
        self.width = width
        self.layout = layout
        self.elementType = elementType
        name = parameter.name
    }

    /// The layout the Parameter's `rt_info` declares (`layout="[N,H,W,C]"` or `"NHWC"`), if any.
    static func layout(of parameter: Layer) -> Layout? {
        let elements = parameter.otherChildren + parameter.outputs.flatMap(\.otherChildren)
        for element in elements where element.name == "rt_info" {
            for attribute in element.children where attribute.name == "attribute" {
                guard attribute.attributes.first(where: { $0.name == "name" })?.value == "layout",
                    let value = attribute.attributes.first(where: { $0.name == "layout" })?.value
                else { continue }
                let letters = value.uppercased().filter(\.isLetter)
                if letters == "NCHW" { return .nchw }
                if letters == "NHWC" { return .nhwc }
            }
        }
        return nil
    }

    /// The values of one image (already `width` x `height`) in this input's layout,
    /// channels in `channelOrder` (grey for one channel): `channels * height * width`
    /// values in 0...255.
    public func values(of image: RGBImage, channelOrder: ChannelOrder) -> [Float] {
        let plane = width * height
        if channels == 1 {
            return image.pixels.withUnsafeBufferPointer { pixels in
                (0..<plane).map { p in
                    let (r, g, b) = (Int(pixels[p * 3]), Int(pixels[p * 3 + 1]), Int(pixels[p * 3 + 2]))
                    return Float((4899 * r + 9617 * g + 1868 * b + 8192) >> 14)
                }
            }
        }
        switch layout {
        case .nchw:
            return image.planarTensor(channelOrder: channelOrder)
        case .nhwc:
            let order = channelOrder == .rgb ? [0, 1, 2] : [2, 1, 0]
            return image.pixels.withUnsafeBufferPointer { pixels in
                (0..<plane * 3).map { index in Float(pixels[index / 3 * 3 + order[index % 3]]) }
            }
        }
    }

    /// `graph` with its input fixed to `shape`, for inference of a model whose input is
    /// dynamic (OpenVINO infers the other shapes when it reads it). The IR written at the
    /// end keeps the model's own input.
    public func withStaticShape(_ graph: IRGraph) throws -> IRGraph {
        var graph = graph
        guard let parameter = graph.layers(ofType: "Parameter").first, var port = parameter.outputs.first else { return graph }
        guard port.dims != shape else { return graph }
        var layer = parameter
        layer.setAttribute("shape", shape.map(String.init).joined(separator: ","))
        port.dims = shape
        layer.outputs[0] = port
        try graph.updateLayer(layer)
        return graph
    }
}
