"""``solve`` bisects where the totals never fall as the searched variable grows, and scans elsewhere
(``costcalc.analysis.solve``, ``CompiledCost.monotone``, ``WidthRule.monotone``).

The scan's answer is the definition: the largest grid point that meets the budget while the next does not,
counting from the bottom. These tests pin the bisection to it on random bundled specs and budgets, bound its
work (evaluations counted, never time), and keep the scan where a width rule is not monotone: torchvision's
``_make_divisible`` with a ``min_value`` that is not a multiple of the divisor gives 17 channels at 11 and 16
at 12, so the cost dips and a bisection would find a later boundary than the first.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.analysis.solve import (
    MAX_ALPHA,
    MAX_RESOLUTION,
    Unreachable,
    largest_alpha,
    largest_resolution,
    scan_alpha,
)
from costcalc.analysis.sweep import Budget
from costcalc.conventions import PAPER, TORCHVISION, Convention
from costcalc.engine.compiled import CompiledCost
from costcalc.engine.exact import evaluate
from costcalc.layers.width import WidthRule, make_divisible
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import Network, build_network
from cli_helpers import ok

_NETWORKS: dict[str, Network] = {}


def bundled(name: str) -> Network:
    if name not in _NETWORKS:
        _NETWORKS[name] = build_network(load_spec(bundled_specs()[name]))
    return _NETWORKS[name]


class Scanning(CompiledCost):
    """The same costs, searched by the scan alone."""

    @property
    def monotone(self) -> bool:
        return False


class Counting(CompiledCost):
    """The same costs, counting the points evaluated."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.evaluated = 0

    def totals(self, alpha: Fraction, rho: Fraction) -> tuple[int, int]:
        self.evaluated += 1
        return super().totals(alpha, rho)


class CountingScan(Counting, Scanning):
    """Counted, and scanned."""


def outcome(search: Any, *args: Any) -> Any:
    try:
        return search(*args)
    except Unreachable:
        return "unreachable"


# bundled specs with no channel count written as an expression (those scan: mobilenet_v3, efficientnet, ViT)
SPECS = ["mobilenet_v1", "resnet18", "shufflenet_v2_x0_5", "squeezenet1_1", "alexnet", "googlenet", "convnext_tiny"]


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(SPECS), convention=st.sampled_from([PAPER, TORCHVISION]),
       at=st.integers(10, 40).map(lambda n: Fraction(n, 20)), resolution=st.sampled_from([160, 224]),
       limit_params=st.booleans())
def test_bisection_finds_what_the_scan_finds(name: str, convention: Convention, at: Fraction, resolution: int,
                                            limit_params: bool) -> None:
    network = bundled(name)
    compiled = CompiledCost(network, convention)
    assert compiled.monotone
    rho = Fraction(resolution, network.spec.input.height)
    mult_adds, params = compiled.totals(at, rho)
    budget = Budget(mult_adds=None if limit_params else mult_adds, params=params if limit_params else None)
    step = Fraction(1, 20)
    assert outcome(largest_alpha, compiled, rho, budget, step) == outcome(scan_alpha, compiled, rho, budget, step)
    budget = Budget(mult_adds=mult_adds)  # the resolution: its scan runs from 8 px (some are no network there)
    found = outcome(largest_resolution, compiled, at, budget, 8)
    assert found == outcome(largest_resolution, Scanning(network, convention), at, budget, 8)


def test_bisection_bounds_the_evaluations() -> None:
    """The scan of 0.01, 0.02, ... evaluates 73 widths to find MobileNet's 0.72 under 300M (at 224 px); the
    bisection skips the three with no channels (int(0.03·32) = 0), then needs about log2(1,000) more."""
    compiled = Counting(bundled("mobilenet_v1"), PAPER)
    found = largest_alpha(compiled, Fraction(1), Budget(mult_adds=300_000_000), Fraction(1, 100))
    assert found.alpha == Fraction(72, 100)  # Howard et al. 2017's 0.75 model is 325M: just over
    assert compiled.evaluated <= 3 + 2 + (int(MAX_ALPHA * 100)).bit_length()
    scanning = CountingScan(bundled("mobilenet_v1"), PAPER)
    assert largest_alpha(scanning, Fraction(1), Budget(mult_adds=300_000_000), Fraction(1, 100)) == found
    assert scanning.evaluated == 73
    by_resolution = Counting(bundled("mobilenet_v1"), PAPER)
    largest_resolution(by_resolution, Fraction(1), Budget(mult_adds=300_000_000), 1)
    assert by_resolution.evaluated <= 2 + MAX_RESOLUTION.bit_length()


def test_the_budget_held_at_the_end_of_the_search() -> None:
    compiled = CompiledCost(bundled("mobilenet_v1"), PAPER)
    found = largest_alpha(compiled, Fraction(1), Budget(mult_adds=10**15), Fraction(1, 10))
    assert (found.alpha, found.limited_by_search) == (MAX_ALPHA, True)
    with pytest.raises(Unreachable):
        largest_alpha(compiled, Fraction(1), Budget(mult_adds=1), Fraction(1, 10))


# --- where the scan stays -------------------------------------------------------------------------------------------

NOT_MONOTONE = """\
version: 1
name: dip
input: {channels: 3, size: 32}
width: {rounding: make_divisible, divisor: 8, min_channels: 9}
layers:
  - conv: {kernel: 1, filters: 100, padding: 0}
"""


def test_expressions_keep_the_scan() -> None:
    assert not CompiledCost(bundled("mobilenet_v3_small"), PAPER).monotone  # make_divisible(in // 4, 8) and head()


def test_make_divisible_with_a_minimum_off_the_divisor_is_not_monotone() -> None:
    assert make_divisible(Fraction(11), 8, 9) == 17 > make_divisible(Fraction(12), 8, 9) == 16
    assert not WidthRule(rounding="make_divisible", min_channels=9).monotone
    assert WidthRule(rounding="make_divisible", min_channels=16).monotone
    assert WidthRule(rounding="make_divisible").monotone and WidthRule().monotone


def test_a_dip_in_the_cost_keeps_the_scan(tmp_path: Path) -> None:
    """Channels 9 up to alpha 0.10, 17 at 0.11, 16 from 0.12 to 0.17, 24 at 0.18: with a budget that 16
    channels meet and 17 do not, the scan stops at 0.10 (0.11 does not fit); a bisection would land on 0.17."""
    path = tmp_path / "dip.yaml"
    path.write_text(NOT_MONOTONE, encoding="utf-8")
    network = build_network(load_spec(str(path)))
    compiled = CompiledCost(network, PAPER)
    assert not compiled.monotone
    channels = {n: evaluate(network, Fraction(n, 100)).layers[0].output_shape.channels for n in (10, 11, 12, 17, 18)}
    assert channels == {10: 9, 11: 17, 12: 16, 17: 16, 18: 24}
    limit = 3 * 16 * 32 * 32  # a 1x1 conv from 3 channels at 32 x 32: 16 channels fit, 17 do not
    found = largest_alpha(compiled, Fraction(1), Budget(mult_adds=limit), Fraction(1, 100))
    assert found.alpha == Fraction(10, 100)
    text = ok("solve", str(path), "--max-mult-adds", str(limit), "--format", "json")
    assert '"alpha_exact": "0.1"' in text or '"alpha": 0.1' in text


DEEP = """\
version: 1
name: deep
input: {channels: 3, size: 8}
layers:
  - conv: {kernel: 3, filters: 8}
  - repeat: "round_repeats(4)"
    layers:
      - conv: {kernel: 3, filters: 8}
"""


def test_the_depth_search_stops_where_networks_grow_past_the_layer_limit(tmp_path: Path, monkeypatch: Any) -> None:
    """Past the layer limit (E211) every deeper network is refused too (repeat counts never fall as d grows), so
    the search stops there with the answer the scan gave after refusing every depth up to 10, one by one."""
    import costcalc.analysis.solve as solve
    import costcalc.spec.build as build

    monkeypatch.setattr(build, "MAX_LAYERS", 9)  # 1 + ceil(4·d) layers: d = 2 is the deepest network
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP, encoding="utf-8")
    network = build_network(load_spec(str(path)))
    built = []
    real_build = solve.build_network
    monkeypatch.setattr(solve, "build_network", lambda *args: built.append(args[1]) or real_build(*args))
    found = solve.largest_depth(network, PAPER, Fraction(1), Fraction(1), Budget(mult_adds=10**12), Fraction(1, 2))
    assert (found.depth_multiplier, found.limited_by_search) == (Fraction(2), True)
    assert built == [Fraction(n, 2) for n in range(1, 6)]  # 0.5 ... 2, and 2.5: refused; not 3, 3.5, ..., 10
