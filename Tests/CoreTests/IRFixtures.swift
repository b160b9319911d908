import Foundation
import Testing

@testable import Core

/// Small hand-written IRs for the IR tests: image [1,3,8,8] -> Convolution (4 filters of
/// 3x3, weights from a Const) -> ReLU -> Result.
///
/// - `v11XML` is IR v11 as OpenVINO 2024+ lays it out (tabs, `names`, `<rt_info>` on the
///   net, a layer and a port), with f32 weights `v11Weights`. It is written exactly as
///   `IRWriter` writes, so reading and writing it gives the same bytes.
/// - `v10XML` is IR v10 as an old Model Optimizer wrote an FP16 model: an f16 Const
///   followed by a Convert to f32, attributes in alphabetical order, a comment, no tensor
///   names on most ports, and a `<meta_data>` block with `<data_type value="DIR"/>`.
enum IRFixtures {
    /// The UTF-8 bytes of `text`.
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Little-endian f32 bytes.
    static func f32Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value -> [UInt8] in
            let bits = value.bitPattern
            return [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
    }

    /// Little-endian f16 bytes (round to nearest even).
    static func f16Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value -> [UInt8] in
            let bits = HalfFloat.bits(from: value)
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
    }

    /// The Convolution weights, shape [4,3,3,3]: 108 reproducible values.
    static let convolutionWeights: [Float] = {
        var generator = SeededGenerator(seed: 11, stream: "IRFixtures.conv1")
        return (0..<108).map { _ in Float(generator.normal() * 0.1) }
    }()

    /// The `.bin` of `v11XML`: the weights as f32 (432 bytes).
    static var v11Weights: [UInt8] { f32Bytes(convolutionWeights) }

    /// The `.bin` of `v10XML`: the weights as f16 (216 bytes).
    static var v10Weights: [UInt8] { f16Bytes(convolutionWeights) }

    /// The v11 IR, byte for byte as `IRWriter` writes it.
    static let v11XML = """
<?xml version="1.0"?>
<net name="tiny" version="11">
	<layers>
		<layer id="0" name="image" type="Parameter" version="opset1">
			<data shape="1,3,8,8" element_type="f32"/>
			<output>
				<port id="0" precision="FP32" names="image">
					<dim>1</dim>
					<dim>3</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</output>
		</layer>
		<layer id="1" name="conv1.weight" type="Const" version="opset1">
			<data element_type="f32" shape="4,3,3,3" offset="0" size="432"/>
			<output>
				<port id="0" precision="FP32">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</output>
		</layer>
		<layer id="2" name="conv1" type="Convolution" version="opset1">
			<data strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"/>
			<input>
				<port id="0" precision="FP32">
					<dim>1</dim>
					<dim>3</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
				<port id="1" precision="FP32">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</input>
			<output>
				<port id="2" precision="FP32" names="conv1">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
					<rt_info>
						<attribute name="layout" version="0" layout="[N,C,H,W]"/>
					</rt_info>
				</port>
			</output>
			<rt_info>
				<attribute name="fused_names" version="0" value="conv1,bias1"/>
			</rt_info>
		</layer>
		<layer id="3" name="relu1" type="ReLU" version="opset1">
			<input>
				<port id="0" precision="FP32">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</input>
			<output>
				<port id="1" precision="FP32" names="relu1,features">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</output>
		</layer>
		<layer id="4" name="features/sink_port_0" type="Result" version="opset1">
			<input>
				<port id="0" precision="FP32">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
		<edge from-layer="3" from-port="1" to-layer="4" to-port="0"/>
	</edges>
	<rt_info>
		<Runtime_version value="2024.6.0-17404-4c0f47d2335-releases/2024/6"/>
		<conversion_parameters>
			<framework value="onnx"/>
			<is_python_object value="False"/>
		</conversion_parameters>
	</rt_info>
</net>

"""

    /// The v10 FP16 IR of an old Model Optimizer, with the `DIR` data type in `<meta_data>`.
    static let v10XML = """
<?xml version="1.0" ?>
<net name="tiny_fp16" version="10">
	<layers>
		<layer id="0" name="image" type="Parameter" version="opset1">
			<data element_type="f32" shape="1,3,8,8"/>
			<output>
				<port id="0" names="image" precision="FP32">
					<dim>1</dim>
					<dim>3</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</output>
		</layer>
		<!-- FP16 weights are stored as f16 and converted on load -->
		<layer id="1" name="conv1.weight/fp16" type="Const" version="opset1">
			<data element_type="f16" offset="0" shape="4,3,3,3" size="216"/>
			<output>
				<port id="0" precision="FP16">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</output>
		</layer>
		<layer id="2" name="conv1.weight" type="Convert" version="opset1">
			<data destination_type="f32"/>
			<input>
				<port id="0">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</input>
			<output>
				<port id="1" precision="FP32">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</output>
		</layer>
		<layer id="3" name="conv1" type="Convolution" version="opset1">
			<data auto_pad="explicit" dilations="1,1" pads_begin="1,1" pads_end="1,1" strides="1,1"/>
			<input>
				<port id="0">
					<dim>1</dim>
					<dim>3</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
				<port id="1">
					<dim>4</dim>
					<dim>3</dim>
					<dim>3</dim>
					<dim>3</dim>
				</port>
			</input>
			<output>
				<port id="2" precision="FP32">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</output>
		</layer>
		<layer id="4" name="relu1" type="ReLU" version="opset1">
			<input>
				<port id="0">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</input>
			<output>
				<port id="1" precision="FP32">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</output>
		</layer>
		<layer id="5" name="relu1/sink_port_0" type="Result" version="opset1">
			<input>
				<port id="0">
					<dim>1</dim>
					<dim>4</dim>
					<dim>8</dim>
					<dim>8</dim>
				</port>
			</input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="3" to-port="0"/>
		<edge from-layer="1" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="2" from-port="1" to-layer="3" to-port="1"/>
		<edge from-layer="3" from-port="2" to-layer="4" to-port="0"/>
		<edge from-layer="4" from-port="1" to-layer="5" to-port="0"/>
	</edges>
	<meta_data>
		<MO_version value="2021.4.2-3976-0943ed67223-refs/pull/539/head"/>
		<cli_parameters>
			<data_type value="DIR"/>
			<input_shape value="[1,3,8,8]"/>
			<mean_values value="image[123.675,116.28,103.53]"/>
			<scale_values value="image[58.395,57.12,57.375]"/>
			<reverse_input_channels value="False"/>
			<unset unset_cli_parameters="batch, disable_fusing, finegrain_fusing"/>
		</cli_parameters>
	</meta_data>
</net>

"""

    /// `text` with `target` replaced by `replacement`; fails the test if `target` is absent.
    static func replacing(
        _ target: String, with replacement: String, in text: String = v11XML,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        #expect(text.contains(target), "fixture has no '\(target)'", sourceLocation: sourceLocation)
        return text.replacingOccurrences(of: target, with: replacement)
    }

    static func v11Graph() throws -> IRGraph {
        try IRReader.read(xml: bytes(v11XML), weights: v11Weights)
    }

    static func v10Graph() throws -> IRGraph {
        try IRReader.read(xml: bytes(v10XML), weights: v10Weights)
    }

    /// What differs between two graphs, field by field (empty when they are equal).
    static func differences(_ a: IRGraph, _ b: IRGraph) -> [String] {
        var found: [String] = []
        if a.name != b.name { found.append("name: \(a.name) vs \(b.name)") }
        if a.version != b.version { found.append("version: \(a.version) vs \(b.version)") }
        if a.layers.count != b.layers.count {
            found.append("layer count: \(a.layers.count) vs \(b.layers.count)")
        }
        for (left, right) in zip(a.layers, b.layers) where left != right {
            found.append("layer \(left.label): \(left) vs \(right)")
        }
        if a.edges != b.edges { found.append("edges: \(a.edges) vs \(b.edges)") }
        if a.weights != b.weights { found.append("weights: \(a.weights.count) vs \(b.weights.count) bytes differ") }
        if a.otherAttributes != b.otherAttributes {
            found.append("net attributes: \(a.otherAttributes) vs \(b.otherAttributes)")
        }
        if a.otherChildren != b.otherChildren {
            found.append("net children: \(a.otherChildren) vs \(b.otherChildren)")
        }
        return found
    }

    /// The error `body` throws, if it is an `IRError`.
    static func irError(_ body: () throws -> Void) -> IRError? {
        do {
            try body()
            return nil
        } catch let error as IRError {
            return error
        } catch {
            return nil
        }
    }

    /// A synthetic IR of about `layers` layers (a chain of ReLUs), for size and speed checks.
    static func chainXML(layers count: Int) -> String {
        var text = "<?xml version=\"1.0\"?>\n<net name=\"chain\" version=\"11\">\n\t<layers>\n"
        func port(_ id: Int, names: String?) -> String {
            let namesAttribute = names.map { " names=\"\($0)\"" } ?? ""
            return "\t\t\t\t<port id=\"\(id)\" precision=\"FP32\"\(namesAttribute)>\n"
                + "\t\t\t\t\t<dim>1</dim>\n\t\t\t\t\t<dim>64</dim>\n\t\t\t\t\t<dim>150</dim>\n\t\t\t\t\t<dim>150</dim>\n"
                + "\t\t\t\t\t<rt_info>\n\t\t\t\t\t\t<attribute name=\"layout\" version=\"0\" layout=\"[N,C,H,W]\"/>\n"
                + "\t\t\t\t\t</rt_info>\n\t\t\t\t</port>\n"
        }
        text += "\t\t<layer id=\"0\" name=\"input\" type=\"Parameter\" version=\"opset1\">\n"
        text += "\t\t\t<data shape=\"1,64,150,150\" element_type=\"f32\"/>\n\t\t\t<output>\n"
        text += port(0, names: "input") + "\t\t\t</output>\n\t\t</layer>\n"
        for id in 1..<count {
            text += "\t\t<layer id=\"\(id)\" name=\"relu_\(id) &amp; co\" type=\"ReLU\" version=\"opset1\">\n"
            text += "\t\t\t<input>\n" + port(0, names: nil) + "\t\t\t</input>\n"
            text += "\t\t\t<output>\n" + port(1, names: "relu_\(id)") + "\t\t\t</output>\n"
            text += "\t\t\t<rt_info>\n\t\t\t\t<attribute name=\"fused_names\" version=\"0\" value=\"relu_\(id)\"/>\n"
            text += "\t\t\t</rt_info>\n\t\t</layer>\n"
        }
        text += "\t</layers>\n\t<edges>\n"
        for id in 1..<count {
            let fromPort = id == 1 ? 0 : 1
            text += "\t\t<edge from-layer=\"\(id - 1)\" from-port=\"\(fromPort)\" to-layer=\"\(id)\" to-port=\"0\"/>\n"
        }
        text += "\t</edges>\n</net>\n"
        return text
    }
}
