import ArgumentParser
import Core
import Foundation
import Worker

/// `calib prepare`: the seed's model edits before calibration, on an IR.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Edit an IR as the MLPerf OpenVINO workflow does before calibration: --single-output adds one [1,N,7] detections output.",
        discussion: """
            --single-output is the seed's modify_onnx_model.py: next to bboxes [1,N,4], labels [1,N] and \
            scores [1,N], an output named "output" [1,N,7] with rows [x0, y0, x1, y1, label, score, score] \
            (labels as f32), for harnesses that read one tensor.
            """
    )

    @Argument(help: "The model .xml (the .bin next to it).")
    var model: String

    @Flag(help: "Add the single [1,N,7] detections output.")
    var singleOutput = false

    @Option(help: "Output .xml path; the .bin is written next to it.")
    var output: String

    func validate() throws {
        guard singleOutput else { throw ValidationError("say which edit: --single-output") }
    }

    func run() throws {
        try OutputLocation.checkIR(output: output, model: model, kind: "edited IR")
        let graph = try IRFiles.read(xmlPath: model)
        let edited: IRGraph
        do {
            edited = try SingleOutputEdit.apply(to: graph)
        } catch let error as IRError {
            throw CommandFailure("\(model): \(error)")
        }
        try IRFiles.write(edited, xmlPath: output)
        print("wrote \(output) (+ .bin): outputs bboxes, labels, scores and \(SingleOutputEdit.outputName) [1,N,7]")
    }
}
