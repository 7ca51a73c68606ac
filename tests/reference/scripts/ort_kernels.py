"""The kernels ONNX Runtime runs for costcalc's exports of five networks, after its graph optimizations: the
count of each op type in the optimized graph (writes ort_kernels.yaml's body to stdout).

Run it with a Python that has onnx and onnxruntime, with ``costcalc`` on the PATH (it exports each network
with ``costcalc export``, random weights, 224 px), e.g. ``/tmp/venv-torch/bin/python ort_kernels.py``. The
session is the one ``costcalc calibrate --run`` makes (CPU provider, 1 intra-op thread, sequential, every
optimization level on: the default); ``optimized_model_filepath`` saves the graph it runs.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile

import onnx
import onnxruntime

NETWORKS = ("mobilenet_v1", "mobilenet_v2", "resnet18", "efficientnet_b0", "shufflenet_v2_x1_0")


def kernels(path: str, optimized: str) -> dict[str, int]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.optimized_model_filepath = optimized
    options.log_severity_level = 3
    onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    counts: collections.Counter[str] = collections.Counter()
    for node in onnx.load(optimized).graph.node:
        fused = [a.s.decode() for a in node.attribute if a.name == "activation"]
        counts[node.op_type + (f"+{fused[0]}" if fused else "")] += 1
    return dict(sorted(counts.items()))


def main() -> None:
    print(f"# onnxruntime {onnxruntime.__version__}, onnx {onnx.__version__}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        for network in NETWORKS:
            path = os.path.join(folder, f"{network}.onnx")
            subprocess.run(["costcalc", "export", network, "-o", path], check=True, capture_output=True)
            print(f"{network}:")
            for op, count in kernels(path, os.path.join(folder, f"{network}.opt.onnx")).items():
                print(f"  {op}: {count}")


if __name__ == "__main__":
    main()
