"""Which layers the calibrated latency model runs as kernels of their own (costcalc.analysis.latency_terms
``kernels``) are the kernels ONNX Runtime runs once its graph optimizations have fused batch norm, the
ReLU-family activations and a residual's add into the convolution before: compared with the optimized graphs
of tests/reference/ort_kernels.yaml (ONNX Runtime 1.32.0, scripts/ort_kernels.py)."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
import yaml

from costcalc.analysis.latency_terms import kernels
from costcalc.engine.exact import evaluate
from costcalc.spec.loading import load_network, variant_point

REFERENCE = yaml.safe_load((Path(__file__).parent / "reference" / "ort_kernels.yaml").read_text(encoding="utf-8"))


def _running(name: str) -> collections.Counter[str]:
    network = load_network(name)
    evaluation = evaluate(network, *variant_point(network.spec, None, None, 224))
    counts: collections.Counter[str] = collections.Counter()
    for row, runs in zip(evaluation.layers, kernels(evaluation)):
        if runs:
            counts["conv" if row.layer.conv_view() is not None else row.kind] += 1
    return counts


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_the_kernels_are_onnx_runtimes(name: str) -> None:
    ops: dict[str, int] = REFERENCE[name]
    running = _running(name)
    convolutions = sum(count for op, count in ops.items() if op.split("+")[0] in ("Conv", "FusedConv"))
    # Not compared: Flatten and Reshape (costcalc counts a view as no kernel; ONNX Runtime's alias their input)
    # and the NCHWc layout's Reorder* conversions (the machine's, not the network's).
    expected = {"conv": convolutions, "fc": ops.get("Gemm", 0), "global_avg_pool": ops.get("GlobalAveragePool", 0),
                "max_pool": ops.get("MaxPool", 0), "activation": ops.get("QuickGelu", 0),
                "scale": ops.get("Mul", 0), "add": ops.get("Add", 0), "concat": ops.get("Concat", 0),
                "channel_shuffle": ops.get("Transpose", 0),
                "split": 2 * ops.get("Split", 0)}  # costcalc's two slices are one Split of ONNX Runtime's
    assert {kind: running[kind] for kind in expected} == expected
    assert running["batch_norm"] == 0 and set(running) <= set(expected) | {"batch_norm"}


def test_a_silu_is_a_kernel_and_a_relu_is_not() -> None:
    """EfficientNet's SiLU (a Sigmoid and a Mul, which no fusion folds into the convolution: a QuickGelu) runs;
    its squeeze-and-excitation gate (a Sigmoid right after the 1x1 convolution) is fused, as is every
    ReLU of MobileNet v1."""
    assert _running("efficientnet_b0")["activation"] == 49 and _running("mobilenet_v1")["activation"] == 0


def test_a_kernel_moves_a_batch_of_its_bytes() -> None:
    """At a batch of 2 (memory at that batch, as a report's --batch computes it) every kernel's activations
    double, those of a SiLU or a shuffle (in place in the memory model) as well as a convolution's."""
    from costcalc.analysis.latency_terms import layer_terms
    from costcalc.analysis.memory import memory

    for name in ("efficientnet_b0", "shufflenet_v2_x1_0"):
        network = load_network(name)
        evaluation = evaluate(network, *variant_point(network.spec, None, None, 224))
        one, two = layer_terms(evaluation, memory(evaluation)), layer_terms(evaluation, memory(evaluation, "fp32", 2),
                                                                             1, 2)
        assert any(a.activation_bytes for a in one)
        assert all(b.activation_bytes == 2 * a.activation_bytes and b.weight_bytes == a.weight_bytes
                   for a, b in zip(one, two))
