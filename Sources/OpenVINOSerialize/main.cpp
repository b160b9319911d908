// ov-serialize: reads an IR with OpenVINO and writes it back with OpenVINO's own
// serializer. calib's tests use it to check that IRs written by OpenVINO read, and run,
// the same through calib's reader; the C API has no serializer, so this uses C++.
#include <openvino/openvino.hpp>
#include <openvino/pass/serialize.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: ov-serialize INPUT.xml OUTPUT.xml OUTPUT.bin" << std::endl;
        return 2;
    }
    try {
        ov::Core core;
        std::shared_ptr<ov::Model> model = core.read_model(argv[1]);
        ov::serialize(model, argv[2], argv[3]);
    } catch (const std::exception& error) {
        std::cerr << "ov-serialize: " << error.what() << std::endl;
        return 1;
    }
    return 0;
}
