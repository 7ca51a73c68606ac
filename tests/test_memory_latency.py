"""Memory (activation and weight bytes, the peak of activations alive at once) and the roofline latency
estimate on a device profile (issue 8's acceptance, with figures worked out by hand)."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import bad_usage, ok

from costcalc.analysis.memory import memory
from costcalc.analysis.roofline import roofline
from costcalc.conventions import CONVENTIONS
from costcalc.devices.profiles import DTYPES, Device, DeviceError, load_device
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network


def _evaluate(name: str, convention: str = "paper", alpha: Fraction = Fraction(1)):  # type: ignore[no-untyped-def]
    return evaluate(build_network(load_spec(str(bundled_specs()[name]))), alpha, Fraction(1), CONVENTIONS[convention])


@pytest.mark.parametrize("convention", ["paper", "torchvision"])
@pytest.mark.parametrize("dtype", sorted(DTYPES))
def test_weight_bytes_are_params_times_the_dtype_size(convention: str, dtype: str) -> None:
    evaluation = _evaluate("mobilenet_v1", convention)
    assert memory(evaluation, dtype).weight_bytes == DTYPES[dtype] * evaluation.params


def test_mobilenet_peak_is_the_first_pointwise_layer() -> None:
    # conv_pw_1 reads 112x112x32 and writes 112x112x64 floats: (401,408 + 802,816) x 4 = 4,816,896 bytes.
    evaluation = _evaluate("mobilenet_v1")
    fp32 = memory(evaluation, "fp32")
    assert fp32.peak_activation_bytes == 4_816_896 == (112 * 112 * 32 + 112 * 112 * 64) * 4
    assert evaluation.layers[fp32.peak_layer].name == "conv_pw_1"
    # a chain: the peak is the largest input + output of any layer
    allocating = [(row, layer) for row, layer in zip(evaluation.layers, fp32.layers) if not row.layer.in_place]
    assert fp32.peak_activation_bytes == max(layer.input_bytes + layer.activation_bytes for _row, layer in allocating)
    assert memory(evaluation, "int8").peak_activation_bytes == 4_816_896 // 4


def test_in_place_layers_allocate_nothing() -> None:
    evaluation = _evaluate("mobilenet_v1")
    for row, layer in zip(evaluation.layers, memory(evaluation).layers):
        expected = 0 if row.kind in ("batch_norm", "activation") else 4 * row.output_shape[0] * row.output_shape[1] * row.output_shape[2]
        assert layer.activation_bytes == expected, row.name


def test_resnet50_peak_holds_the_shortcut_across_the_block() -> None:
    # layer1_0 of ResNet-50: while the add runs, the main path's 56x56x256 output, the projection shortcut's
    # 56x56x256 output and the sum are all alive: 3 x 56 x 56 x 256 x 4 bytes.
    evaluation = _evaluate("resnet50")
    fp32 = memory(evaluation, "fp32")
    assert fp32.peak_activation_bytes == 3 * 56 * 56 * 256 * 4
    assert evaluation.layers[fp32.peak_layer].name == "layer1_0.add_1"
    # inside a bottleneck, the block's input is kept alive for the identity shortcut: at layer1_1's first 1x1
    # conv, its input (56x56x256) and output (56x56x64) are alive, and nothing else.
    index = [row.name for row in evaluation.layers].index("layer1_1.conv_1")
    assert fp32.layers[index].alive_bytes == (56 * 56 * 256 + 56 * 56 * 64) * 4
    index = [row.name for row in evaluation.layers].index("layer1_1.conv_2")
    assert fp32.layers[index].alive_bytes == (56 * 56 * 256 + 2 * 56 * 56 * 64) * 4  # the shortcut is still held


DEVICE = """\
name: test_device
description: round numbers, for exact arithmetic in a test
peak_mult_adds_per_s: {fp32: 7000000000, int8: 30000000000}
bandwidth_bytes_per_s: 3000000000
source: made up
"""


def _device(tmp_path: Path) -> str:
    path = tmp_path / "device.yaml"
    path.write_text(DEVICE, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name", ["mobilenet_v1", "resnet18", "mobilenet_v3_large"])
@pytest.mark.parametrize("dtype", ["fp32", "int8"])
def test_each_layer_is_the_roofline_max_and_the_total_adds_up(tmp_path: Path, name: str, dtype: str) -> None:
    device = load_device(_device(tmp_path))
    evaluation = _evaluate(name, "torchvision")
    use = memory(evaluation, dtype)
    times = roofline(evaluation, use, device)
    peak = {"fp32": 7_000_000_000, "int8": 30_000_000_000}[dtype]
    for row, layer, time in zip(evaluation.layers, use.layers, times.layers):
        moved = 0 if row.layer.in_place else layer.input_bytes + layer.activation_bytes + layer.weight_bytes
        assert time.bytes_moved == moved
        compute, transfer = Fraction(row.mult_adds, peak), Fraction(moved, 3_000_000_000)
        assert time.latency_s == max(compute, transfer)
        assert time.bound == ("" if not (compute or transfer) else "compute" if compute >= transfer else "memory")
    assert times.latency_s == sum(time.latency_s for time in times.layers)


def test_depthwise_layers_take_more_of_the_time_than_of_the_mult_adds(tmp_path: Path) -> None:
    data = json.loads(ok("report", "--device", _device(tmp_path), "--format", "json"))
    rows = data["layers"]
    depthwise_time = sum(Fraction(row["latency_s_exact"]) for row in rows if row["kind"] == "depthwise")
    depthwise_macs = sum(row["mult_adds"] for row in rows if row["kind"] == "depthwise")
    total_time = Fraction(data["totals"]["latency_s_exact"])
    macs_share = Fraction(depthwise_macs, data["totals"]["mult_adds"])
    assert macs_share < Fraction(4, 100)  # 3.06%, the paper's Table 2
    assert depthwise_time / total_time > 2 * macs_share  # memory-bound: more than twice its share of the time
    assert all(row["bound"] == "memory" for row in rows if row["kind"] == "depthwise")
    assert sum(Fraction(row["latency_s_exact"]) for row in rows) == total_time
    assert data["memory"] == {"dtype": "fp32", "weight_bytes": 4 * 4_209_088, "peak_activation_bytes": 4_816_896,
                              "peak_layer": "conv_pw_1"}
    assert data["device"]["name"] == "test_device" and "not a measurement" in data["device"]["assumptions"]
    totals = data["totals"]
    assert (totals["weight_bytes"], totals["peak_activation_bytes"]) == (4 * 4_209_088, 4_816_896)


def test_the_table_states_the_assumptions(tmp_path: Path) -> None:
    out = ok("report", "--device", _device(tmp_path), "--dtype", "int8")
    header = out.splitlines()[:5]
    assert any(line.startswith("latency on test_device (int8): analytical roofline estimate, not a measurement")
               for line in header), header
    assert "Latency on test_device (int8):" in out and "not a measurement" in out
    assert "Time by kind on test_device" in out
    assert "Memory (int8): weights 4,209,088 bytes (4.2 MB), peak activations 1,204,224 bytes" in out


def test_bundled_devices_cite_their_sources() -> None:
    from costcalc.devices.profiles import bundled_devices, resolve_device

    devices = bundled_devices()
    assert len(devices) >= 4
    for name in devices:
        device = resolve_device(name)
        assert device.source and device.bandwidth_bytes_per_s > 0 and device.peak_mult_adds_per_s


def test_a_bad_device_file_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""\
        peak_mult_adds_per_s: {fp32: -1, fp64: 5}
        bandwith_bytes_per_s: 3
        """), encoding="utf-8")
    with pytest.raises(DeviceError) as caught:
        load_device(str(path))
    lines = [str(found) for found in caught.value.diagnostics]
    assert lines == [
        f"{path}:1:1: error[E531]: missing 'bandwidth_bytes_per_s'",
        f"{path}:1:1: error[E531]: missing 'source'",
        f"{path}:1:30: error[E531]: 'fp32': expected a rate above 0 (a whole number, or 1.5e12), got -1",
        f"{path}:1:34: error[E531]: unknown dtype 'fp64' (did you mean 'fp16'?); expected one of: fp32, fp16, bf16, "
        "int8",
        f"{path}:2:1: error[E531]: unknown key 'bandwith_bytes_per_s' (did you mean 'bandwidth_bytes_per_s'?); "
        "expected one of: name, description, peak_mult_adds_per_s, bandwidth_bytes_per_s, source, calibration",
    ]
    assert "error[E530]: unknown device 'pixle'" in bad_usage("report", "--device", "pixle")


def test_a_device_without_the_dtype_is_refused(tmp_path: Path) -> None:
    assert "error[E532]: the device profile gives no peak for fp16" in bad_usage(
        "report", "--device", _device(tmp_path), "--dtype", "fp16")


def test_device_is_a_plain_record() -> None:
    device = Device("d", "", {"fp32": 1}, 1, "s")
    assert device.peak("fp32") == 1


def test_check_latency_and_peak_memory_budgets(tmp_path: Path) -> None:
    from cli_helpers import run

    device = _device(tmp_path)
    passing = run("check", "mobilenet_v1", "--max-latency", "1s", "--device", device, "--max-peak-memory", "5MB")
    assert passing.exit_code == 0, passing.stderr
    assert "peak memory  4.8 MB (4,816,896 bytes)" in passing.stdout
    failing = run("check", "mobilenet_v1", "--max-peak-memory", "4MB", "--dtype", "fp32")
    assert failing.exit_code == 1 and "over by 816.9 kB" in failing.stdout
    assert run("check", "mobilenet_v1", "--max-peak-memory", "4MB", "--dtype", "int8").exit_code == 0
    data = json.loads(run("check", "mobilenet_v1", "--max-latency", "1s", "--device", device, "--format",
                          "json").stdout)
    (result,) = data["checks"]
    assert result["metric"] == "latency" and 0 < result["value"] < 1 and result["limit"] == 1.0
    assert "--max-latency needs --device" in bad_usage("check", "mobilenet_v1", "--max-latency", "20ms")


def test_sweep_shows_latency_or_peak_memory_and_marks_their_budgets(tmp_path: Path) -> None:
    from costcalc.analysis.memory import memory as memory_of

    device = _device(tmp_path)
    data = json.loads(ok("sweep", "--metric", "latency", "--device", device, "--alpha", "1,0.5", "--resolution",
                         "224,160", "--max-latency", "10ms", "--format", "json"))
    assert data["metric"] == "latency" and data["device"] == "test_device"
    network = build_network(load_spec(str(bundled_specs()["mobilenet_v1"])))
    for point in data["points"]:
        evaluation = evaluate(network, Fraction(point["alpha_exact"]), Fraction(point["rho_exact"]))
        use = memory_of(evaluation)
        expected = roofline(evaluation, use, load_device(device)).latency_s
        assert Fraction(point["latency_s_exact"]) == expected
        assert point["peak_activation_bytes"] == use.peak_activation_bytes
        assert point["within_budget"] == (expected <= Fraction(1, 100))
    table = ok("sweep", "--metric", "peak-memory", "--dtype", "int8", "--alpha", "1", "--resolution", "224")
    assert "peak activation memory (int8)" in table and "1.2 MB" in table
    assert "give --device" in bad_usage("sweep", "--metric", "latency")


def test_solve_for_a_latency_or_memory_budget(tmp_path: Path) -> None:
    device = _device(tmp_path)
    out = ok("solve", "--max-latency", "10ms", "--device", device)
    assert "the largest alpha with latency ≤ 10.000 ms" in out and "(roofline estimate)" in out
    alpha = Fraction(out.split("alpha = ")[1].split()[0])
    network = build_network(load_spec(str(bundled_specs()["mobilenet_v1"])))

    def latency(width: Fraction) -> Fraction:
        evaluation = evaluate(network, width, Fraction(1))
        return roofline(evaluation, memory(evaluation), load_device(device)).latency_s

    assert latency(alpha) <= Fraction(1, 100) < latency(alpha + Fraction(1, 100))
    answer = ok("solve", "--max-peak-memory", "2MB", "--vary", "resolution")
    pixels = int(answer.split("resolution = ")[1].split()[0])
    assert memory(evaluate(network, Fraction(1), Fraction(pixels, 224))).peak_activation_bytes <= 2_000_000
    assert memory(evaluate(network, Fraction(1), Fraction(pixels + 1, 224))).peak_activation_bytes > 2_000_000


def test_budgets_file_latency_and_peak_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli_helpers import run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "device.yaml").write_text(DEVICE, encoding="utf-8")
    (tmp_path / "costcalc.yaml").write_text(textwrap.dedent("""\
        checks:
          - spec: mobilenet_v1
            max_latency: 1ms
            device: device.yaml
            max_peak_memory: 4MB
            dtype: int8
        """), encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "peak memory  1.2 MB (1,204,224 bytes)" in lines[0] and lines[0].endswith("ok")
    assert "latency" in lines[1] and lines[1].endswith("FAIL")
    github = run("check", "--format", "github").stdout
    assert github.startswith("::error file=costcalc.yaml,line=3,col=18,")  # at the limit's value
    (tmp_path / "costcalc.yaml").write_text("checks:\n  - spec: mobilenet_v1\n    max_latency: 20ms\n", encoding="utf-8")
    assert bad_usage("check") == ("costcalc.yaml:3:18: error[E502]: check 'mobilenet_v1': 'max_latency' needs a "
                                  "'device': a latency is estimated on a device\n")
