/// The seed's `modify_onnx_model.py` (domain.md §1, step 1) done on an IR: a detector
/// with outputs `bboxes [1, N, 4]`, `labels [1, N]` and `scores [1, N]` gets one more
/// output, `output [1, N, 7]`, whose rows are `[x0, y0, x1, y1, label, score, score]`
/// (labels cast to f32), for harnesses that want a single tensor (the NVIDIA MLPerf
/// harness the seed used). The original outputs stay.
public enum SingleOutputEdit {
    /// The name of the added output (tensor and `Result`).
    public static let outputName = "output"

    /// `graph` with the single output added. Outputs are found by tensor name: the first
    /// whose name contains `bboxes`, `labels` and `scores` (the seed's adapter patterns).
    /// Throws `IRError.invalidNetwork` naming what is missing or mis-shaped, or when the
    /// graph already has an output named `output`.
    public static func apply(to source: IRGraph) throws -> IRGraph {
        var graph = source
        let outputs = source.layers(ofType: "Result").compactMap { result -> (names: [String], port: PortReference, dims: [Int]?, type: ElementType?)? in
            guard let input = result.inputs.first, let producer = source.producer(of: PortReference(layer: result.id, port: input.id)),
                let port = source.port(producer)
            else { return nil }
            return (port.names, producer, port.dims, port.precision)
        }
        if outputs.contains(where: { $0.names.contains(outputName) }) {
            throw IRError.invalidNetwork("the model already has an output named '\(outputName)'")
        }
        func find(_ pattern: String, rank: Int) throws -> (port: PortReference, dims: [Int], type: ElementType?) {
            guard let found = outputs.first(where: { $0.names.contains { $0.contains(pattern) } }) else {
                let names = outputs.flatMap(\.names).joined(separator: ", ")
                throw IRError.invalidNetwork("no output whose name contains '\(pattern)' (outputs: \(names))")
            }
            guard let dims = found.dims, dims.count == rank, dims[0] == 1 else {
                throw IRError.invalidNetwork("output '\(found.names[0])' is not [1, N\(rank == 3 ? ", 4" : "")]: \(found.dims ?? [])")
            }
            return (found.port, dims, found.type)
        }
        let boxes = try find("bboxes", rank: 3)
        let labels = try find("labels", rank: 2)
        let scores = try find("scores", rank: 2)
        guard boxes.dims[2] == 4 else { throw IRError.invalidNetwork("output bboxes is not [1, N, 4]: \(boxes.dims)") }
        let count = boxes.dims[1]

        let column: (PortReference, ElementType?, String) throws -> PortReference = { tensor, type, name in
            var input = tensor
            if type != .f32 {
                let convert = graph.addLayer(
                    type: "Convert", name: "\(outputName)/\(name)/to_f32", data: [.init("destination_type", "f32")],
                    inputs: [(type, [1, count])], outputs: [(.f32, [1, count])])
                try graph.connect(tensor, to: PortReference(layer: convert, port: 0))
                input = PortReference(layer: convert, port: 1)
            }
            let axis = try graph.addConst(
                name: "\(outputName)/\(name)/axis", elementType: .i64, shape: [1], bytes: UInt64(2).littleEndianBytes)
            let unsqueeze = graph.addLayer(
                type: "Unsqueeze", name: "\(outputName)/\(name)/column", inputs: [(.f32, [1, count]), (.i64, [1])],
                outputs: [(.f32, [1, count, 1])])
            try graph.connect(input, to: PortReference(layer: unsqueeze, port: 0))
            try graph.connect(axis, to: PortReference(layer: unsqueeze, port: 1))
            return PortReference(layer: unsqueeze, port: 2)
        }
        let labelColumn = try column(labels.port, labels.type, "labels")
        let scoreColumn = try column(scores.port, scores.type, "scores")
        let parts = [boxes.port, labelColumn, scoreColumn, scoreColumn]
        let concat = graph.addLayer(
            type: "Concat", name: "\(outputName)/concat", data: [.init("axis", "2")],
            inputs: [(.f32, [1, count, 4]), (.f32, [1, count, 1]), (.f32, [1, count, 1]), (.f32, [1, count, 1])],
            outputs: [(.f32, [1, count, 7])], outputNames: [[outputName]])
        for (index, part) in parts.enumerated() {
            try graph.connect(part, to: PortReference(layer: concat, port: index))
        }
        _ = try graph.addResult(on: PortReference(layer: concat, port: 4), name: "\(outputName)/sink_port_0")
        return graph
    }
}
