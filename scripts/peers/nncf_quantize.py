"""NNCF's default post-training quantization of an OpenVINO IR (preset performance, CPU,
fast bias correction on, as NNCF ships it), fed the calibration images the way calib
reads them by default: Pillow RGB, OpenCV bilinear resize to the input size, floats
0...255 in NCHW (or NHWC when the last axis has the 3 channels, as calib guesses it).
For scripts/compare-peers.sh.

Usage: nncf_quantize.py MODEL.xml IMAGE_FOLDER COUNT OUTPUT.xml
"""
import sys
from pathlib import Path

import cv2
import nncf
import numpy as np
import openvino as ov
from PIL import Image

model_path, folder, count, output = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
model = ov.Core().read_model(model_path)
shape = [int(d) for d in model.input(0).shape]
channels_last = shape[3] == 3 and shape[1] != 3
height, width = shape[1:3] if channels_last else shape[2:4]
files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[:count]


def tensor(path):
    pixels = np.asarray(Image.open(path).convert("RGB"))
    resized = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_LINEAR)
    return (resized if channels_last else resized.transpose(2, 0, 1))[None].astype(np.float32)


quantized = nncf.quantize(
    model, nncf.Dataset(files, tensor), preset=nncf.QuantizationPreset.PERFORMANCE,
    target_device=nncf.TargetDevice.CPU, subset_size=len(files))
ov.save_model(quantized, output, compress_to_fp16=False)
