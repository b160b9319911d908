/// A command that could not do its work for a reason found while running (no answer
/// from a coordinator, no images in a folder): printed as one `Error:` line with exit
/// status 1, without the usage text a `ValidationError` of the arguments gets.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
