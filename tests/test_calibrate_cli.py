"""``costcalc calibrate``: the command, its device file read back, the measurements file as untrusted input
(located errors, exit 2), ``--run`` with an injected timer (no test depends on this machine's speed), and the
exact NNLS it fits with (hypothesis: the Karush-Kuhn-Tucker conditions hold exactly)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import TINY_SPEC, ok, run
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.analysis.nnls import nnls, normal_equations
from costcalc.devices.profiles import load_device

PIXEL3 = str(Path(__file__).parents[1] / "costcalc" / "devices" / "measurements" / "pixel3_tflite_mobilenet_v1.csv")


@pytest.fixture(scope="module")
def pixel3(tmp_path_factory: pytest.TempPathFactory) -> str:
    device = tmp_path_factory.mktemp("device") / "pixel3.yaml"
    shown = ok("calibrate", "--measurements", PIXEL3, "-o", str(device))
    assert "on 16 measurements" in shown and "Held-out error (leave-one-out): RMSPE 2.4%, 16 of 16 within" in shown
    return str(device)


def test_calibrate_writes_a_device_file_that_reads_back(pixel3: str) -> None:
    loaded = load_device(pixel3)
    assert loaded.name == "pixel3" and loaded.calibration.measurements == 16
    assert loaded.calibration.held_out.total == 16 and loaded.calibration.held_out.within_10_percent == 16
    data = json.loads(ok("calibrate", "--measurements", PIXEL3, "--format", "json"))
    assert data["held_out"]["measurements"] == 16 and len(data["rows"]) == 16 and data["digest"] == loaded.calibration.digest
    assert data["held_out"]["text"].startswith("± ") and "held-out RMSPE, 16 measurements" in data["held_out"]["text"]


@pytest.mark.parametrize(("text", "expected"), [
    ("model,latency_us\nmobilenet_v1,3\n", "m.csv:1:7: error[E540]: unknown column 'latency_us'"),
    ("model,latency_ms\nmobilenet_v1,0\n", "m.csv:2:14: error[E541]: 'latency_ms': expected a latency above 0"),
    ("model,latency_ms,dtype\nmobilenet_v1,3,fp64\n", "m.csv:2:16: error[E541]: unknown dtype 'fp64'"),
    ("model,latency_ms,alpha\nmobilenet_v1,3,1e999\n", "m.csv:2:16: error[E541]: 'alpha': expected a width"),
    ("model,latency_ms\nmobilenet_v1,3,4\n", "m.csv:2:1: error[E540]: 3 cells, but the header names 2 columns"),
    ("model,latency_ms\n" + "mobilenet_v1,3\n" * 3, "m.csv: error[E542]: 3 measurements: a fit needs at least 4"),
    ("model,latency_ms,layer\n" + "mobilenet_v1,3,nope\n" * 4, "m.csv:2:1: error[E541]: mobilenet_v1 has no layer 'nope'"),
    ("# only a comment\n", "m.csv:1:1: error[E540]: no header"),
])
def test_a_bad_measurements_file_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                            expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.csv").write_text(text, encoding="utf-8")
    result = run("calibrate", "--measurements", "m.csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert expected in result.stderr, result.stderr


def test_a_bad_calibration_in_a_device_file_is_located(pixel3: str, tmp_path: Path) -> None:
    device = tmp_path / "d.yaml"
    text = re.sub(r'per_layer: "[^"]*"', 'per_layer: "-1"', Path(pixel3).read_text(encoding="utf-8"))
    device.write_text(text, encoding="utf-8")
    result = run("report", "--device", str(device))
    assert result.exit_code == 2 and "error[E543]: 'per_layer': expected a number of at least 0" in result.stderr


def test_per_layer_measurements_fit(tmp_path: Path) -> None:
    rows = "".join(f"mobilenet_v1,{alpha},{layer},{ms}\n" for alpha in ("0.5", "1") for layer, ms in
                   (("conv_pw_1", "0.9"), ("conv_dw_1", "0.6"), ("conv_pw_13", "0.5"), ("conv_1", "0.4")))
    (tmp_path / "layers.csv").write_text("model,alpha,layer,latency_ms\n" + rows, encoding="utf-8")
    data = json.loads(ok("calibrate", "--measurements", str(tmp_path / "layers.csv"), "--format", "json"))
    assert data["coefficients"]["per_inference"] == "0" and data["measurements"] == 8


def test_run_times_each_point_and_writes_its_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnx")
    from costcalc.export import timing

    calls: list[tuple[int, ...]] = []

    def fake_timer(model: bytes, shape: tuple[int, int, int, int], warmup: int, repeats: int,
                   threads: int, clock: str) -> Fraction:
        calls.append(shape)
        return Fraction(shape[2] * shape[3], 10**7) + Fraction(1, 10**4)  # a time that grows with the area

    monkeypatch.setattr(timing, "TIMER", fake_timer)
    monkeypatch.setattr(timing, "runtime_name", lambda: "fake runtime")
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC, encoding="utf-8")
    result = run("calibrate", "--run", "--models", str(spec), "--alpha", "0.5,1", "--resolution", "16,32",
                 "--threads", "2", "--repeats", "3", "--csv", str(tmp_path / "m.csv"), "-o", str(tmp_path / "d.yaml"))
    assert result.exit_code == 0, (result.stderr, result.exception)
    shown = result.stdout
    assert "timing with ONNX Runtime" in result.stderr  # the progress bar
    assert sorted(calls) == [(1, 3, 16, 16)] * 2 + [(1, 3, 32, 32)] * 2
    assert "Measured with fake runtime: 2 threads, 3 warm-up and 3 timed runs each, the median kept, wall clock" in shown
    written = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert written[1] == "model,alpha,resolution,depth_multiplier,dtype,batch,latency_ms"
    assert written[2] == f"{spec},0.5,16,1,fp32,1,0.1256" and len(written) == 6
    assert load_device(str(tmp_path / "d.yaml")).calibration.measurements == 4
    refused = run("calibrate", "--run", "--models", str(spec), "--clock", "cpu", "--threads", "2")
    assert refused.exit_code == 2 and "--clock cpu times the one thread that runs the model" in refused.stderr


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 5), min_size=3, max_size=3), min_size=1, max_size=6),
       st.lists(st.integers(-5, 5), min_size=6, max_size=6))
def test_nnls_meets_the_optimality_conditions_exactly(rows: list[list[int]], targets: list[int]) -> None:
    matrix = [[Fraction(value) for value in row] for row in rows]
    gram, moment = normal_equations(matrix, [Fraction(value) for value in targets[:len(rows)]])
    x = nnls(gram, moment)
    gradient = [moment[i] - sum(gram[i][j] * x[j] for j in range(3)) for i in range(3)]
    assert all(value >= 0 for value in x)
    assert all(gradient[i] == 0 if x[i] > 0 else gradient[i] <= 0 for i in range(3))


BAND = "± 2.4 % (held-out RMSPE, 16 measurements)"


def test_every_latency_a_calibrated_device_predicts_carries_its_error(pixel3: str) -> None:
    report = ok("report", "--device", pixel3)
    assert f"latency on pixel3 (fp32): calibrated model {BAND}" in report
    assert f"Latency on pixel3 (fp32): 23.768 ms {BAND}" in report
    data = json.loads(ok("report", "--device", pixel3, "--format", "json"))
    assert data["totals"]["latency_error"]["text"] == BAND and data["device"]["peak_mult_adds_per_s"] is None
    sweep = ["sweep", "--metric", "latency", "--device", pixel3, "--alpha", "0.5,1", "--resolution", "160,224"]
    assert f"calibrated model {BAND}" in ok(*sweep)
    assert json.loads(ok(*sweep, "--format", "json"))["latency_error"]["rmspe"] == 0.023506
    assert ok(*sweep, "--format", "csv").splitlines()[1].endswith(",0.023506")
    assert BAND in ok(*sweep, "--format", "markdown")
    solve = ["solve", "--max-latency", "10ms", "--device", pixel3]
    assert f"latency 9.897 ms {BAND} (calibrated model)" in ok(*solve)
    assert json.loads(ok(*solve, "--format", "json"))["latency_error"]["text"] == BAND
    check = ["check", "mobilenet_v1", "--max-latency", "30ms", "--device", pixel3]
    assert f"23.768 ms {BAND}  limit 30.000 ms" in ok(*check)
    assert json.loads(ok(*check, "--format", "json"))["checks"][0]["latency_error"]["measurements"] == 16
    assert BAND in ok(*check, "--format", "markdown")


def test_a_budget_can_require_a_calibrated_device(pixel3: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flags = ("check", "mobilenet_v1", "--max-latency", "30ms", "--require-calibrated", "--device")
    result = run(*flags, "raspberry_pi_4")
    assert result.exit_code == 2 and "error[E544]: --require-calibrated: the device 'raspberry_pi_4'" in result.stderr
    assert "latency  23.768 ms" in ok(*flags, pixel3)
    Path("costcalc.yaml").write_text("checks:\n  - spec: mobilenet_v1\n    max_latency: 30ms\n    device: raspberry_pi_4\n"
                                     "    require_calibrated: true\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2 and result.stderr.startswith("costcalc.yaml:5:25: error[E544]: check 'mobilenet_v1'")


def test_a_calibrated_device_is_for_its_dtype(pixel3: str) -> None:
    result = run("report", "--device", pixel3, "--dtype", "int8")
    assert result.exit_code == 2 and "error[E532]: the device is calibrated for fp32 only, not int8" in result.stderr


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="model,latency_ms,alpha,dtype,layer#\"\n 0.5e9/-fp32x", max_size=30), max_size=6))
def test_any_text_is_measurements_or_located_errors(lines: list[str]) -> None:
    from costcalc.errors import CostcalcError
    from costcalc.source.measurements import parse_measurements

    text = "model,latency_ms,alpha,dtype,layer\n" + "\n".join(lines)
    try:
        found = parse_measurements(text, "m.csv")
    except CostcalcError as error:
        assert all(str(diagnostic).startswith("m.csv:") and diagnostic.code in ("E540", "E541", "E108")
                   for diagnostic in error.diagnostics)
    else:
        assert all(measured.latency_s > 0 and measured.dtype in ("fp32", "fp16", "bf16", "int8") for measured in found)
