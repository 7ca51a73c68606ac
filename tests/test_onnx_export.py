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
from costcalc.source.bundled import bundled_specs
from costcalc.spec.build import load_network

pytest.importorskip("onnx")

FULL = bool(os.environ.get("COSTCALC_ONNX_FULL"))
POINTS = [(Fraction(1), 224), (Fraction(1, 2), 160), (Fraction(3, 4), 192)]
SAMPLE = ["mobilenet_v1", "shufflenet_v2_x1_0", "efficientnet_b0", "convnext_tiny", "densenet121", "googlenet",
          "alexnet", "mobilenet_v3_small"]
EXPORTABLE = {"alexnet": [(Fraction(1), 224), (Fraction(1, 2), 224), (Fraction(3, 4), 416)],  # 6x6 or 12x12 -> 6
              "vgg11": [(Fraction(1), 224), (Fraction(1, 2), 448)], "vgg16": [(Fraction(1), 224)],
              "vgg16_bn": [(Fraction(1), 224), (Fraction(3, 4), 224)]}  # adaptive_avg_pool 7: whole multiples


def cases() -> list[tuple[str, Fraction, int]]:
    specs = sorted(bundled_specs()) if FULL else SAMPLE
    return [(spec, alpha, size) for spec in specs for alpha, size in EXPORTABLE.get(spec, POINTS)]


@pytest.mark.parametrize(("spec", "alpha", "size"), cases())
def test_export_then_import_counts_the_same(spec: str, alpha: Fraction, size: int, tmp_path: Path) -> None:
    model = tmp_path / f"{spec}.onnx"
    result = run("export", spec, "-o", str(model), "--alpha", str(alpha), "--resolution", str(size),
                 "--weights", "none")
    assert result.exit_code == 0, result.stderr
    original = load_network(spec)
    imported = load_network(str(model))
    for convention in CONVENTIONS.values():
        expected = evaluate(original, alpha, rho_for_resolution(original.spec, size), convention)
        got = evaluate(imported, Fraction(1), Fraction(1), convention)
        assert (got.mult_adds, got.params) == (expected.mult_adds, expected.params), (spec, convention.name)
        assert got.layers[-1].output_shape == expected.layers[-1].output_shape


@pytest.mark.parametrize(("spec", "alpha", "size"), [("mobilenet_v1", "0.25", 96), ("shufflenet_v2_x1_0", "0.5", 64),
                                                      ("efficientnet_b0", "0.25", 64), ("convnext_tiny", "0.25", 64),
                                                      ("squeezenet1_0", "0.5", 64), ("mobilenet_v1_shallow", "1", 32)])
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
