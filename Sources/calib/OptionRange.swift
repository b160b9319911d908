import ArgumentParser

/// One wording for numeric options outside their range, so that every command refuses
/// `--threads -1`, `--workers -1` or `--count 0` the same way, before doing anything.
enum OptionRange {
    /// Throws `ValidationError` "`option` must be `expectation`, not `value`" unless `valid`.
    static func require(_ valid: Bool, _ option: String, _ expectation: String, _ value: Any) throws {
        guard valid else { throw ValidationError("\(option) must be \(expectation), not \(value)") }
    }

    /// `--threads`: 0 (all cores) to 1024.
    static func threads(_ value: Int) throws {
        try require((0...1024).contains(value), "--threads", "between 0 (all cores) and 1024", value)
    }
}
