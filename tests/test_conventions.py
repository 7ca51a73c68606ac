"""Counting conventions that reproduce popular counters, FLOPs, user conventions, and ``explain``.

Golden figures: ``tests/reference/anchor_counts.yaml`` gives fvcore 0.1.5.post20221221, ptflops 0.7.5, thop
0.1.1.post2209072238 and torchinfo 1.8.0 on a PyTorch MobileNet v1 (torch 2.13.0) at alpha 1.0/224 and 0.5/160.
The other fourteen points of the grid below were measured the same way: the same model built at each width
(channels int(n·alpha)) and resolution, counted by each tool at those versions (torch 2.14.1; the file's two
points come out identical on it), eval mode, batch 1, ptflops with its default pytorch backend. ``params`` is
``sum(p.numel())``; ``keras`` adds the batch norms' moving mean and variance (2 per channel).
"""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import bad_usage, ok, run

from costcalc.analysis.explain import explain
from costcalc.conventions import CONVENTIONS, PAPER
from costcalc.conventions.files import ConventionError, load_convention, resolve_convention
from costcalc.engine.exact import evaluate
from costcalc.errors import CostcalcWarning
from costcalc.layers.components import COMPONENTS, Component, expand_names, register_component
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network

# (alpha, resolution): (params, keras params, fvcore, ptflops, thop, torchinfo)
GRID = {
    ("1", 224): (4_231_976, 4_253_864, 578_875_904, 589_012_456, 588_962_304, 568_763_240),
    ("1", 192): (4_231_976, 4_253_864, 425_568_256, 433_015_784, 432_978_944, 418_144_616),
    ("1", 160): (4_231_976, 4_253_864, 295_846_400, 301_018_600, 300_993_024, 290_698_088),
    ("1", 128): (4_231_976, 4_253_864, 189_710_336, 193_020_904, 193_004_544, 186_423_656),
    ("0.75", 224): (2_585_560, 2_601_976, 333_002_112, 340_604_776, 340_566_912, 325_417_864),
    ("0.75", 192): (2_585_560, 2_601_976, 244_858_368, 250_444_264, 250_416_384, 239_290_888),
    ("0.75", 160): (2_585_560, 2_601_976, 170_275_200, 174_154_600, 174_135_168, 166_414_216),
    ("0.75", 128): (2_585_560, 2_601_976, 109_252_608, 111_735_784, 111_723_264, 106_787_848),
    ("0.5", 224): (1_331_592, 1_342_536, 154_564_864, 159_633_640, 159_608_064, 149_509_032),
    ("0.5", 192): (1_331_592, 1_342_536, 113_693_696, 117_417_960, 117_399_040, 109_982_376),
    ("0.5", 160): (1_331_592, 1_342_536, 79_110_400, 81_697_000, 81_683_712, 76_536_744),
    ("0.5", 128): (1_331_592, 1_342_536, 50_814_976, 52_470_760, 52_462_080, 49_172_136),
    ("0.25", 224): (470_072, 475_544, 43_564_160, 46_099_048, 46_085_760, 41_036_744),
    ("0.25", 192): (470_072, 475_544, 32_074_240, 33_936_872, 33_926_912, 30_219_080),
    ("0.25", 160): (470_072, 475_544, 22_352_000, 23_645_800, 23_638_656, 21_065_672),
    ("0.25", 128): (470_072, 475_544, 14_397_440, 15_225_832, 15_220_992, 13_576_520),
}
TOOLS = ("fvcore", "ptflops", "thop", "torchinfo")


def _mobilenet() -> object:
    return build_network(load_spec(str(bundled_specs()["mobilenet_v1"])))


@pytest.mark.parametrize(("alpha", "resolution"), sorted(GRID))
def test_each_tool_convention_gives_the_tools_figure(alpha: str, resolution: int) -> None:
    params, keras_params, *figures = GRID[(alpha, resolution)]
    network = _mobilenet()
    for tool, figure in zip(TOOLS, figures):
        evaluation = evaluate(network, Fraction(alpha), Fraction(resolution, 224), CONVENTIONS[tool])
        assert (evaluation.mult_adds, evaluation.params) == (figure, params), tool
    assert evaluate(network, Fraction(alpha), Fraction(resolution, 224), CONVENTIONS["keras"]).params == keras_params


def test_the_cli_gives_the_anchor_figures() -> None:
    for tool, figure in zip(TOOLS, GRID[("1", 224)][2:]):
        data = json.loads(ok("report", "--convention", tool, "--format", "json"))
        assert data["totals"] == {"mult_adds": figure, "params": 4_231_976,
                                  "weight_bytes": 16_927_904, "peak_activation_bytes": 4_816_896}
        assert data["convention"] == tool and data["unit"] == "mult-adds"


def test_torchvision_still_matches_the_zoo() -> None:
    # torchvision 0.29.1 weights meta: ResNet50_Weights.IMAGENET1K_V2 num_params; _ops 4.089 (tests/test_golden_zoo.py)
    data = json.loads(ok("report", "resnet50", "--convention", "torchvision", "--format", "json"))
    assert data["totals"] == {"mult_adds": 4_089_184_256, "params": 25_557_032,
                              # the peak: layer1_0.add_1, three 56x56x256 fp32 tensors alive
                              "weight_bytes": 102_228_128, "peak_activation_bytes": 9_633_792}


def test_every_builtin_names_its_tool_and_source() -> None:
    for name, convention in CONVENTIONS.items():
        assert convention.name == name and convention.description and convention.source
        if name not in ("paper",):
            assert convention.tool


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_every_builtin_decides_every_cost_component(name: str) -> None:
    """No silent zero: a built-in counts each component (as Mult-Adds or as params) or says it ignores it. A
    component added without a decision in every built-in (costcalc/conventions/builtin.py) fails here."""
    convention = CONVENTIONS[name]
    assert convention.undecided() == [], f"{name} says nothing of {convention.undecided()}: count it or ignore it"
    counted = {term.component for term in convention.mult_adds} | set(convention.params)
    assert not counted & expand_names(convention.ignores), f"{name} both counts and ignores these"


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_every_builtin_names_only_components_that_exist(name: str) -> None:
    """A qualified component a convention names (``act_relu.functional``) decides it; a misspelt one would decide
    nothing and let the component follow its base unnoticed."""
    from costcalc.layers.components import is_component

    convention = CONVENTIONS[name]
    named = [term.component for term in convention.mult_adds] + list(convention.params) + [
        item for item in convention.ignores if item not in ("*", "act_*")]
    assert [item for item in named if not is_component(item)] == []


def test_a_new_component_without_a_decision_is_caught() -> None:
    """The check above can fail: a component registered after the built-ins were written is undecided."""
    added = register_component(Component("test_only_muls", "for this test", "test multiplies", "element", "output"))
    try:
        assert all(convention.undecided() == ["test_only_muls"] for convention in CONVENTIONS.values())
    finally:
        del COMPONENTS[added.name]


def test_a_convention_file_that_leaves_components_out_is_warned_about(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
        mult_adds: {weight_macs: 1}
        params: [weights]
        ignores: [bias_adds, biases, bn_affine, act_*]
    """)
    result = run("report", "--convention", path, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["totals"]["mult_adds"] == 568_740_352
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:1:1: warning[W102]: the convention counts 18 cost components as nothing without "
                           "saying so: bn_stats, norm_affine, layer_scale, merge_adds,"), line


def test_a_convention_file_may_say_what_it_ignores(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("mult_adds: {weight_macs: 1}\nparams: [weights]\nignores: [bias_adds, act_*]\n", encoding="utf-8")
    with pytest.warns(CostcalcWarning, match=r"warning\[W102\]: the convention counts 20 cost components"):
        convention = load_convention(str(path))
    assert "act_relu" not in convention.undecided() and "bias_adds" not in convention.undecided()
    assert "bn_elements" in convention.undecided()


# --- units ------------------------------------------------------------------------------------------------------------


def test_flops_count_a_multiply_accumulate_twice_and_other_operations_once() -> None:
    network = _mobilenet()
    for name, convention in CONVENTIONS.items():
        macs = evaluate(network, convention=convention)
        flops = evaluate(network, convention=convention.in_unit("flops"))
        weight_macs = sum(row.components.get("weight_macs", 0) for row in macs.layers)
        assert flops.mult_adds == macs.mult_adds + weight_macs, name  # one more per multiply-accumulate
        assert flops.params == macs.params
    assert evaluate(network, convention=PAPER.in_unit("flops")).mult_adds == 2 * 568_740_352


def test_the_unit_is_in_every_header_and_json() -> None:
    assert "unit flops" in ok("report", "--unit", "flops")
    assert "FLOPs" in ok("report", "--unit", "flops")
    data = json.loads(ok("report", "--unit", "flops", "--format", "json"))
    assert data["unit"] == "flops" and data["totals"]["mult_adds"] == 2 * 568_740_352
    assert data["counted"] == {"mult_adds": {"weight_macs": 2}, "params": ["weights"]}
    assert json.loads(ok("sweep", "--alpha", "1", "--resolution", "224", "--unit", "flops", "--format", "json"))[
        "unit"] == "flops"
    assert "unit flops" in ok("compare", "mobilenet_v1", "mobilenet_v1_conv", "--unit", "flops")
    assert "FLOPs ≤" in ok("solve", "--max-mult-adds", "600M", "--unit", "flops")


# --- your own convention ----------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_a_convention_file_is_a_weighted_sum_of_components(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
        name: mine
        description: MACs and one op per batch-norm element
        mult_adds:
          weight_macs: 1
          bn_elements: {times: 1, kind: op}
        params: [weights, biases]
        ignores: ["*"]
    """)
    convention = load_convention(path)
    evaluation = evaluate(_mobilenet(), convention=convention)
    assert evaluation.mult_adds == 568_740_352 + 5_042_688 and evaluation.params == 4_209_088 + 1_000
    data = json.loads(ok("report", "--convention", path, "--unit", "flops", "--format", "json"))
    assert data["convention"] == "mine" and data["totals"]["mult_adds"] == 2 * 568_740_352 + 5_042_688


def test_a_bad_convention_file_reports_every_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
        name: paper
        mult_adds:
          weight_macs: 1.5
          bn_element: 2
          act_relu: {times: 1, kind: flop}
        params: [weights, bias]
        extra: 1
    """)
    with pytest.raises(ConventionError) as caught:
        load_convention(path)
    lines = [str(diagnostic) for diagnostic in caught.value.diagnostics]
    assert lines == [
        f"{path}:1:7: error[E520]: 'paper' is a built-in convention; give yours another name",
        f"{path}:3:16: error[E520]: 'weight_macs': expected a whole number of times (it may be negative), got 1.5",
        f"{path}:4:3: error[E521]: unknown cost component 'bn_element' (did you mean 'bn_elements'?); "
        "docs/conventions.md lists them",
        f"{path}:5:30: error[E520]: 'act_relu': kind must be mac or op, got 'flop'",
        f"{path}:6:19: error[E521]: unknown parameter component 'bias' (did you mean 'biases'?); expected one of: "
        "weights, biases, bn_affine, bn_stats, norm_affine, layer_scale",
        f"{path}:7:1: error[E520]: unknown key 'extra'; expected one of: name, description, tool, source, mult_adds, "
        "params, ignores",
    ]
    assert "error[E521]: unknown cost component 'bn_element'" in bad_usage("report", "--convention", path)


def test_an_unknown_convention_name() -> None:
    with pytest.raises(ConventionError, match="unknown convention 'fvcor' \\(did you mean 'fvcore'\\?\\)"):
        resolve_convention("fvcor")


# --- explain ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", sorted(CONVENTIONS))
@pytest.mark.parametrize("second", ["paper", "ptflops", "torchinfo"])
@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v3_large", "convnext_tiny"])
def test_explain_adds_up(first: str, second: str, name: str) -> None:
    network = build_network(load_spec(str(bundled_specs()[name])))
    a = evaluate(network, Fraction(3, 4), Fraction(1), CONVENTIONS[first])
    b = evaluate(network, Fraction(3, 4), Fraction(1), CONVENTIONS[second])
    explanation = explain(a, b)
    total = a.mult_adds - b.mult_adds
    assert sum(entry.diff for entry in explanation.components) == total
    assert sum(group.diff for group in explanation.groups) == total
    assert sum(layer.diff for layer in explanation.layers) == total
    assert sum(entry.diff for entry in explanation.params) == a.params - b.params


def test_explain_says_why_in_words() -> None:
    out = ok("explain", "--convention", "fvcore")
    assert "difference       +10,135,552 Mult-Adds" in out
    assert ("+10,085,376  batch-norm elements: fvcore counts 2 per element, paper none; 27 layers (batch_norm), "
            "5,042,688 elements") in out
    assert "+50,176  global and adaptive average-pool inputs: fvcore counts 1 per input element, paper none" in out
    data = json.loads(ok("explain", "--convention", "ptflops", "--vs", "thop", "--format", "json"))
    assert data["difference"]["mult_adds"] == 589_012_456 - 588_962_304
    assert sum(entry["difference"] for entry in data["by_component"]) == data["difference"]["mult_adds"]
    assert sum(entry["difference"] for entry in data["by_kind"]) == data["difference"]["mult_adds"]
    assert "| Difference | Why |" in ok("explain", "--convention", "thop", "--format", "markdown")
