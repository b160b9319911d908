import Foundation

/// The hand-over point between a background thread (inference, model compilation) and
/// the worker's network loop: the thread puts its outcome, the loop takes it on its next
/// turn, so the loop never blocks and heartbeats keep flowing.
final class Handover<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    /// Leaves `value` for the loop (replacing one not yet taken).
    func put(_ value: Value) {
        lock.lock()
        self.value = value
        lock.unlock()
    }

    /// The value left, if any, and forgets it.
    func take() -> Value? {
        lock.lock()
        defer { lock.unlock() }
        let taken = value
        value = nil
        return taken
    }
}
