import Foundation
import Protocol
import Testing

/// CURVE and ZAP with real sockets over loopback TCP, plus the poller and the
/// STREAM socket. Every wait is bounded (socket timeouts, or a deadline loop),
/// so a regression fails a test instead of hanging the run.
struct CurveHandshakeTests {
    @Test func curveServerAdmitsAuthorizedKeysOnlyAndKeepsServing() throws {
        try #require(CurveKeyPair.isAvailable, "libzmq was built without CURVE")
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let keyA = try CurveKeyPair.generate()
        let keyB = try CurveKeyPair.generate()
        let decisions = Recorder<ZAPDecision>()
        let handler = try ZAPHandler(
            context: context, authorized: try AuthorizedKeys.parse("\(keyA.publicKey) worker-a\n", path: "authorized")
        ) { decisions.append($0) }
        defer { handler.stop() }

        let router = try ZMQSocket(context: context, kind: .router)
        try router.setOption(.curveServer, 1)
        try router.setOption(.curveSecretKey, Array(serverKeys.secretKey.utf8))
        try router.setOption(.zapDomain, Array("calib".utf8))
        try router.setOption(.receiveTimeout, 2000)
        try router.setOption(.sendTimeout, 2000)
        try router.setOption(.routerMandatory, 1)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        #expect(try router.option(.curveServer) == 1)

        // Key A: a message each way.
        let (clientA, monitorA) = try makeCurveClient(context, keys: keyA, serverKey: serverKeys.publicKey, id: "a", endpoint: endpoint)
        try clientA.send([bytes("hello")])
        #expect(try router.receive() == [bytes("a"), bytes("hello")])
        try router.send([bytes("a"), bytes("welcome")])
        #expect(try clientA.receive() == [bytes("welcome")])
        let eventsA = try monitorA.events()
        #expect(eventsA.contains { $0.isHandshakeSucceeded }, "\(eventsA)")
        #expect(!eventsA.contains { $0.isAuthenticationFailure })

        // Key B: refused, and its monitor says why.
        let (clientB, monitorB) = try makeCurveClient(context, keys: keyB, serverKey: serverKeys.publicKey, id: "b", endpoint: endpoint)
        try clientB.setOption(.receiveTimeout, 200)
        try clientB.send([bytes("let me in")])
        var failure: ZMQMonitorEvent?
        let refused = try eventually(within: 5) {
            failure = try monitorB.events().first { $0.isAuthenticationFailure }
            return failure != nil
        }
        #expect(refused)
        #expect(failure?.value == 400)
        #expect(failure?.endpoint == endpoint)
        #expect(failure?.name == "HANDSHAKE_FAILED_AUTH")
        #expect(try router.poll(timeoutMilliseconds: 200) == false)
        #expect(try clientB.receive() == nil)

        #expect(eventually(within: 5) { decisions.values.contains { $0.publicKey == keyB.publicKey } })
        let seen = decisions.values
        let denied = try #require(seen.first { $0.publicKey == keyB.publicKey })
        #expect(denied == ZAPDecision(publicKey: keyB.publicKey, address: "127.0.0.1", allowed: false, name: nil))
        let admitted = try #require(seen.first { $0.publicKey == keyA.publicKey })
        #expect(admitted == ZAPDecision(publicKey: keyA.publicKey, address: "127.0.0.1", allowed: true, name: "worker-a"))
        #expect(!seen.contains { $0.publicKey == keyB.publicKey && $0.allowed })

        // The server still serves A, on the old connection and on a new one.
        try clientA.send([bytes("again")])
        #expect(try router.receive() == [bytes("a"), bytes("again")])
        // The monitor is dropped at once: releasing it must not stall the socket.
        let (secondA, _) = try makeCurveClient(context, keys: keyA, serverKey: serverKeys.publicKey, id: "a2", endpoint: endpoint)
        try secondA.send([bytes("me too")])
        #expect(try router.receive() == [bytes("a2"), bytes("me too")])
        try router.send([bytes("a2"), bytes("ok")])
        #expect(try secondA.receive() == [bytes("ok")])
    }

    @Test func zapHandlerAnswersMalformedAndNonCurveRequestsAndKeepsServing() throws {
        let context = try ZMQContext()
        let key = try CurveKeyPair.generate()
        let decisions = Recorder<ZAPDecision>()
        let errors = Recorder<String>()
        let handler = try ZAPHandler(
            context: context, authorized: try AuthorizedKeys.parse(key.publicKey, path: "authorized"),
            onDecision: { decisions.append($0) }, onError: { errors.append("\($0)") })
        defer { handler.stop() }

        // A REQ socket speaks to the handler the way libzmq does.
        let requester = try ZMQSocket(context: context, kind: .req)
        try requester.setOption(.receiveTimeout, 2000)
        try requester.setOption(.sendTimeout, 2000)
        try requester.connect(ZAPHandler.endpoint)

        try requester.send([bytes("1.0"), bytes("41"), bytes("truncated")])
        let malformed = try #require(try requester.receive())
        #expect(malformed.count == 6)
        #expect(Array(malformed.prefix(3)) == [bytes("1.0"), bytes("41"), bytes("500")])
        #expect(String(decoding: malformed[3], as: UTF8.self) == "malformed ZAP request: 3 frames, expected at least 6")

        try requester.send([bytes("1.0"), bytes("42"), [], bytes("10.1.2.3"), [], bytes("NULL")])
        let null = try #require(try requester.receive())
        #expect(Array(null.prefix(3)) == [bytes("1.0"), bytes("42"), bytes("400")])

        let binaryKey = try #require(z85Decode(key.publicKey))
        try requester.send([bytes("1.0"), bytes("43"), [], bytes("10.1.2.4"), [], bytes("CURVE"), binaryKey])
        let admitted = try #require(try requester.receive())
        #expect(admitted == [bytes("1.0"), bytes("43"), bytes("200"), bytes("OK"), bytes(key.publicKey), []])

        #expect(eventually(within: 2) { decisions.values.count == 2 })
        #expect(decisions.values == [
            ZAPDecision(publicKey: "", address: "10.1.2.3", allowed: false, name: nil, mechanism: "NULL"),
            ZAPDecision(publicKey: key.publicKey, address: "10.1.2.4", allowed: true, name: nil),
        ])
        #expect(errors.values == ["malformed ZAP request: 3 frames, expected at least 6"])
    }

    @Test func zapHandlerStopsPromptlyOnceAndFreesItsEndpoint() throws {
        let context = try ZMQContext()
        let authorized = try AuthorizedKeys.parse(try CurveKeyPair.generate().publicKey, path: "authorized")
        let handler = try ZAPHandler(context: context, authorized: authorized) { _ in }

        let taken = #expect(throws: ZMQError.self) {
            _ = try ZAPHandler(context: context, authorized: authorized) { _ in }
        }
        #expect(taken?.code == EADDRINUSE)

        let clock = ContinuousClock()
        let started = clock.now
        handler.stop()
        handler.stop()
        #expect(started.duration(to: clock.now) < .seconds(1))

        // The endpoint is free again (libzmq may release it a moment after the close).
        var replacement: ZAPHandler?
        #expect(eventually(within: 2) {
            replacement = try? ZAPHandler(context: context, authorized: authorized) { _ in }
            return replacement != nil
        })
        replacement?.stop()
    }

    @Test func zapHandlerEndsWhenItsContextShutsDown() throws {
        let context = try ZMQContext()
        let errors = Recorder<String>()
        let handler = try ZAPHandler(
            context: context, authorized: try AuthorizedKeys.parse(try CurveKeyPair.generate().publicKey, path: "a"),
            onDecision: { _ in }, onError: { errors.append("\($0)") })
        context.shutdown()
        let clock = ContinuousClock()
        let started = clock.now
        handler.stop()
        #expect(started.duration(to: clock.now) < .seconds(1))
        #expect(errors.values.isEmpty)
    }

    @Test func zapHandlerCanBeStoppedFromItsOwnCallback() throws {
        let context = try ZMQContext()
        let key = try CurveKeyPair.generate()
        let slot = Recorder<ZAPHandler>()
        let handler = try ZAPHandler(context: context, authorized: try AuthorizedKeys.parse(key.publicKey, path: "a")) { _ in
            slot.values.first?.stop()
        }
        slot.append(handler)

        let requester = try ZMQSocket(context: context, kind: .req)
        try requester.setOption(.receiveTimeout, 2000)
        try requester.connect(ZAPHandler.endpoint)
        try requester.send([bytes("1.0"), bytes("1"), [], bytes("10.0.0.1"), [], bytes("NULL")])
        #expect(try requester.receive()?.prefix(3) == [bytes("1.0"), bytes("1"), bytes("400")])

        // The callback's stop() did not deadlock the thread: a stop() from here returns.
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            handler.stop()
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 2) == .success)
        slot.removeAll()
    }

    @Test func pollerReportsWhichSocketsAreReadable() throws {
        let context = try ZMQContext()
        let pairs = try (0..<4).map { try makeInprocPair(context, name: "poller-small-\($0)") }
        let readers = pairs.map(\.reader)

        #expect(try ZMQPoller.poll(readers, timeoutMilliseconds: 0) == [false, false, false, false])
        #expect(try ZMQPoller.poll([], timeoutMilliseconds: 0) == [])

        let clock = ContinuousClock()
        let started = clock.now
        #expect(try ZMQPoller.poll(readers, timeoutMilliseconds: 100) == [false, false, false, false])
        #expect(started.duration(to: clock.now) >= .milliseconds(90))

        try pairs[1].writer.send([bytes("one")])
        try pairs[3].writer.send([bytes("three")])
        #expect(eventually(within: 2) { (try? ZMQPoller.poll(readers, timeoutMilliseconds: 50)) == [false, true, false, true] })
        #expect(try readers[3].receive() == [bytes("three")])
        #expect(try ZMQPoller.poll(readers, timeoutMilliseconds: 1000) == [false, true, false, false])
        #expect(try readers[1].receive() == [bytes("one")])
        #expect(try ZMQPoller.poll(readers, timeoutMilliseconds: 0) == [false, false, false, false])

        readers[2].close()
        let closed = #expect(throws: ZMQError.self) { try ZMQPoller.poll(readers, timeoutMilliseconds: 0) }
        #expect(closed?.code == ENOTSOCK)
    }

    @Test func pollerScalesToThreeHundredSockets() throws {
        let context = try ZMQContext()
        let pairs = try (0..<300).map { try makeInprocPair(context, name: "poller-large-\($0)") }
        let readers = pairs.map(\.reader)
        let ready: Set = [0, 149, 299]
        for index in ready {
            try pairs[index].writer.send([bytes("\(index)")])
        }
        var readable: [Bool] = []
        #expect(eventually(within: 2) {
            readable = (try? ZMQPoller.poll(readers, timeoutMilliseconds: 50)) ?? []
            return readable.filter { $0 }.count == ready.count
        })
        #expect(readable.count == 300)
        #expect(Set(readable.indices.filter { readable[$0] }) == ready)
        for index in ready {
            #expect(try readers[index].receive() == [bytes("\(index)")])
        }
        #expect(try ZMQPoller.poll(readers, timeoutMilliseconds: 0).allSatisfy { !$0 })
    }

    @Test func streamSocketCarriesRawBytes() throws {
        let context = try ZMQContext()
        let server = try ZMQSocket(context: context, kind: .stream)
        try server.setOption(.receiveTimeout, 2000)
        try server.setOption(.sendTimeout, 2000)
        try server.bind("tcp://127.0.0.1:*")
        let client = try ZMQSocket(context: context, kind: .stream)
        try client.setOption(.receiveTimeout, 2000)
        try client.setOption(.sendTimeout, 2000)
        try client.connect(try server.lastEndpoint)

        // Each side first sees the connection as a routing id with an empty frame.
        let toServer = try #require(try client.receive())
        #expect(toServer.count == 2 && toServer[1].isEmpty)
        let request = bytes("GET /metrics HTTP/1.0\r\n\r\n")
        try client.send([toServer[0], request])

        let connected = try #require(try server.receive())
        #expect(connected.count == 2 && connected[1].isEmpty)
        let received = try #require(try server.receive())
        #expect(received == [connected[0], request])
        try server.send([connected[0], bytes("HTTP/1.0 200 OK\r\n\r\nok")])
        #expect(try client.receive() == [toServer[0], bytes("HTTP/1.0 200 OK\r\n\r\nok")])
    }

    @Test func curveKeyOptionsRejectMalformedKeys() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        let key = try CurveKeyPair.generate()
        try socket.setOption(.curvePublicKey, Array(key.publicKey.utf8))
        try socket.setOption(.curveSecretKey, Array(key.secretKey.utf8))
        try socket.setOption(.curveServerKey, Array(key.publicKey.utf8))
        let error = #expect(throws: ZMQError.self) { try socket.setOption(.curveServerKey, bytes("short")) }
        #expect(error?.code == EINVAL)
        #expect(error?.operation.contains("ZMQ_CURVE_SERVERKEY") == true)
    }

    @Test func monitorEventsDecodeTheLibzmqLayout() throws {
        var header = [UInt8](repeating: 0, count: 6)
        header.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(0x4000), toByteOffset: 0, as: UInt16.self)
            raw.storeBytes(of: UInt32(400), toByteOffset: 2, as: UInt32.self)
        }
        let event = try #require(ZMQMonitorEvent(frames: [header, bytes("tcp://127.0.0.1:5555")]))
        #expect(event == ZMQMonitorEvent(code: 0x4000, value: 400, endpoint: "tcp://127.0.0.1:5555"))
        #expect(event.isAuthenticationFailure)
        #expect(!event.isHandshakeSucceeded)
        #expect(event.description == "HANDSHAKE_FAILED_AUTH (value 400) on tcp://127.0.0.1:5555")
        #expect(ZMQMonitorEvent(code: 0x1000, value: 0, endpoint: "").isHandshakeSucceeded)
        #expect(ZMQMonitorEvent(code: 0x8000, value: 0, endpoint: "").name == "event 0x8000")
        #expect(ZMQMonitorEvent(frames: [header]) == nil)
        #expect(ZMQMonitorEvent(frames: [Array(header.dropLast()), []]) == nil)
    }
}

// MARK: - Helpers

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A CURVE client DEALER with routing id `id` and 2 s timeouts, monitored from
/// before it connects to `endpoint`.
private func makeCurveClient(
    _ context: ZMQContext, keys: CurveKeyPair, serverKey: String, id: String, endpoint: String
) throws -> (ZMQSocket, HandshakeMonitor) {
    let socket = try ZMQSocket(context: context, kind: .dealer)
    try socket.setOption(.routingID, bytes(id))
    try socket.setOption(.receiveTimeout, 2000)
    try socket.setOption(.sendTimeout, 2000)
    try socket.setOption(.curvePublicKey, Array(keys.publicKey.utf8))
    try socket.setOption(.curveSecretKey, Array(keys.secretKey.utf8))
    try socket.setOption(.curveServerKey, Array(serverKey.utf8))
    let monitor = try HandshakeMonitor(socket: socket)
    try socket.connect(endpoint)
    return (socket, monitor)
}

/// Two PAIR sockets connected over `inproc://name`.
private func makeInprocPair(_ context: ZMQContext, name: String) throws -> (reader: ZMQSocket, writer: ZMQSocket) {
    let reader = try ZMQSocket(context: context, kind: .pair)
    try reader.setOption(.receiveTimeout, 1000)
    try reader.bind("inproc://\(name)")
    let writer = try ZMQSocket(context: context, kind: .pair)
    try writer.setOption(.sendTimeout, 1000)
    try writer.connect("inproc://\(name)")
    return (reader, writer)
}

/// Re-evaluates `condition` every 20 ms until it holds or `seconds` pass.
private func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        usleep(20_000)
    }
}

/// Decodes a 40-character Z85 key into its 32 bytes (RFC 32), for building
/// ZAP requests by hand.
private func z85Decode(_ text: String) -> [UInt8]? {
    let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
    let characters = Array(text)
    guard characters.count % 5 == 0 else { return nil }
    var result: [UInt8] = []
    for start in stride(from: 0, to: characters.count, by: 5) {
        var value: UInt64 = 0
        for character in characters[start..<(start + 5)] {
            guard let digit = alphabet.firstIndex(of: character) else { return nil }
            value = value * 85 + UInt64(digit)
        }
        guard value <= UInt64(UInt32.max) else { return nil }
        result += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
    return result
}

/// Collects values from callbacks on other threads.
private final class Recorder<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value] = []

    func append(_ value: Value) {
        lock.lock()
        stored.append(value)
        lock.unlock()
    }

    func removeAll() {
        lock.lock()
        stored.removeAll()
        lock.unlock()
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
