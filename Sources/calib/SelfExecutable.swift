import Foundation

/// The file of the program that is running now, for starting more processes of it.
///
/// `CommandLine.arguments[0]` is whatever the shell typed (`calib`, found on `PATH`, or a
/// relative path): resolved against the working directory it names a missing file or,
/// worse, another program called `calib` there. The kernel knows the real file.
enum SelfExecutable {
    /// The running executable: `/proc/self/exe` resolved on Linux, else the main bundle's.
    static var url: URL {
        get throws {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            if length > 0 {
                return URL(fileURLWithPath: String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            guard let url = Bundle.main.executableURL else {
                throw CommandFailure("cannot find the running calib executable to start workers from")
            }
            return url
        }
    }
}
