/// The size and compute cost of a model read off its graph: multiply-accumulates of
/// Convolution, GroupConvolution and MatMul layers from their port shapes, and the
/// number of float weights. The figures users compare with published ones (216.4 GMAC
/// and 20.0 M parameters for ssd-resnet34 at 1200).
public struct ModelCost: Sendable, Equatable {
    public let multiplyAccumulates: Int
    public let parameters: Int

    /// Computes the cost; layers whose shapes are dynamic or missing are an error naming them.
    public init(graph: IRGraph) throws {
        var macs = 0
        for layer in graph.layers where ["Convolution", "GroupConvolution", "MatMul"].contains(layer.type) {
            guard let output = layer.outputs.first?.dims, let weights = layer.inputs.dropFirst().first?.dims,
                let input = layer.inputs.first?.dims, (output + weights + input).allSatisfy({ $0 >= 0 })
            else {
                throw IRError.invalidLayer(layer: layer.label, reason: "needs static port shapes to count its cost")
            }
            let outputs = output.reduce(1, *)
            switch layer.type {
            case "Convolution": macs += outputs * weights.dropFirst().reduce(1, *)
            case "GroupConvolution": macs += outputs * weights.dropFirst(2).reduce(1, *)
            default:
                let transposed = layer.attribute("transpose_a") == "true"
                macs += outputs * (transposed ? input[input.count - 2] : input[input.count - 1])
            }
        }
        multiplyAccumulates = macs
        parameters = graph.layers.filter { $0.type == "Const" }.reduce(0) { total, layer in
            guard let view = try? graph.constView(layer.id), view.elementType.isFloatingPoint else { return total }
            return total + view.count
        }
    }
}
