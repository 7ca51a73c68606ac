"""Every zoo network under the fvcore, ptflops, thop and torchinfo conventions equals the tool's own figure.

Figures: ``tests/reference/zoo_counts.yaml`` (loaded, not copied: every bundled network x 4 tools, 84 networks
with the MobileNet v1 anchors and GoogLeNet with its aux heads), measured by tests/reference/scripts/measure_zoo.py
with fvcore 0.1.5.post20221221 (``FlopCountAnalysis.total()``), ptflops
0.7.5 (``get_model_complexity_info``, pytorch backend), thop 0.1.1.post2209072238 (``profile``) and torchinfo
1.8.0 (``summary().total_mult_adds``) on torch 2.14.1 and torchvision 0.29.1, each on the model torchvision
builds (eval mode, one image at the spec's size). For thop and torchinfo the params are the tool's own count
(thop's leaves out what its hooks never see); for fvcore they are ``sum(p.numel())``.

One figure is not expressible as a sum of components, and the test says exactly why: fvcore counts an einsum
through numpy's ``einsum_path``, whose printed "Optimized FLOP count" has 4 significant digits, so each of
MaxViT's 44 einsums is rounded (docs/conventions.md, "What costcalc cannot reproduce").
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from costcalc.analysis.explain import explain
from costcalc.conventions import CONVENTIONS
from costcalc.engine.exact import evaluate
from costcalc.render.explain_formats import words
from costcalc.source.bundled import bundled_specs
from costcalc.spec.loading import load_network, variant_point

FIGURES = yaml.safe_load((Path(__file__).parent / "reference" / "zoo_counts.yaml").read_text(encoding="utf-8"))
TOOLS = ("fvcore", "ptflops", "thop", "torchinfo")
NOT_EXPRESSIBLE = {("maxvit_t", "fvcore")}  # numpy's 4-digit einsum count (module docstring)
CASES = [(name, point["resolution"]) for name, points in FIGURES["models"].items() if name in bundled_specs()
         for point in points if "fvcore" in point]


@cache
def _network(name: str) -> Any:
    return load_network(name)


def _point(name: str, resolution: int) -> dict[str, Any]:
    (point,) = [point for point in FIGURES["models"][name] if point["resolution"] == resolution]
    return point  # type: ignore[no-any-return]


def _evaluate(name: str, resolution: int, tool: str) -> Any:
    """The model at ``resolution``, at its variant's alpha (efficientnet_b4 is B0 at 1.4; docs/spec-format.md,
    "Arguments and variants")."""
    network = _network(name)
    return evaluate(network, *variant_point(network.spec, None, None, resolution), CONVENTIONS[tool])


def test_every_bundled_network_is_measured() -> None:
    measured = {name for name, _resolution in CASES}
    assert measured == set(bundled_specs())
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "resolution"), CASES)
def test_each_tool_convention_gives_the_tools_own_figure(name: str, resolution: int) -> None:
    point = _point(name, resolution)
    for tool in TOOLS:
        mult_adds, params = (point[tool], point["params"]) if tool == "fvcore" else point[tool]
        evaluation = _evaluate(name, resolution, tool)
        if (name, tool) in NOT_EXPRESSIBLE:
            continue
        assert (evaluation.mult_adds, evaluation.params) == (mult_adds, params), tool


def _numpy_einsum_macs(macs: int) -> int:
    """fvcore's count of one einsum of ``macs`` multiply-accumulates: numpy's einsum_path prints its FLOP count
    (2·macs) as ``%.3e``, which fvcore parses and halves, rounding down (fvcore/nn/jit_handles.py:207-213)."""
    return int(Fraction(Decimal(f"{2 * macs:.3e}")) / 2)


@pytest.mark.parametrize("resolution", [224, 448])
def test_fvcore_on_maxvit_differs_only_by_numpys_rounding_of_each_einsum(resolution: int) -> None:
    evaluation = _evaluate("maxvit_t", resolution, "fvcore")
    einsums = [amount for row in evaluation.layers for component, amount in row.components.items()
               if component.endswith(".einsum") and component.startswith("weight_macs")]
    assert len(einsums) == 44  # 11 layers x 2 partitions x (Q·Kᵀ, A·V)
    rounding = sum(_numpy_einsum_macs(macs) - macs for macs in einsums)
    assert evaluation.mult_adds + rounding == _point("maxvit_t", resolution)["fvcore"]
    assert abs(rounding) * 10**5 < evaluation.mult_adds  # under one in 100,000


@pytest.mark.parametrize("name", ["vit_b_16", "swin_v2_t", "maxvit_t", "inception_v3", "convnext_tiny"])
@pytest.mark.parametrize("tool", TOOLS)
def test_explain_accounts_for_every_difference_in_words(name: str, tool: str) -> None:
    network = _network(name)
    a = evaluate(network, convention=CONVENTIONS[tool])
    b = evaluate(network, convention=CONVENTIONS["torchvision"])
    explanation = explain(a, b)
    assert sum(entry.diff for entry in explanation.components) == a.mult_adds - b.mult_adds
    assert sum(entry.diff for entry in explanation.params) == a.params - b.params
    for entry in explanation.components + explanation.params:
        what, unit = words(entry.component)
        assert what != entry.component and unit != "unit", entry.component  # said in words, not as a name
