// OpenVINOConversion: a C entry point to OpenVINO's model frontends (ONNX, TFLite, IR) and
// its IR serializer, which only the C++ API offers. `calib convert` calls it from Swift.
#ifndef CALIB_OPENVINO_CONVERSION_H
#define CALIB_OPENVINO_CONVERSION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What to convert and how; pointers may be null when their count is 0.
typedef struct {
    /// The source model: .onnx, .tflite or an IR .xml.
    const char *source_path;
    /// Where the IR .xml goes; the .bin is written next to it with the same stem.
    const char *xml_path;
    /// The model's name in the IR (`<net name>`); null keeps the source's.
    const char *model_name;
    /// The input to shape and preprocess; null means the model's only input.
    const char *input_name;
    /// A static shape for that input; rank 0 keeps the source's shape.
    const int64_t *input_shape;
    size_t input_rank;
    /// The input's layout, e.g. "NCHW"; null guesses it from the shape when needed.
    const char *layout;
    /// Per-channel values subtracted from, then divided out of, the raw input.
    const float *mean_values;
    size_t mean_count;
    const float *scale_values;
    size_t scale_count;
    /// Non-zero: the input's channel order is reversed (RGB <-> BGR) before mean and scale.
    int reverse_input_channels;
    /// Non-zero: float weights are stored as f16 Constants followed by a Convert to f32.
    int compress_to_fp16;
} calib_model_conversion;

/// Converts and writes the IR. Returns 0 on success; otherwise a one-line message
/// (NUL-terminated, truncated to `error_capacity`) in `error` and 2 when the options do
/// not fit the model (no such input, wrong channel count), 1 when OpenVINO failed.
int calib_convert_model(const calib_model_conversion *conversion, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
