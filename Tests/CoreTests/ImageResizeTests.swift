import Core
import Testing

/// Expected values below are worked out by hand from OpenCV's rules: source coordinate
/// (dst + 0.5) * in / out - 0.5, indices clamped to the border, round to nearest.
struct ImageResizeTests {
    /// Builds an image from per-channel row-major planes.
    func image(width: Int, height: Int, red: [UInt8], green: [UInt8], blue: [UInt8]) throws -> RGBImage {
        var pixels: [UInt8] = []
        for p in 0..<width * height {
            pixels += [red[p], green[p], blue[p]]
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    func channel(_ image: RGBImage, _ c: Int) -> [UInt8] {
        stride(from: c, to: image.pixels.count, by: 3).map { image.pixels[$0] }
    }

    @Test func bilinearUpscaleTwoToFourMatchesOpenCV() throws {
        // 2 -> 4: source positions -0.25, 0.25, 0.75, 1.25, so the weights are
        // (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) on both axes.
        // Red rows [0, 100] and [200, 40] become [0, 25, 75, 100] and [200, 160, 80, 40];
        // row 1 = 0.75 * first + 0.25 * second = [50, 58.75, 76.25, 85],
        // row 2 = 0.25 * first + 0.75 * second = [150, 126.25, 78.75, 55].
        let source = try image(
            width: 2, height: 2, red: [0, 100, 200, 40], green: [77, 77, 77, 77], blue: [255, 255, 0, 0])
        let result = try source.resized(width: 4, height: 4, interpolation: .bilinear)
        #expect(result.width == 4 && result.height == 4)
        #expect(
            channel(result, 0) == [
                0, 25, 75, 100,
                50, 59, 76, 85,
                150, 126, 79, 55,
                200, 160, 80, 40,
            ])
        #expect(channel(result, 1) == [UInt8](repeating: 77, count: 16))
        // Blue: rows 255, 0.75*255 = 191.25, 0.25*255 = 63.75, 0.
        #expect(channel(result, 2) == [255, 255, 255, 255, 191, 191, 191, 191, 64, 64, 64, 64, 0, 0, 0, 0])
    }

    /// OpenCV's fixed-point rounding, not exact arithmetic: values computed once with
    /// `cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)` (OpenCV 5.0.0) for a 7x5
    /// image whose bytes are `(37 i + 11) mod 256`, down, up and mixed.
    @Test func bilinearIsOpenCVsFixedPointBitForBit() throws {
        let source = try RGBImage(width: 7, height: 5, pixels: (0..<105).map { UInt8(($0 * 37 + 11) % 256) })
        let down = try source.resized(width: 3, height: 4, interpolation: .bilinear)
        #expect(down.pixels == [
            86, 123, 160, 89, 126, 163, 92, 129, 166, 97, 134, 171, 100, 137, 174, 103, 140, 145, 108, 145, 182, 112, 149, 186,
            115, 152, 103, 120, 157, 194, 123, 160, 197, 126, 163, 114,
        ])
        let mixed = try source.resized(width: 13, height: 2, interpolation: .bilinear)
        #expect(mixed.pixels == [
            18, 55, 92, 52, 89, 126, 111, 148, 185, 171, 110, 147, 231, 32, 69, 173, 72, 109, 95, 132, 169, 154, 191, 90, 194,
            231, 32, 116, 153, 92, 78, 115, 152, 137, 174, 211, 172, 209, 246, 40, 77, 114, 74, 111, 148, 134, 171, 208, 95, 132,
            169, 17, 54, 91, 57, 94, 131, 117, 154, 191, 177, 76, 113, 217, 18, 55, 139, 77, 114, 100, 137, 135, 160, 197, 57,
            194, 231, 12,
        ])
        let up = try source.resized(width: 11, height: 9, interpolation: .bilinear)
        // The first row and the last row of OpenCV's output (rows 0 and 8 read the border row twice).
        #expect(Array(up.pixels[0..<33]) == [
            11, 48, 85, 61, 98, 135, 132, 146, 183, 203, 53, 90, 180, 54, 91, 88, 125, 162, 158, 195, 69, 159, 196, 47, 67, 104,
            118, 114, 151, 188, 165, 202, 239,
        ])
        #expect(Array(up.pixels[264..<297]) == [
            47, 84, 121, 97, 134, 171, 145, 182, 219, 52, 89, 126, 53, 90, 127, 124, 161, 198, 194, 69, 105, 195, 46, 83, 103,
            117, 154, 150, 187, 85, 201, 238, 19,
        ])
    }

    @Test func bilinearDownscaleHasNoAntialiasing() throws {
        // 4 -> 2: source positions 0.5 and 2.5, averaging pairs (0, 10) and (20, 40) only.
        let source = try image(width: 4, height: 1, red: [0, 10, 20, 40], green: [0, 10, 20, 40], blue: [9, 9, 9, 9])
        let result = try source.resized(width: 2, height: 1, interpolation: .bilinear)
        #expect(result.pixels == [5, 5, 9, 30, 30, 9])
    }

    @Test func bicubicUsesKeysKernelWithClampedBorders() throws {
        // Keys a = -0.75: w(0.25) = 0.87890625, w(0.75) = 0.26171875,
        // w(1.25) = -0.10546875, w(1.75) = -0.03515625.
        // 2 -> 4, source [255, 0]:
        //   x = -0.25 taps (-2, -1, 0, 1) -> (0, 0, 0, 1): 1.10546875 * 255 = 281.9 -> clamped 255
        //   x =  0.25 taps (-1, 0, 1, 2) -> (0, 0, 1, 1): 0.7734375 * 255 = 197.2 -> 197
        //   x =  0.75: 0.2265625 * 255 = 57.8 -> 58
        //   x =  1.25: -0.10546875 * 255 = -26.9 -> clamped 0
        let source = try image(width: 2, height: 1, red: [255, 0], green: [0, 255], blue: [100, 100])
        let result = try source.resized(width: 4, height: 1, interpolation: .bicubic)
        #expect(channel(result, 0) == [255, 197, 58, 0])
        #expect(channel(result, 1) == [0, 58, 197, 255])
        #expect(channel(result, 2) == [100, 100, 100, 100])
    }

    @Test func bicubicKeepsConstantImagesConstant() throws {
        let source = try RGBImage(width: 5, height: 3, pixels: Array([[UInt8]](repeating: [12, 34, 56], count: 15).joined()))
        for (width, height) in [(13, 7), (2, 2), (5, 9)] {
            let result = try source.resized(width: width, height: height, interpolation: .bicubic)
            for p in 0..<width * height {
                #expect(Array(result.pixels[p * 3..<p * 3 + 3]) == [12, 34, 56])
            }
        }
    }

    @Test func bicubicFollowsALinearRampInTheInterior() throws {
        // Ramp 4 * x over 8 pixels, upscaled 2x: source position dx / 2 - 0.25, so the ramp
        // value is 2 * dx - 1. Keys with a = -0.75 overshoots a ramp by 3/64 of a step at
        // quarter positions (0.1875 here), which rounding removes. Interior: all four taps
        // inside, dx in 3...12.
        let ramp: [UInt8] = (0..<8).map { UInt8(4 * $0) }
        let source = try image(width: 8, height: 1, red: ramp, green: ramp, blue: ramp)
        let result = try source.resized(width: 16, height: 1, interpolation: .bicubic)
        let red = channel(result, 0)
        for dx in 3...12 {
            #expect(red[dx] == UInt8(2 * dx - 1), "dx \(dx)")
        }
        let bilinear = try source.resized(width: 16, height: 1, interpolation: .bilinear)
        for dx in 1...14 {
            #expect(channel(bilinear, 0)[dx] == UInt8(2 * dx - 1), "dx \(dx)")
        }
    }

    @Test(arguments: Interpolation.allCases)
    func sameSizeIsIdentity(interpolation: Interpolation) throws {
        let row: [UInt8] = [0, 13, 26, 39, 52, 65, 78, 91, 104]
        let source = try RGBImage(width: 3, height: 2, pixels: row + row.reversed())
        #expect(try source.resized(width: 3, height: 2, interpolation: interpolation) == source)
        // Equal rows, width unchanged, height tripled: the horizontal filter must copy
        // each row through unchanged, and the vertical one blends equal rows.
        let flat = try RGBImage(width: 3, height: 2, pixels: row + row)
        let taller = try flat.resized(width: 3, height: 6, interpolation: interpolation)
        #expect(taller.pixels == Array([[UInt8]](repeating: row, count: 6).joined()))
    }

    @Test func rejectsEmptyTargets() throws {
        let source = try RGBImage(width: 1, height: 1, pixels: [1, 2, 3])
        #expect(throws: ImageError.invalidTargetSize(width: 0, height: 5)) {
            try source.resized(width: 0, height: 5, interpolation: .bilinear)
        }
    }

    @Test func planarTensorIsNCHWInTheChosenOrder() throws {
        let source = try RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(source.planarTensor(channelOrder: .rgb) == [1, 4, 2, 5, 3, 6])
        #expect(source.planarTensor(channelOrder: .bgr) == [3, 6, 2, 5, 1, 4])
    }

    @Test func imageInitValidatesTheBuffer() {
        #expect(throws: ImageError.invalidPixelBuffer(width: 2, height: 2, byteCount: 11)) {
            try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11))
        }
        #expect(throws: ImageError.invalidPixelBuffer(width: 0, height: 4, byteCount: 0)) {
            try RGBImage(width: 0, height: 4, pixels: [])
        }
        #expect(throws: ImageError.self) {
            try RGBImage(width: Int.max, height: 2, pixels: [])
        }
        let message = ImageError.invalidPixelBuffer(width: 2, height: 2, byteCount: 11).description
        #expect(message.contains("2x2") && message.contains("11") && !message.contains("\n"))
    }
}
