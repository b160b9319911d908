/// A command that could not do its work for a reason found while running (no answer
/// from a coordinator, no images in a folder): printed as one `Error:` line with exit
/// status 1, without the usage text a `ValidationError` of the arguments gets.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// Runs `body`, which reads the file `option` names; its error comes back as a
    /// `CommandFailure` starting with the option, so that "No such file" says which one.
    static func reading<Value>(_ option: String, _ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            throw CommandFailure("\(option): \(error)")
        }
    }
}
