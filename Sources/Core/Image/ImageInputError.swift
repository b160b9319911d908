/// A model input calib cannot feed images to, or an `--input-shape` that does not fit it.
/// The IR itself may be valid, so the message says what does not fit, without calling
/// the model invalid.
public struct ImageInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What does not fit, naming the input (and the option, where one was given).
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
