"""A device's channel block (``calibrate --channel-block``): a convolution's Mult-Adds counted with its output
channels in whole blocks, as ONNX Runtime's NCHWc convolutions compute them (MLAS's ``NchwcBlockSize``: 16
with AVX-512F); written in the device file, read back (bounded, E543) and used by every prediction."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import ok, run
from hypothesis import given
from hypothesis import strategies as st

from costcalc.analysis.latency_terms import layer_terms
from costcalc.analysis.memory import memory
from costcalc.devices.profiles import load_device
from costcalc.engine.exact import evaluate
from costcalc.spec.loading import load_network

PIXEL3 = str(Path(__file__).parents[1] / "costcalc" / "devices" / "measurements" / "pixel3_tflite_mobilenet_v1.csv")
EVALUATION = evaluate(load_network("mobilenet_v1"), Fraction(3, 4), Fraction(1))  # 24 channels first: 2 blocks


def _terms(block: int) -> list[tuple[str, int, int]]:
    rows = layer_terms(EVALUATION, memory(EVALUATION), block)
    return [(row.name, int(row.output_shape.channels), terms.mult_adds) for row, terms in zip(EVALUATION.layers, rows)]


def test_a_convolution_is_counted_in_whole_blocks_of_channels() -> None:
    plain, blocked = _terms(1), _terms(16)
    first = {name: (channels, macs) for name, channels, macs in plain}
    assert first["conv_1"][0] == 24 and dict((n, m) for n, _c, m in blocked)["conv_1"] == first["conv_1"][1] * 32 // 24
    for (name, channels, macs), (_same, _channels, padded) in zip(plain, blocked):
        assert padded == (macs if channels % 16 == 0 or name == "fc_1" else -(-macs * -(-channels // 16) * 16 // channels))


@given(st.integers(1, 64))
def test_blocks_never_lower_a_count_and_one_block_changes_nothing(block: int) -> None:
    plain, blocked = _terms(1), _terms(block)
    assert all(padded >= macs for (_n, _c, macs), (_m, _d, padded) in zip(plain, blocked))
    assert (blocked == plain) == all(channels % block == 0 or macs == 0 or name == "fc_1"
                                     for name, channels, macs in plain)


def test_the_block_is_written_read_back_and_bounded(tmp_path: Path) -> None:
    device = tmp_path / "d.yaml"
    ok("calibrate", "--measurements", PIXEL3, "-o", str(device), "--channel-block", "16")
    text = device.read_text(encoding="utf-8")
    assert "  channel_block: 16" in text and load_device(str(device)).calibration.channel_block == 16
    assert "latency" in ok("report", "--device", str(device), "--alpha", "0.75")
    device.write_text(re.sub("channel_block: 16", "channel_block: 0", text), encoding="utf-8")
    result = run("report", "--device", str(device))
    assert result.exit_code == 2 and "error[E543]: 'channel_block' must be a whole number from 1 to 256" in result.stderr


@pytest.mark.parametrize("value", ["0", "257"])
def test_a_block_out_of_bounds_is_refused(value: str) -> None:
    result = run("calibrate", "--measurements", PIXEL3, "--channel-block", value)
    assert result.exit_code == 2 and "'--channel-block'" in result.stderr and "from 1 to 256" in result.stderr
