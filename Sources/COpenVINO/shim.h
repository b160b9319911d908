// Found through -I .deps/openvino/include, set in Package.swift.
#include <openvino/c/openvino.h>
