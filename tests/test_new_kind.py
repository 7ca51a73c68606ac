"""Adding a layer kind touches one file (two with a new cost component): this test is that file.

``channel_gate`` (x times a learned per-channel gate) is declared below with its facts, its formula and a cost
component of its own, ``gate_muls``, registered for the test and removed after it. Nothing else in costcalc
knows of it, and it works everywhere a kind must: ``report`` (table and JSON), ``sweep`` (the compiled grid),
``report --symbolic`` (the closed form), memory (its tensor), and a convention file that counts its component.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ok

from costcalc.layers import fields as f
from costcalc.layers.base import Layer, Shape, not_a_convolution
from costcalc.layers.components import COMPONENTS, Component, register_component
from costcalc.layers.registry import KINDS, register


class ChannelGate(Layer):
    """``x · g`` with one learned gate ``g`` per channel: ``C`` weights, one multiply per output element."""

    kind = "channel_gate"
    summary = "x times a learned per-channel gate (a test's kind)"
    name_prefix = "gate"
    in_place = False
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution

    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Any) -> dict[str, Any]:
        h, w, c = output_shape
        return {"weights": c, "gate_muls": h * w * c}


GATE_MULS = Component("gate_muls", "elements a channel gate multiplies", "channel-gate multiplies", "element", "output")

SPEC = """\
name: gated
input: {channels: 3, size: 16}
layers:
  - conv: {kernel: 3, filters: 8}
  - channel_gate
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""
CONVENTION = """\
name: with_gates
mult_adds: {weight_macs: 1, gate_muls: 1}
params: [weights]
ignores: ["*"]
"""
CONV_MULT_ADDS = 3 * 3 * 3 * 8 * 16 * 16  # 55,296
FC_MULT_ADDS = 8 * 10


@pytest.fixture
def gate_kind() -> Iterator[type[Layer]]:
    register(ChannelGate)
    register_component(GATE_MULS)
    try:
        yield ChannelGate
    finally:
        del KINDS[ChannelGate.kind]
        del COMPONENTS[GATE_MULS.name]


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    spec, convention = tmp_path / "gated.yaml", tmp_path / "with_gates.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    convention.write_text(CONVENTION, encoding="utf-8")
    return str(spec), str(convention)


def test_report_counts_its_params_and_shows_it(gate_kind: type[Layer], files: tuple[str, str]) -> None:
    spec, _ = files
    data = json.loads(ok("report", spec, "--format", "json"))
    (gate,) = [row for row in data["layers"] if row["kind"] == "channel_gate"]
    assert gate["name"] == "gate_1" and gate["output_shape"] == [16, 16, 8]
    assert gate["mult_adds"] == 0 and gate["params"] == 8  # paper: weights are params, its multiplies are not counted
    assert data["totals"]["mult_adds"] == CONV_MULT_ADDS + FC_MULT_ADDS
    assert "channel_gate" in ok("report", spec, "--all-layers")


def test_a_convention_file_counts_its_component(gate_kind: type[Layer], files: tuple[str, str]) -> None:
    spec, convention = files
    data = json.loads(ok("report", spec, "--convention", convention, "--format", "json"))
    assert data["totals"]["mult_adds"] == CONV_MULT_ADDS + 16 * 16 * 8 + FC_MULT_ADDS
    assert data["counted"]["mult_adds"]["gate_muls"] == 1


def test_memory_allocates_its_tensor(gate_kind: type[Layer], files: tuple[str, str]) -> None:
    spec, _ = files
    data = json.loads(ok("report", spec, "--format", "json", "--dtype", "fp16"))
    (gate,) = [row for row in data["layers"] if row["kind"] == "channel_gate"]
    assert gate["activation_bytes"] == 16 * 16 * 8 * 2 and gate["weight_bytes"] == 8 * 2


def test_sweep_evaluates_it_on_the_grid(gate_kind: type[Layer], files: tuple[str, str]) -> None:
    spec, convention = files
    data = json.loads(ok("sweep", spec, "--alpha", "0.5,1", "--resolution", "8,16", "--convention", convention,
                         "--format", "json"))
    points = {(point["alpha_exact"], point["resolution"]): point["mult_adds"] for point in data["points"]}
    assert points[("1", 16)] == CONV_MULT_ADDS + 16 * 16 * 8 + FC_MULT_ADDS
    assert points[("0.5", 8)] == 3 * 3 * 3 * 4 * 8 * 8 + 8 * 8 * 4 + 4 * 10


def test_the_closed_form_has_its_term(gate_kind: type[Layer], files: tuple[str, str]) -> None:
    spec, convention = files
    data = json.loads(ok("report", spec, "--symbolic", "--convention", convention, "--format", "json"))
    assert data["symbolic"]["exact_equals_closed_form"] is True
    # conv 3·3·3·8·16² + gate 16²·8 = 57,344 per alpha·rho²; fc 8·10 per alpha; params 216 + 8 + 80
    assert data["symbolic"]["mult_adds"] == "57344*alpha*rho**2 + 80*alpha"
    assert data["symbolic"]["params"] == "304*alpha"
