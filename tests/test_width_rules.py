"""Width rules (costcalc/layers/width.py): the published presets, head() and expanded(), and the MobileNetV2/V3
figures each rule reproduces.

The figures are tests/reference/mobilenet_width_rules.yaml's (its header gives each source: the MobileNetV2 and
V3 papers, TF-slim's model tables, a Keras-rule PyTorch rebuild; and the exact integers measured by
tests/reference/scripts/mobilenet_width_rules.py on torchvision's builders and on TF-slim's and Keras' rules
rebuilt in PyTorch). Loaded, not copied: the file is the one source of them.
"""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_helpers import ok

from costcalc.conventions import CONVENTIONS
from costcalc.engine.exact import evaluate
from costcalc.layers.width import PRESETS, WidthRule, make_divisible
from costcalc.spec.loading import load_network

REFERENCE = yaml.safe_load((Path(__file__).parent / "reference" / "mobilenet_width_rules.yaml").read_text())


def test_presets_are_the_published_rules() -> None:
    assert list(PRESETS) == ["truncate", "torchvision", "tfslim", "round_filters", "none"]
    from costcalc.cli.options import WIDTH_RULES

    assert WIDTH_RULES == tuple(PRESETS)  # the option's choices, kept without importing layers at start-up
    for preset in PRESETS.values():
        assert preset.source  # every rule says where it comes from


def test_truncate_and_make_divisible_round_alpha_n() -> None:
    truncate, torchvision = WidthRule.of_preset("truncate"), WidthRule.of_preset("torchvision")
    assert truncate.apply(Fraction(3, 4) * 30) == 22  # int(22.5)
    assert torchvision.apply(Fraction(3, 4) * 30) == 24  # make_divisible(22.5, 8)
    assert make_divisible(Fraction(112, 10), 8) == 16  # 8 would be more than 10 % below 11.2


def test_expanded_is_from_the_table_or_from_the_scaled_input() -> None:
    # MobileNetV3-Large's 8th block at alpha 0.75: the table's 200 of an 80 input, the input scaled to 64.
    alpha = Fraction(3, 4)
    table, scaled = WidthRule.of_preset("torchvision"), WidthRule.of_preset("tfslim")
    assert table.expanded(alpha, Fraction(200), Fraction(200, 80), 64) == 152  # make_divisible(150, 8)
    assert scaled.expanded(alpha, Fraction(200), Fraction(200, 80), 64) == 160  # make_divisible(64 * 2.5, 8)


def test_heads_are_kept_below_alpha_1_only_when_the_rule_says_so() -> None:
    kept, scaled = WidthRule.of_preset("tfslim"), WidthRule.of_preset("torchvision")
    assert kept.head(Fraction(1, 2), Fraction(1280)) == 1280
    assert kept.head(Fraction(14, 10), Fraction(1280)) == 1792  # above 1 it scales (Keras: alpha > 1.0)
    assert scaled.head(Fraction(1, 2), Fraction(1280)) == 640


def _counts(model: str, alpha: Any, rule: str, convention: str) -> tuple[int, int]:
    network = load_network(model, width_rule=rule)
    evaluation = evaluate(network, Fraction(str(alpha)), Fraction(1), CONVENTIONS[convention])
    return evaluation.mult_adds, evaluation.params


@pytest.mark.parametrize("point", REFERENCE["measured"], ids=lambda p: f"{p['model']}-{p['alpha']}-{p['rule']}")
def test_each_rule_gives_the_measured_integers(point: dict[str, Any]) -> None:
    assert _counts(point["model"], point["alpha"], point["rule"], "torchvision") == (point["mult_adds"],
                                                                                       point["params"])
    assert _counts(point["model"], point["alpha"], point["rule"], "paper")[1] == point["weights"]


def _printed(count: int, figure: str, rounding: str) -> bool:
    """Whether ``count``, in millions, is ``figure`` at its printed precision (rounded half up, or cut)."""
    places = Decimal(figure)
    mode = ROUND_DOWN if rounding == "cut" else ROUND_HALF_UP
    return (Decimal(count) / 10**6).quantize(places, rounding=mode) == places


@pytest.mark.parametrize("figure", REFERENCE["published"],
                         ids=lambda f: f"{f['source']}-{f['model']}-{f['alpha']}".replace(" ", "_"))
def test_published_figures_are_the_integers_of_their_rule(figure: dict[str, Any]) -> None:
    """Every published figure the reference file marks reproduced rounds from the exact count of its rule; the
    ones it marks not reproduced (documented there and in docs/conventions.md) do not, under any rule."""
    mult_adds, _ = _counts(figure["model"], figure["alpha"], figure["rule"], "torchvision")
    _, params = _counts(figure["model"], figure["alpha"], figure["rule"], figure["convention"])
    matches = [_printed(params, figure["params_m"], figure.get("params_rounding", "half up"))]
    if figure["mult_adds_m"] is not None:
        matches.append(_printed(mult_adds, figure["mult_adds_m"], figure.get("mult_adds_rounding", "half up")))
    if figure["reproduced"]:
        assert all(matches), (mult_adds, params)
    else:
        others = [_counts(figure["model"], figure["alpha"], rule, "torchvision")[0] for rule in ("torchvision", "tfslim")]
        assert not all(matches)
        assert not any(_printed(count, figure["mult_adds_m"], "half up") for count in others)


def test_the_acceptance_figures_with_the_preset_named() -> None:
    """MobileNetV3-Large 0.75 under TF-slim's and Keras' rule: 155 M Mult-Adds, 4.0 M params (the paper's Table 3),
    the preset named in the header and in JSON; torchvision's own rule gives 140.0 M / 3.38 M."""
    out = ok("report", "mobilenet_v3_large", "--alpha", "0.75", "--width-rule", "tfslim", "--convention",
             "torchvision")
    assert "width rule tfslim" in out.splitlines()[2] or "width rule tfslim" in out.splitlines()[1]
    data = json.loads(ok("report", "mobilenet_v3_large", "--alpha", "0.75", "--width-rule", "tfslim",
                         "--convention", "torchvision", "--format", "json"))
    assert data["width_rule"] == "tfslim" and data["totals"]["mult_adds"] == 154_560_624
    default = json.loads(ok("report", "mobilenet_v3_large", "--alpha", "0.75", "--convention", "torchvision",
                            "--format", "json"))
    assert default["width_rule"] == "torchvision" and default["totals"]["mult_adds"] == 140_033_816
    markdown = ok("report", "mobilenet_v3_large", "--alpha", "0.75", "--width-rule", "tfslim", "--format", "markdown")
    assert "width rule **tfslim**" in markdown


def test_a_spec_spells_a_rule_by_its_parts(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("input: {channels: 3, size: 8}\nwidth: {preset: torchvision, heads: kept}\nlayers:\n"
                    "  - conv: {kernel: 3, filters: 20}\n  - global_avg_pool\n  - fc: {units: 'head(100)'}\n")
    data = json.loads(ok("report", str(spec), "--alpha", "0.5", "--format", "json"))
    assert data["width_rule"] == "make_divisible (heads kept)"
    assert [row["output_shape"][2] for row in data["layers"]][-1] == 100
    assert data["layers"][0]["output_shape"][2] == 16  # make_divisible(10, 8)
