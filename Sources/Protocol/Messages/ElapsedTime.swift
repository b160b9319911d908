import Foundation

/// Run times as people read them in `calib status` and on the health page.
public enum ElapsedTime {
    /// `seconds` (≥ 0) as H:MM:SS, rounded down: 3725.9 is "1:02:05".
    public static func text(_ seconds: Double) -> String {
        let whole = Int(max(0, seconds).rounded(.down))
        return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
    }
}
