import CZeroMQ

/// The version of the libzmq library linked at run time, which may differ from
/// the `zmq.h` the package was compiled against; logged at startup so that
/// coordinator and worker mismatches can be diagnosed.
public struct ZMQVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Major version, e.g. 4 for 4.3.4.
    public let major: Int
    /// Minor version, e.g. 3 for 4.3.4.
    public let minor: Int
    /// Patch version, e.g. 4 for 4.3.4.
    public let patch: Int

    /// Creates a version from its three components.
    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// The version reported by the loaded libzmq (`zmq_version`).
    public static var linked: ZMQVersion {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return ZMQVersion(major: Int(major), minor: Int(minor), patch: Int(patch))
    }

    /// `major.minor.patch`, e.g. `4.3.4`.
    public var description: String { "\(major).\(minor).\(patch)" }

    /// Orders versions by major, then minor, then patch.
    public static func < (lhs: ZMQVersion, rhs: ZMQVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
