import ArgumentParser
import Foundation

/// Comma-separated numbers in options (`--input-shape 1,3,1200,1200`,
/// `--mean-values 123.675,116.28,103.53`), also in the Model Optimizer's bracketed form
/// (`[123.675,116.28,103.53]`) that users copy from the seed's command line.
enum NumberList {
    /// Positive integers, e.g. a shape. Throws `ValidationError` naming `option`.
    static func positiveIntegers(_ text: String, option: String) throws -> [Int] {
        let refusal = ValidationError("\(option) takes positive integers separated by commas, not '\(text)'")
        return try parts(of: text, refusal: refusal).map { part in
            guard let value = Int(part), value > 0 else { throw refusal }
            return value
        }
    }

    /// Finite numbers, e.g. per-channel means. Throws `ValidationError` naming `option`.
    static func finiteNumbers(_ text: String, option: String) throws -> [Float] {
        let refusal = ValidationError("\(option) takes numbers separated by commas, not '\(text)'")
        return try parts(of: text, refusal: refusal).map { part in
            guard let value = Float(part), value.isFinite else { throw refusal }
            return value
        }
    }

    /// CPU numbers and ranges as Linux writes them (`0-3,8`), ascending without repeats.
    /// Throws `ValidationError` naming `option`.
    static func cpus(_ text: String, option: String) throws -> [Int] {
        let refusal = ValidationError("\(option) takes CPU numbers and ranges such as 0-3,8, not '\(text)'")
        var cpus = Set<Int>()
        for part in try parts(of: text, refusal: refusal) {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0) }
            guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, low >= 0, low <= high, high < 4096 else { throw refusal }
            cpus.formUnion(low...high)
        }
        return cpus.sorted()
    }

    /// The comma-separated parts of `text`, brackets and spaces around them removed;
    /// `refusal` when there is none or one is empty.
    private static func parts(of text: String, refusal: ValidationError) throws -> [String] {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.contains(where: \.isEmpty) else { throw refusal }
        return parts
    }
}
