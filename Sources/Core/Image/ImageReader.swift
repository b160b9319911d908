/// The image reader a calibration run imitates. The reference tools read the same file
/// into different pixels (EXIF orientation, 16-bit reduction, CMYK conversion), and
/// calibration statistics depend on those pixels, so a run follows exactly one of them
/// and every worker of a distributed run follows the same one.
///
/// Both readers ignore gAMA, sRGB and iCCP, drop alpha (and PNG tRNS) without
/// compositing, expand palettes, and spread grey (sub-8-bit grey scaled to 0...255) over
/// R, G and B. They differ in:
///
/// | | `pillow` | `opencv` |
/// | --- | --- | --- |
/// | EXIF orientation (JPEG APP1, PNG eXIf) | ignored | applied |
/// | 16-bit grey PNG | clipped to 255 | high byte (`>> 8`) |
/// | 16-bit colour PNG, 16-bit grey+alpha | high byte | high byte |
/// | CMYK and YCCK JPEG | `(255-C)(255-K)/255`, rounded | `K' - ((255-C')K' >> 8)` on the stored (inverted) values |
public enum ImageReader: String, Sendable, CaseIterable {
    /// Pillow's `Image.open(path).convert("RGB")`, as Accuracy Checker's `pillow_imread`
    /// (the seed configuration's reader) does.
    case pillow
    /// OpenCV's `cv2.imread(path, cv2.IMREAD_COLOR)` (converted from BGR to RGB), as POT's
    /// simplified engine does.
    case opencv

    /// Whether the reader turns the picture as the EXIF orientation tag says.
    public var appliesExifOrientation: Bool { self == .opencv }

    /// One sample of a 16-bit grey PNG as 8 bits: Pillow's `I;16` to `RGB` conversion
    /// clips, OpenCV keeps the high byte.
    public func eightBits(fromGrey16 value: UInt16) -> UInt8 {
        switch self {
        case .pillow: UInt8(min(value, 255))
        case .opencv: UInt8(value >> 8)
        }
    }

    /// One sample of a 16-bit colour PNG (or of a 16-bit grey+alpha one) as 8 bits: both
    /// readers keep the high byte.
    public func eightBits(fromColour16 value: UInt16) -> UInt8 {
        UInt8(value >> 8)
    }

    /// One RGB channel from a JPEG's CMYK as libjpeg returns it: `ink` is the stored C, M
    /// or Y sample and `black` the stored K, both inverted (255 is no ink) as Adobe
    /// applications and Pillow write them; YCCK files arrive here already as such CMYK.
    public func channel(ink: UInt8, black: UInt8) -> UInt8 {
        let product = (255 - Int(ink)) * Int(black)
        switch self {
        case .pillow:
            // Pillow inverts to true CMYK, then computes (255 - K) - C (255 - K) / 255
            // with its rounded division by 255.
            let rounded = product + 128
            return UInt8(Int(black) - ((rounded >> 8) + rounded) >> 8)
        case .opencv:
            return UInt8(Int(black) - product >> 8)
        }
    }
}
