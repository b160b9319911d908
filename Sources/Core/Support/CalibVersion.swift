/// calib's own version, announced by workers so a coordinator can show who runs what.
public enum CalibVersion {
    public static let current = "0.3.0"
}
