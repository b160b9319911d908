import Testing

@testable import Core

/// The image input as real IRs declare it: layout, element type, channels, batch and
/// dynamic dimensions, and the values each gets.
struct ImageInputTests {
    /// A graph whose only layer is a Parameter of `dims` and `type` feeding a Relu.
    private func graph(_ dims: [Int], _ type: ElementType = .f32, layoutInfo: String? = nil) -> IRGraph {
        var builder = GraphBuilder(name: "input")
        let image = builder.parameter(name: "image", dims: dims, elementType: type)
        builder.result(builder.unary("Relu", image, name: "relu"), name: "out")
        var graph = builder.graph
        if let layoutInfo, var parameter = graph.layers(ofType: "Parameter").first {
            parameter.otherChildren.append(
                XMLElement(name: "rt_info", children: [
                    XMLElement(name: "attribute", attributes: [.init("name", "layout"), .init("version", "0"), .init("layout", layoutInfo)])
                ]))
            try! graph.updateLayer(parameter)
        }
        return graph
    }

    @Test func layoutsTypesChannelsAndBatchAreReadFromTheModel() throws {
        let nchw = try ImageInput(graph: graph([1, 3, 16, 12]))
        #expect(nchw.layout == .nchw && nchw.channels == 3 && nchw.height == 16 && nchw.width == 12 && nchw.elementType == .f32)
        let nhwc = try ImageInput(graph: graph([1, 16, 12, 3], .u8))
        #expect(nhwc.layout == .nhwc && nhwc.shape == [1, 16, 12, 3] && nhwc.elementType == .u8)
        let grey = try ImageInput(graph: graph([1, 1, 8, 8]))
        #expect(grey.channels == 1 && grey.layout == .nchw)
        #expect(try ImageInput(graph: graph([2, 3, 8, 8])).batch == 2)
        // A 3x3 image in NHWC looks NCHW by its shape: rt_info and --layout settle it.
        #expect(try ImageInput(graph: graph([1, 3, 3, 3])).layout == .nchw)
        #expect(try ImageInput(graph: graph([1, 3, 3, 3], layoutInfo: "[N,H,W,C]")).layout == .nhwc)
        #expect(try ImageInput(graph: graph([1, 3, 3, 3]), layout: .nhwc).layout == .nhwc)
    }

    @Test func dynamicDimensionsNeedAShapeThatFitsTheStaticOnes() throws {
        let dynamic = graph([-1, 3, -1, -1])
        #expect(throws: ImageInputError(
            "the input 'image' (id 0, Parameter) has dynamic shape [-1, 3, -1, -1]: give the shape to calibrate with, e.g. --input-shape 1,3,1200,1200")) {
            try ImageInput(graph: dynamic)
        }
        let fixed = try ImageInput(graph: dynamic, shape: [1, 3, 20, 30])
        #expect(fixed.shape == [1, 3, 20, 30])
        #expect(throws: ImageInputError(
            "--input-shape 1,1,20,30 does not fit the input 'image' (id 0, Parameter) of shape [-1, 3, -1, -1]")) {
            try ImageInput(graph: dynamic, shape: [1, 1, 20, 30])
        }
        let graph = try fixed.withStaticShape(dynamic)
        #expect(graph.layers(ofType: "Parameter").first?.attribute("shape") == "1,3,20,30")
        #expect(graph.layers(ofType: "Parameter").first?.outputs.first?.dims == [1, 3, 20, 30])
    }

    @Test func inputsCalibCannotFeedAreRefusedByName() {
        #expect(throws: ImageInputError.self) { try ImageInput(graph: graph([1, 4, 8, 8])) }
        #expect(throws: ImageInputError.self) { try ImageInput(graph: graph([1, 3, 8, 8], .i32)) }
        #expect(throws: ImageInputError.self) { try ImageInput(graph: graph([1, 3, 8])) }
        var builder = GraphBuilder(name: "two")
        let a = builder.parameter(name: "a", dims: [1, 3, 4, 4])
        let b = builder.parameter(name: "b", dims: [1, 3, 4, 4])
        builder.result(builder.binary("Add", a, b, name: "sum"), name: "out")
        #expect(throws: ImageInputError(
            "calib needs one image input, the model has 2: 'a' (id 0, Parameter), 'b' (id 1, Parameter)")) {
            try ImageInput(graph: builder.graph)
        }
    }

    @Test func valuesFollowTheLayoutChannelOrderAndGrey() throws {
        // Two pixels: pure red and (10, 20, 30).
        let image = try RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 10, 20, 30])
        #expect(try ImageInput(graph: graph([1, 3, 1, 2])).values(of: image, channelOrder: .rgb) == [255, 10, 0, 20, 0, 30])
        // [1,1,2,3] reads as NCHW grey by its shape; said to be NHWC it is one row of two pixels.
        let nhwc = try ImageInput(graph: graph([1, 1, 2, 3], .u8), layout: .nhwc)
        #expect(nhwc.values(of: image, channelOrder: .rgb) == [255, 0, 0, 10, 20, 30])
        #expect(nhwc.values(of: image, channelOrder: .bgr) == [0, 0, 255, 30, 20, 10])
        // OpenCV's grey: (4899 R + 9617 G + 1868 B + 8192) >> 14; red gives 76, (10, 20, 30) gives 18.
        #expect(try ImageInput(graph: graph([1, 1, 1, 2])).values(of: image, channelOrder: .rgb) == [76, 18])
    }
}
