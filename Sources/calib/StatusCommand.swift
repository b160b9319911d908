import ArgumentParser
import Foundation
import Protocol

/// `calib status`: ask a running coordinator how the job and each worker are doing.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running coordinator's progress and the health of its workers."
    )

    @Option(help: "The coordinator's endpoint, e.g. tcp://host:5555.")
    var connect: String

    @Flag(help: "Print the status as JSON.")
    var json = false

    @Option(parsing: .unconditional, help: "Seconds to wait for an answer.")
    var timeout = 5.0

    func validate() throws {
        try EndpointOption.require(connect, option: "--connect")
        try OptionRange.require(timeout > 0 && timeout <= 86_400, "--timeout", "between 0 and 86400 seconds", timeout)
    }

    @OptionGroup(title: "Encryption") var keys: ClientKeyOptions

    func run() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        defer { socket.close() }
        let clientKeys = try keys.keys()
        try clientKeys?.configure(socket)
        // Watched from before the connect: a refused key or a security mismatch is then
        // said at once, and silence is explained.
        var monitor: HandshakeMonitor? = try HandshakeMonitor(socket: socket)
        defer { monitor = nil }
        try socket.connect(connect)
        try socket.send([MessageCodec.encode(.statusRequest)])
        var diagnosis = ConnectionDiagnosis()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while try !socket.poll(timeoutMilliseconds: 100) {
            diagnosis.record(try monitor?.events() ?? [])
            if diagnosis.refusedWith != nil || diagnosis.isSecurityMismatch {
                let key = diagnosis.refusedWith != nil ? clientKeys.map { ": its public key \($0.keyPair.publicKey) is not in the coordinator's authorized keys" } : nil
                throw CommandFailure("cannot ask the coordinator at \(connect): \(diagnosis.explanation)\(key ?? "")")
            }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                throw CommandFailure("no answer from a coordinator at \(connect) within \(timeout) s: \(diagnosis.explanation(connectingTo: connect))")
            }
        }
        guard let frames = try socket.receive(), let frame = frames.last else {
            throw CommandFailure("no answer from a coordinator at \(connect): \(diagnosis.explanation)")
        }
        guard case let .status(status) = try MessageCodec.decode(frame) else {
            throw CommandFailure("the peer at \(connect) did not answer with a status")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(StatusTable(status: status).render())
        }
    }
}
