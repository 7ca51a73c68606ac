"""ONNX export (docs/onnx.md, "Export"): ``export`` then ``import`` gives back the spec's counts exactly, under
every built-in convention, at several widths and resolutions; ONNX Runtime runs an export and its output has the
shape the report predicts.

The default run round-trips a sample of the zoo at three points each; ``COSTCALC_ONNX_FULL=1`` (``.ci/run``) does
every bundled spec at every point, as ``COSTCALC_FUZZ_FULL`` does for the fuzz tests.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import run

from costcalc.conventions.builtin import CONVENTIONS
from costcalc.engine.exact import evaluate, rho_for_resolution
from costcalc.errors import SpecError
from costcalc.source.bundled import bundled_specs
from costcalc.spec.loading import load_network

pytest.importorskip("onnx")

FULL = bool(os.environ.get("COSTCALC_ONNX_FULL"))
POINTS = [(Fraction(1), 224), (Fraction(1, 2), 160), (Fraction(3, 4), 192)]
SAMPLE = ["mobilenet_v1", "shufflenet_v2_x1_0", "efficientnet_b0", "convnext_tiny", "densenet121", "googlenet",
          "alexnet", "mobilenet_v3_small"]
# An adaptive average pool exports only between whole multiples (E577), so these families take sizes whose map
# before the pool is a multiple of its output: AlexNet's 6x6 from 224 or 416, VGG's 7x7 from 224 or 448.
EXPORTABLE = {"alexnet": [(Fraction(1), 224), (Fraction(1, 2), 224), (Fraction(3, 4), 416)],
              "vgg": [(Fraction(1), 224), (Fraction(1, 2), 448), (Fraction(3, 4), 224)]}


def points(spec: str) -> list[tuple[Fraction, int]]:
    family = next((name for name in EXPORTABLE if spec.startswith(name)), None)
    return EXPORTABLE[family] if family else POINTS


# Issue 14's kinds, one point each by default (tokens, attention, windows with shift, padding and Swin V2's bias
# MLP, MaxViT's block and grid partitions, patch merging, a params-only branch, call: markers).
# (tests/test_onnx_properties.py covers small networks of these kinds at many more points.)
TRANSFORMERS = [("vit_b_32", Fraction(1, 2), 160), ("swin_v2_t", Fraction(3, 4), 192), ("maxvit_t", Fraction(1, 2), 224),
                ("inception_v3", Fraction(1, 2), 160)]


def cases() -> list[tuple[str, Fraction, int]]:
    specs = sorted(bundled_specs()) if FULL else SAMPLE
    every = [(spec, alpha, size) for spec in specs for alpha, size in points(spec)]
    return every if FULL else every + TRANSFORMERS


@pytest.mark.parametrize(("spec", "alpha", "size"), cases())
def test_export_then_import_counts_the_same(spec: str, alpha: Fraction, size: int, tmp_path: Path) -> None:
    model = tmp_path / f"{spec}.onnx"
    result = run("export", spec, "-o", str(model), "--alpha", str(alpha), "--resolution", str(size),
                 "--weights", "none")
    original = load_network(spec)
    try:
        evaluate(original, alpha, rho_for_resolution(original.spec, size))
    except SpecError as refused:  # a width the spec itself refuses (RegNet's group width at alpha < 1)
        assert result.exit_code == 2 and str(refused.diagnostics[0]) in result.stderr, result.stderr
        return
    assert result.exit_code == 0, result.stderr
    imported = load_network(str(model))
    for convention in CONVENTIONS.values():
        expected = evaluate(original, alpha, rho_for_resolution(original.spec, size), convention)
        got = evaluate(imported, Fraction(1), Fraction(1), convention)
        assert (got.mult_adds, got.params) == (expected.mult_adds, expected.params), (spec, convention.name)
        assert got.layers[-1].output_shape == expected.layers[-1].output_shape


@pytest.mark.parametrize(("spec", "alpha", "size"), [("mobilenet_v1", "0.25", 96), ("shufflenet_v2_x1_0", "0.5", 64),
                                                      ("efficientnet_b0", "0.25", 64), ("convnext_tiny", "0.25", 64),
                                                      ("squeezenet1_0", "0.5", 64), ("mobilenet_v1_shallow", "1", 32),
                                                      ("vit_b_32", "0.25", 64), ("swin_t", "0.25", 100)])
def test_onnx_runtime_runs_an_export(spec: str, alpha: str, size: int, tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    import numpy

    model = tmp_path / "model.onnx"
    assert run("export", spec, "-o", str(model), "--alpha", alpha, "--resolution", str(size)).exit_code == 0
    network = load_network(spec)
    predicted = evaluate(network, Fraction(alpha), rho_for_resolution(network.spec, size))
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": numpy.zeros((2, 3, size, size), numpy.float32)})
    last = predicted.layers[-1].output_shape
    assert output.shape[:2] == (2, last.channels)
    assert tuple(output.shape[2:]) in ((), (last.height, last.width))
    assert numpy.isfinite(output).all()


def test_an_export_is_the_same_file_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.onnx", tmp_path / "b.onnx"
    for path in (first, second):
        assert run("export", "mobilenet_v1", "-o", str(path), "--alpha", "0.25", "--resolution", "64").exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_layer_without_an_onnx_op_at_that_size_is_refused(tmp_path: Path) -> None:
    result = run("export", "vgg11", "-o", str(tmp_path / "vgg.onnx"), "--resolution", "160")
    assert result.exit_code == 2
    assert "error[E577]: layer 'adaptive_avg_pool_1': an adaptive average pool from 5×5 to 7×7" in result.stderr
    assert not (tmp_path / "vgg.onnx").exists()


def test_without_onnx_the_commands_say_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError, as when it is not installed
    monkeypatch.setitem(sys.modules, "onnx.onnx_ml_pb2", None)
    fixture = str(Path(__file__).parent / "fixtures" / "onnx" / "resnet18.onnx")
    for args in (("import", fixture), ("report", fixture), ("export", "mobilenet_v1", "-o", str(tmp_path / "m.onnx"))):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "error[E570]" in result.stderr and "pip install 'costcalc[onnx]'" in result.stderr, result.stderr
