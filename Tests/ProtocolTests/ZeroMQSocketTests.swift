import Dispatch
import Protocol
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exercises the libzmq wrapper with real sockets over loopback TCP. Every
/// blocking call has a timeout so a regression fails the test instead of
/// hanging the run.
struct ZeroMQSocketTests {
    @Test func linkedVersionIsAtLeastFour() {
        let version = ZMQVersion.linked
        #expect(version >= ZMQVersion(major: 4, minor: 0, patch: 0))
        #expect(version.description == "\(version.major).\(version.minor).\(version.patch)")
    }

    @Test func dealerTalksToRouterThroughRoutingID() throws {
        let context = try ZMQContext()
        let (router, endpoint) = try makeRouter(context)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(Int(endpoint.split(separator: ":").last ?? "") ?? 0 > 0)

        let dealer = try makeDealer(context, id: "worker-1", endpoint: endpoint)
        #expect(try dealer.option(.routingID) == bytes("worker-1"))
        try dealer.send([bytes("hello"), bytes("calib"), bytes("!")])

        let request = try #require(try router.receive())
        #expect(request == [bytes("worker-1"), bytes("hello"), bytes("calib"), bytes("!")])

        try router.send([request[0], bytes("ack"), bytes("2")])
        let reply = try #require(try dealer.receive())
        #expect(reply == [bytes("ack"), bytes("2")])
    }

    @Test func emptyAndOneMegabyteFramesRoundTrip() throws {
        let context = try ZMQContext()
        let (router, endpoint) = try makeRouter(context)
        let dealer = try makeDealer(context, id: "big", endpoint: endpoint)

        let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try dealer.send([[], large, []])

        let received = try #require(try router.receive())
        try #require(received.count == 4)
        #expect(received[0] == bytes("big"))
        #expect(received[1].isEmpty)
        #expect(received[2] == large)
        #expect(received[3].isEmpty)

        try router.send(received)
        let echoed = try #require(try dealer.receive())
        #expect(echoed.count == 3)
        #expect(echoed == [[], large, []])
    }

    @Test func receiveAndPollTimeOutWhenNobodySends() throws {
        let context = try ZMQContext()
        let (router, endpoint) = try makeRouter(context)
        try router.setOption(.receiveTimeout, 100)
        #expect(try router.option(.receiveTimeout) == 100)

        let clock = ContinuousClock()
        let started = clock.now
        #expect(try router.receive() == nil)
        let elapsed = started.duration(to: clock.now)
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < .seconds(1))

        #expect(try router.poll(timeoutMilliseconds: 50) == false)
        #expect(try router.poll(timeoutMilliseconds: 0) == false)

        let dealer = try makeDealer(context, id: "poller", endpoint: endpoint)
        try dealer.send([bytes("ready")])
        #expect(try router.poll(timeoutMilliseconds: 2000))
        #expect(try router.receive() == [bytes("poller"), bytes("ready")])
    }

    @Test func maxMessageSizeDisconnectsOffenderAndKeepsServing() throws {
        let context = try ZMQContext()
        // Connection options are copied when an endpoint is bound, so the
        // limit must be set before `bind`.
        let (router, endpoint) = try makeRouter(context) { router in
            try router.setOption(.maxMessageSize, 1024)
        }
        #expect(try router.option(.maxMessageSize) == 1024)
        try router.setOption(.receiveTimeout, 300)

        // No reconnection, so once the router drops this peer it stays gone.
        let offender = try ZMQSocket(context: context, kind: .dealer)
        try offender.setOption(.routingID, bytes("offender"))
        try offender.setOption(.reconnectInterval, -1)
        try offender.setOption(.sendTimeout, 2000)
        try offender.connect(endpoint)
        try offender.send([[UInt8](repeating: 0xAB, count: 4096)])

        #expect(try router.receive() == nil)
        let unreachable = #expect(throws: ZMQError.self) {
            try router.send([bytes("offender"), bytes("still there?")])
        }
        #expect(unreachable?.isHostUnreachable == true)

        let polite = try makeDealer(context, id: "polite", endpoint: endpoint)
        let atLimit = [UInt8](repeating: 0x5A, count: 1024)
        try polite.send([atLimit])
        #expect(try router.receive() == [bytes("polite"), atLimit])
        try router.send([bytes("polite"), bytes("ok")])
        #expect(try polite.receive() == [bytes("ok")])
        #expect(try router.poll(timeoutMilliseconds: 100) == false)
    }

    @Test func integerOptionsUseTheirCWidths() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        #expect(try socket.option(.linger) == 0)

        try socket.setOption(.heartbeatInterval, 1000)
        try socket.setOption(.heartbeatTTL, 3000)
        try socket.setOption(.heartbeatTimeout, 3000)
        #expect(try socket.option(.heartbeatInterval) == 1000)
        #expect(try socket.option(.heartbeatTimeout) == 3000)

        // ZMQ_MAXMSGSIZE is an int64_t option: values beyond Int32 must survive.
        try socket.setOption(.maxMessageSize, 5_000_000_000)
        #expect(try socket.option(.maxMessageSize) == 5_000_000_000)

        let overflow = #expect(throws: ZMQError.self) {
            try socket.setOption(.receiveTimeout, Int(Int32.max) + 1)
        }
        #expect(overflow?.code == EINVAL)
    }

    @Test func badEndpointsThrowErrorsNamingThem() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)

        let connectError = #expect(throws: ZMQError.self) { try socket.connect("not-an-endpoint") }
        #expect(connectError?.description.contains("not-an-endpoint") == true)
        #expect(connectError?.operation.contains("connect") == true)
        #expect(connectError?.message.isEmpty == false)

        let bindError = #expect(throws: ZMQError.self) { try socket.bind("tcp://127.0.0.1:notaport") }
        #expect(bindError?.description.contains("tcp://127.0.0.1:notaport") == true)

        let sendError = #expect(throws: ZMQError.self) { try socket.send([]) }
        #expect(sendError?.code == EINVAL)
    }

    @Test func doubleCloseAndContextTeardownDoNotHang() throws {
        let finished = runDetached(within: 2) { () -> Bool in
            do {
                let context = try ZMQContext()
                let router = try ZMQSocket(context: context, kind: .router)
                try router.bind("tcp://127.0.0.1:*")
                // A queued message to a peer that never answers: with a nonzero
                // linger this would make context termination wait for it.
                let dealer = try ZMQSocket(context: context, kind: .dealer)
                try dealer.setOption(.sendTimeout, 500)
                try dealer.connect("tcp://127.0.0.1:1")
                try dealer.send([bytes("never delivered")])

                dealer.close()
                dealer.close()
                router.close()
                router.close()
                guard dealer.isClosed, router.isClosed else { return false }
                guard case .failure(let error) = Result(catching: { try dealer.receive() }),
                      let zmqError = error as? ZMQError, zmqError.code == ENOTSOCK
                else { return false }
                return true
                // `context` is released here, running zmq_ctx_term.
            } catch {
                return false
            }
        }
        #expect(finished == true)
    }

    @Test func shutdownInterruptsBlockingReceiveInAnotherThread() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .router)
        try socket.bind("tcp://127.0.0.1:*")
        // Safety net: without shutdown the receive below would end after 5 s.
        try socket.setOption(.receiveTimeout, 5000)

        let clock = ContinuousClock()
        let outcome = ResultBox<Result<[[UInt8]]?, ZMQError>>()
        let done = DispatchSemaphore(value: 0)
        let entering = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            entering.signal()
            outcome.value = Result { () throws(ZMQError) -> [[UInt8]]? in
                do { return try socket.receive() } catch let error as ZMQError { throw error } catch {
                    throw ZMQError(operation: "unexpected \(error)", code: 0)
                }
            }
            socket.close()
            done.signal()
        }
        #expect(entering.wait(timeout: .now() + 2) == .success)
        usleep(100_000)  // let the thread park inside zmq_msg_recv

        let shutdownAt = clock.now
        context.shutdown()
        #expect(done.wait(timeout: .now() + 2) == .success)
        #expect(shutdownAt.duration(to: clock.now) < .seconds(1))

        guard case .failure(let error)? = outcome.value else {
            Issue.record("receive did not fail: \(String(describing: outcome.value))")
            return
        }
        #expect(error.isContextTerminated)
        #expect(throws: ZMQError.self) { _ = try ZMQSocket(context: context, kind: .dealer) }
    }
}

// MARK: - Helpers

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A ROUTER on an ephemeral loopback port with mandatory routing and 2 s
/// timeouts; `configure` runs before `bind`.
private func makeRouter(
    _ context: ZMQContext, configure: (ZMQSocket) throws -> Void = { _ in }
) throws -> (ZMQSocket, String) {
    let router = try ZMQSocket(context: context, kind: .router)
    try router.setOption(.receiveTimeout, 2000)
    try router.setOption(.sendTimeout, 2000)
    try router.setOption(.routerMandatory, 1)
    try configure(router)
    try router.bind("tcp://127.0.0.1:*")
    return (router, try router.lastEndpoint)
}

/// A DEALER with routing id `id`, 2 s timeouts, connected to `endpoint`.
private func makeDealer(_ context: ZMQContext, id: String, endpoint: String) throws -> ZMQSocket {
    let dealer = try ZMQSocket(context: context, kind: .dealer)
    try dealer.setOption(.routingID, bytes(id))
    try dealer.setOption(.receiveTimeout, 2000)
    try dealer.setOption(.sendTimeout, 2000)
    try dealer.connect(endpoint)
    return dealer
}

/// Hands a value from a GCD thread back to the test; the semaphore signalled
/// after writing provides the ordering.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on a GCD thread and returns its result, or nil if it has not
/// finished within `seconds` (the thread is then abandoned, not killed).
private func runDetached<T: Sendable>(within seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        box.value = body()
        done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    return box.value
}
