import Foundation

/// Authenticates the CURVE clients of every server socket in one
/// ``ZMQContext``: a ZAP handler (ZeroMQ RFC 27) that admits exactly the
/// public keys of an ``AuthorizedKeys`` list and refuses every other key and
/// every non-CURVE mechanism.
///
/// libzmq asks the handler bound at `inproc://zeromq.zap.01` in the server
/// socket's context about each handshake. **A CURVE server socket whose
/// context has no handler bound there admits any client** (it still encrypts,
/// but authenticates nobody). So create the handler before binding the server
/// socket — the initializer binds synchronously for that reason — and stop it
/// only after the server socket is closed.
///
/// Requests are served on a thread of the handler's own, which polls with a
/// short timeout so that ``stop()`` returns promptly. Each decision is
/// reported through `onDecision` and each problem (a malformed request,
/// answered with status 500, or a failing socket call) through `onError`,
/// both on that thread: keep the closures short, since handshakes wait for
/// them. The handler also ends when its context is shut down.
public final class ZAPHandler: @unchecked Sendable {
    /// The endpoint libzmq sends ZAP requests to, fixed by RFC 27.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// How long the serving thread waits for a request before checking for
    /// ``stop()``, which therefore returns within about this time.
    static let pollMilliseconds = 100

    /// The keys this handler admits.
    public let authorized: AuthorizedKeys
    /// Shared with the serving thread: the stop request and the thread's end.
    private let lifecycle: Lifecycle
    /// The serving thread, so that ``stop()`` called on it does not wait for itself.
    private let thread: Thread

    /// Binds the handler's `ZMQ_REP` socket at ``endpoint`` in `context`
    /// before returning, then starts serving requests on a new thread.
    /// - Parameters:
    ///   - context: the context of the server sockets to protect.
    ///   - authorized: the public keys to admit.
    ///   - onDecision: called for every request that could be parsed, admitted or not.
    ///   - onError: called for malformed requests and socket failures.
    /// - Throws: ``ZMQError`` — `EADDRINUSE` if `context` already has a ZAP handler.
    public init(
        context: ZMQContext, authorized: AuthorizedKeys,
        onDecision: @escaping @Sendable (ZAPDecision) -> Void,
        onError: @escaping @Sendable (any Error) -> Void = { _ in }
    ) throws {
        let socket = try ZMQSocket(context: context, kind: .rep)
        // A reply goes to an inproc pipe and never waits for long; the bound
        // keeps a stuck peer from delaying stop() indefinitely.
        try socket.setOption(.sendTimeout, 1000)
        try socket.bind(Self.endpoint)
        let lifecycle = Lifecycle()
        self.authorized = authorized
        self.lifecycle = lifecycle
        thread = Thread {
            Self.serve(socket, authorized: authorized, lifecycle: lifecycle, onDecision: onDecision, onError: onError)
        }
        thread.name = "calib.zap-handler"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Stops serving, closes the socket (unbinding ``endpoint``) and waits
    /// for the thread to end, at most about 100 ms plus a pending reply.
    /// Calling it again, or from the `onDecision`/`onError` closures (then it
    /// returns at once and the thread ends right after), is safe.
    public func stop() {
        lifecycle.requestStop()
        guard Thread.current !== thread else { return }
        lifecycle.waitUntilFinished()
    }

    /// The serving loop: answer every request until stopped or the context ends.
    private static func serve(
        _ socket: ZMQSocket, authorized: AuthorizedKeys, lifecycle: Lifecycle,
        onDecision: @Sendable (ZAPDecision) -> Void, onError: @Sendable (any Error) -> Void
    ) {
        defer {
            socket.close()
            lifecycle.markFinished()
        }
        while !lifecycle.isStopRequested {
            do {
                guard try socket.poll(timeoutMilliseconds: pollMilliseconds), let frames = try socket.receive() else {
                    continue
                }
                let answer = answer(frames, authorized: authorized)
                // A REP socket must reply before it can receive again, so the
                // reply is sent even for malformed requests.
                try socket.send(answer.reply.frames)
                if let problem = answer.problem { onError(problem) }
                if let decision = answer.decision { onDecision(decision) }
            } catch let error as ZMQError where error.isContextTerminated {
                return
            } catch {
                onError(error)
                // Keep the endpoint bound (so handshakes wait rather than go
                // unauthenticated) and retry without spinning.
                lifecycle.sleep(milliseconds: pollMilliseconds)
            }
        }
    }

    /// The reply to one request's frames, the decision to report (nil when the
    /// request could not be parsed) and the parse problem (nil when it could).
    static func answer(
        _ frames: [[UInt8]], authorized: AuthorizedKeys
    ) -> (reply: ZAPReply, decision: ZAPDecision?, problem: ZAPRequestError?) {
        let request: ZAPRequest
        do {
            request = try ZAPRequest(frames: frames)
        } catch {
            let requestID = frames.count > 1 ? frames[1] : []
            return (ZAPReply(requestID: requestID, status: .internalError, statusText: "\(error)"), nil, error)
        }
        guard let key = request.curvePublicKey else {
            let reply = ZAPReply(
                requestID: request.requestID, status: .authenticationFailure,
                statusText: "mechanism \(request.mechanism) is not accepted; use CURVE")
            let decision = ZAPDecision(
                publicKey: "", address: request.address, allowed: false, name: nil, mechanism: request.mechanism)
            return (reply, decision, nil)
        }
        let allowed = authorized.contains(key)
        let reply =
            allowed
            ? ZAPReply(requestID: request.requestID, status: .success, statusText: "OK", userID: key)
            : ZAPReply(requestID: request.requestID, status: .authenticationFailure, statusText: "unknown CURVE key")
        let decision = ZAPDecision(
            publicKey: key, address: request.address, allowed: allowed, name: authorized.name(of: key))
        return (reply, decision, nil)
    }
}

/// The stop request and the end of a ``ZAPHandler``'s thread, guarded by one
/// condition so that ``ZAPHandler/stop()`` can wait for the thread and the
/// thread's back-off sleep ends as soon as a stop is requested.
private final class Lifecycle: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopRequested = false
    private var finished = false

    /// Whether ``requestStop()`` has been called.
    var isStopRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    /// Asks the thread to end; wakes it if it is sleeping.
    func requestStop() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called by the thread as its last action.
    func markFinished() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until ``markFinished()`` has been called.
    func waitUntilFinished() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Sleeps for `milliseconds` or until a stop is requested.
    func sleep(milliseconds: Int) {
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1000)
        condition.lock()
        while !stopRequested, condition.wait(until: deadline) {}
        condition.unlock()
    }
}
