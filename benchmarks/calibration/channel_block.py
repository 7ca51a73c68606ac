"""Does ONNX Runtime compute a convolution's output channels in whole blocks? (docs/calibrate.md, "A channel
block".) Times a 1x1 convolution from 64 channels to N at 56x56 (ReLU fused), then one back to 64, on one
thread, CPU clock, the median of 200 runs, for N = 16, 24, 32, 40, 48. On a CPU with AVX-512F (MLAS's NCHWc
block: 16 channels) N = 24 costs what 32 does and 40 what 48 does. Needs numpy, onnx and onnxruntime."""

from __future__ import annotations

import time

import numpy
import onnxruntime
from onnx import TensorProto, helper, numpy_helper


def model(channels: int) -> bytes:
    generator = numpy.random.default_rng(0)
    first = numpy_helper.from_array(generator.standard_normal((channels, 64, 1, 1)).astype(numpy.float32), "W")
    back = numpy_helper.from_array(generator.standard_normal((64, channels, 1, 1)).astype(numpy.float32), "W2")
    nodes = [helper.make_node("Conv", ["x", "W"], ["c"]), helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Conv", ["r", "W2"], ["z"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 56, 56])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)], [first, back])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def median_us(channels: int) -> float:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model(channels), options, providers=["CPUExecutionProvider"])
    feed = {"x": numpy.zeros((1, 64, 56, 56), numpy.float32)}
    for _ in range(20):
        session.run(None, feed)
    times = []
    for _ in range(200):
        start = time.thread_time_ns()
        session.run(None, feed)
        times.append(time.thread_time_ns() - start)
    return sorted(times)[len(times) // 2] / 1000


if __name__ == "__main__":
    print(f"onnxruntime {onnxruntime.__version__}, 1 thread, CPU clock, median of 200 runs")
    for n in (16, 24, 32, 40, 48):
        print(f"1x1 conv 64 -> {n} -> 64 at 56x56: {median_us(n):.0f} us")
