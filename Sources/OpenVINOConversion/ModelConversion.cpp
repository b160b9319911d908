// The conversion behind `calib convert`: OpenVINO reads the source with its own frontend,
// the input gets its static shape, layout and the seed's preprocessing options (channel
// reversal, then subtract the mean, then multiply by 1/scale), and `ov::save_model` writes
// the IR with the conversion tool's own transformations (and f16 weight compression when
// asked).
#include "OpenVINOConversion.h"

#include <openvino/core/preprocess/pre_post_process.hpp>
#include <openvino/openvino.hpp>
#include <openvino/op/constant.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/subtract.hpp>

#include <algorithm>
#include <cstring>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

/// A conversion request the user can fix; its message is reported as is.
struct ConversionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string describe(const ov::PartialShape &shape) {
    std::ostringstream text;
    text << shape;
    return text.str();
}

std::string listNames(const std::vector<ov::Output<ov::Node>> &inputs) {
    std::string names;
    for (const auto &input : inputs) {
        names += (names.empty() ? "" : ", ") + input.get_any_name();
    }
    return names;
}

/// The input the options apply to: the one named, or the only one.
ov::Output<ov::Node> selectInput(const std::shared_ptr<ov::Model> &model, const char *name) {
    const auto inputs = model->inputs();
    if (name == nullptr) {
        if (inputs.size() != 1) {
            throw ConversionError("the model has " + std::to_string(inputs.size()) + " inputs (" + listNames(inputs) +
                                  "): name the one to shape and preprocess with --input");
        }
        return inputs.front();
    }
    for (const auto &input : inputs) {
        const auto &names = input.get_names();
        if (names.count(name) != 0) {
            return input;
        }
    }
    throw ConversionError(std::string("the model has no input named '") + name + "'; its inputs: " + listNames(inputs));
}

/// The layout given, or NCHW/NHWC told apart by which axis has `channels` entries.
ov::Layout inputLayout(const ov::PartialShape &shape, const char *given, size_t channels) {
    if (given != nullptr) {
        return ov::Layout(given);
    }
    if (shape.rank().is_static() && shape.size() == 4) {
        const bool channelsFirst = shape[1].is_static() && shape[1].get_length() == static_cast<int64_t>(channels);
        const bool channelsLast = shape[3].is_static() && shape[3].get_length() == static_cast<int64_t>(channels);
        if (channelsFirst != channelsLast) {
            return ov::Layout(channelsFirst ? "NCHW" : "NHWC");
        }
    }
    throw ConversionError("input shape " + describe(shape) + " has no axis 1 or 3 of " + std::to_string(channels) +
                          " channels for " + std::to_string(channels) +
                          " mean/scale values: give one value per channel, or --layout (NCHW or NHWC)");
}

/// A [1,..,C,..,1] f32 constant holding `values` along the channel axis of `layout`.
std::shared_ptr<ov::op::v0::Constant> perChannel(const std::vector<float> &values, const ov::Layout &layout, size_t rank) {
    int64_t axis = ov::layout::channels_idx(layout);
    if (axis < 0) {
        axis += static_cast<int64_t>(rank);
    }
    ov::Shape shape(rank, 1);
    shape.at(static_cast<size_t>(axis)) = values.size();
    return ov::op::v0::Constant::create(ov::element::f32, shape, values);
}

void convert(const calib_model_conversion &request) {
    ov::Core core;
    std::shared_ptr<ov::Model> model = core.read_model(request.source_path);
    if (request.model_name != nullptr) {
        model->set_friendly_name(request.model_name);
    }
    const bool preprocess = request.mean_count > 0 || request.scale_count > 0 || request.reverse_input_channels != 0;
    const bool shapes = request.input_rank > 0 || request.layout != nullptr || preprocess || request.input_name != nullptr;
    if (shapes) {
        ov::Output<ov::Node> input = selectInput(model, request.input_name);
        const std::string inputName = input.get_any_name();
        if (request.input_rank > 0) {
            const ov::PartialShape declared = input.get_partial_shape();
            if (declared.rank().is_static() && declared.size() != request.input_rank) {
                throw ConversionError("the input '" + inputName + "' has " + std::to_string(declared.size()) + " dimensions (" +
                                      declared.to_string() + "), --input-shape gives " + std::to_string(request.input_rank));
            }
            std::vector<ov::Dimension> dims;
            for (size_t index = 0; index < request.input_rank; ++index) {
                dims.emplace_back(request.input_shape[index]);
            }
            model->reshape(std::map<std::string, ov::PartialShape>{{inputName, ov::PartialShape(dims)}});
        }
        const ov::PartialShape shape = model->input(inputName).get_partial_shape();
        const size_t channels = request.mean_count > 0 ? request.mean_count : request.scale_count > 0 ? request.scale_count : 3;
        if (request.mean_count > 0 && request.scale_count > 0 && request.mean_count != request.scale_count) {
            throw ConversionError("--mean-values has " + std::to_string(request.mean_count) + " values but --scale-values has " +
                                  std::to_string(request.scale_count));
        }
        ov::preprocess::PrePostProcessor steps(model);
        auto &inputSteps = steps.input(inputName);
        if (request.layout != nullptr || preprocess) {
            const ov::Layout layout = inputLayout(shape, request.layout, channels);
            inputSteps.model().set_layout(layout);
            if (preprocess) {
                if (!ov::layout::has_channels(layout)) {
                    throw ConversionError("layout " + layout.to_string() + " names no channel axis C for mean, scale or reversal");
                }
                const int64_t axis = ov::layout::channels_idx(layout);
                const auto channelDim = shape.rank().is_static() ? shape[(axis + shape.size()) % shape.size()] : ov::Dimension();
                const size_t count = request.mean_count > 0 ? request.mean_count : request.scale_count;
                if (count > 0 && channelDim.is_static() && channelDim.get_length() != static_cast<int64_t>(count)) {
                    throw ConversionError("input '" + inputName + "' " + describe(shape) + " has " +
                                          std::to_string(channelDim.get_length()) + " channels but " + std::to_string(count) +
                                          " mean/scale values were given");
                }
                if (request.reverse_input_channels != 0) {
                    if (!channelDim.is_static() || channelDim.get_length() != 3) {
                        throw ConversionError("--reverse-input-channels needs 3 channels, but input '" + inputName + "' " +
                                              describe(shape) + " in layout " + layout.to_string() + " has " +
                                              (channelDim.is_static() ? std::to_string(channelDim.get_length()) : "?"));
                    }
                    inputSteps.preprocess().reverse_channels();
                }
                const std::vector<float> mean(request.mean_values, request.mean_values + request.mean_count);
                std::vector<float> inverseScale;
                for (size_t index = 0; index < request.scale_count; ++index) {
                    inverseScale.push_back(1.0f / request.scale_values[index]);
                }
                const size_t rank = shape.size();
                if (!mean.empty() || !inverseScale.empty()) {
                    inputSteps.preprocess().custom([mean, inverseScale, layout, rank](const ov::Output<ov::Node> &node) {
                        ov::Output<ov::Node> value = node;
                        if (!mean.empty()) {
                            value = std::make_shared<ov::op::v1::Subtract>(value, perChannel(mean, layout, rank));
                        }
                        if (!inverseScale.empty()) {
                            value = std::make_shared<ov::op::v1::Multiply>(value, perChannel(inverseScale, layout, rank));
                        }
                        return value;
                    });
                }
            }
        }
        model = steps.build();
    }
    ov::save_model(model, request.xml_path, request.compress_to_fp16 != 0);
}

void report(const std::string &message, char *error, size_t capacity) {
    if (error == nullptr || capacity == 0) {
        return;
    }
    std::string line;
    std::istringstream lines(message);
    for (std::string part; std::getline(lines, part);) {
        const auto first = part.find_first_not_of(" \t");
        if (first == std::string::npos) {
            continue;
        }
        line += (line.empty() ? "" : " | ") + part.substr(first);
    }
    const size_t length = std::min(line.size(), capacity - 1);
    std::memcpy(error, line.data(), length);
    error[length] = '\0';
}

}  // namespace

extern "C" int calib_convert_model(const calib_model_conversion *conversion, char *error, size_t error_capacity) {
    try {
        convert(*conversion);
        return 0;
    } catch (const ConversionError &failure) {
        report(failure.what(), error, error_capacity);
        return 2;
    } catch (const std::exception &failure) {
        report(failure.what(), error, error_capacity);
        return 1;
    } catch (...) {
        report("unknown error", error, error_capacity);
        return 1;
    }
}
