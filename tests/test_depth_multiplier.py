"""The depth multiplier (docs/spec-format.md, "Depth"; docs/what-ifs.md): a spec's repeat counts written
round_repeats(n) scale by d under its depth rule, a network is built per depth multiplier, and sweep and solve over d
equal the reports of each point (hypothesis: exact, point by point).

Figures: EfficientNet (Tan & Le 2019) through torchvision's builders, tests/reference/torchvision_zoo.yaml (B0's
385,814,752 Mult-Adds at 224 px; B1 is B0 at d = 1.1 and 240 px: 686,802,832).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import bad_usage, ok, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.analysis.solve import largest_depth
from costcalc.analysis.sweep import Budget, sweep
from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.exact import evaluate
from costcalc.errors import SpecError
from costcalc.spec.build import build_network
from costcalc.spec.depth import DepthRule
from costcalc.spec.loading import load_network, load_spec_named
from costcalc.spec.schema import parse_spec
from costcalc.source.positioned_yaml import parse_yaml

# A small network that scales its depth: two stages, the first block of each strides, the rest repeat.
STAGES = """\
name: stages
input: {channels: 3, size: 64}
width: {rounding: make_divisible, divisor: 8}
depth: {rounding: ROUNDING}
blocks:
  stage:
    args: {out: required, layers: required}
    layers:
      - conv: {kernel: 3, filters: out, stride: 2, padding: 1}
      - relu
      - repeat: round_repeats(layers) - 1
        layers:
          - residual:
              layers: [conv: {kernel: 3, filters: out, padding: 1}, relu]
layers:
  - stage: {out: 16, layers: 2}
  - stage: {out: 32, layers: 3}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DEPTHS = st.sampled_from([Fraction(1), Fraction(11, 10), Fraction(6, 5), Fraction(3, 2), Fraction(2), Fraction(1, 2),
                          Fraction(7, 3)])
ALPHAS = st.sampled_from([Fraction(1), Fraction(3, 4), Fraction(1, 2), Fraction(5, 4)])


def _spec(rounding: str = "ceil") -> Any:
    return parse_spec(parse_yaml(STAGES.replace("ROUNDING", rounding), "stages.yaml"), "stages.yaml")


def test_the_depth_rules_round_d_times_n() -> None:
    d = Fraction(11, 10)
    assert [DepthRule(rule).apply(d, 3) for rule in ("ceil", "floor", "round")] == [4, 3, 3]
    assert DepthRule("round").apply(Fraction(1, 2), 3) == 2  # 1.5: halves up
    with pytest.raises(ValueError, match="not a whole number"):
        DepthRule("none").apply(d, 3)


def test_repeats_follow_the_depth_multiplier() -> None:
    spec = _spec()
    layers = {d: len(build_network(spec, Fraction(d)).nodes) for d in ("1", "1.1", "2")}
    # stage 1: ceil(2d) - 1 residual blocks, stage 2: ceil(3d) - 1; each 3 nodes (conv, relu, add)
    assert layers["1.1"] - layers["1"] == 3 * ((2 - 1) + (3 - 2))
    assert layers["2"] - layers["1"] == 3 * ((3 - 1) + (5 - 2))


@SETTINGS
@given(depths=st.lists(DEPTHS, min_size=1, max_size=3, unique=True),
       alphas=st.lists(ALPHAS, min_size=1, max_size=3, unique=True),
       resolutions=st.lists(st.sampled_from([32, 48, 64, 96]), min_size=1, max_size=3, unique=True),
       rounding=st.sampled_from(["ceil", "floor", "round"]))
def test_sweep_over_depth_equals_each_point_evaluated(depths: list[Fraction], alphas: list[Fraction],
                                                      resolutions: list[int], rounding: str) -> None:
    spec = _spec(rounding)
    rhos = [Fraction(resolution, 64) for resolution in resolutions]
    try:
        result = sweep(build_network(spec, depths[0]), alphas, rhos, TORCHVISION, depths=depths)
    except SpecError:  # floor at d = 1/2 leaves a stage without its first... no: counts below 0 are refused
        return
    assert len(result.points) == len(depths) * len(alphas) * len(rhos)
    index = 0
    for depth in depths:
        network = build_network(spec, depth)
        for alpha in alphas:
            for rho in rhos:
                point = result.points[index]
                expected = evaluate(network, alpha, rho, TORCHVISION)
                assert (point.depth_multiplier, point.alpha, point.rho) == (depth, alpha, rho)
                assert (point.mult_adds, point.params) == (expected.mult_adds, expected.params)
                index += 1


@SETTINGS
@given(alpha=ALPHAS, resolution=st.sampled_from([32, 64, 96]), limit=st.integers(200_000, 4_000_000),
       step=st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(1, 2)]))
def test_solve_over_depth_is_the_largest_point_that_fits(alpha: Fraction, resolution: int, limit: int,
                                                          step: Fraction) -> None:
    network = build_network(_spec(), Fraction(1))
    rho = Fraction(resolution, 64)
    budget = Budget(mult_adds=limit)
    try:
        found = largest_depth(network, PAPER, alpha, rho, budget, step)
    except Exception as error:  # nothing fits: then not even the smallest depth does
        assert type(error).__name__ == "Unreachable"
        assert evaluate(build_network(network.spec, step), alpha, rho).mult_adds > limit
        return
    exact = evaluate(build_network(network.spec, found.depth_multiplier), alpha, rho)
    assert (found.mult_adds, found.params) == (exact.mult_adds, exact.params) and found.mult_adds <= limit
    if not found.limited_by_search:
        beyond = evaluate(build_network(network.spec, found.depth_multiplier + step), alpha, rho)
        assert beyond.mult_adds > limit


def test_sweep_json_and_csv_carry_the_depth_axis() -> None:
    data = json.loads(ok("sweep", "efficientnet_b0", "--alpha", "1", "--resolution", "224,240",
                         "--depth-multiplier", "1,1.1", "--convention", "torchvision", "--format", "json"))
    points = {(p["depth_multiplier_exact"], p["resolution"]): p["mult_adds"] for p in data["points"]}
    assert points[("1", 224)] == 385_814_752 and points[("1.1", 240)] == 686_802_832  # B0; B1 (torchvision)
    for (depth, resolution), mult_adds in points.items():
        report = json.loads(ok("report", "efficientnet_b0", "--depth-multiplier", depth, "--resolution",
                               str(resolution), "--convention", "torchvision", "--format", "json"))
        assert report["totals"]["mult_adds"] == mult_adds
    csv = ok("sweep", "efficientnet_b0", "--alpha", "1", "--resolution", "224", "--depth-multiplier", "1,2",
             "--format", "csv").splitlines()
    assert csv[0] == "alpha,depth_multiplier,rho,resolution,mult_adds,params" and csv[2].startswith("1,2,1,224,")
    table = ok("sweep", "efficientnet_b0", "--alpha", "1", "--resolution", "224", "--depth-multiplier", "1,2")
    assert "depth multiplier 1\n" in table and "depth multiplier 2\n" in table
    plain = ok("sweep", "--format", "csv").splitlines()[0]
    assert plain == "alpha,rho,resolution,mult_adds,params"  # a spec that does not scale depth: as before


def test_solve_all_is_a_pareto_front_over_alpha_depth_and_resolution() -> None:
    data = json.loads(ok("solve", "efficientnet_b0", "--vary", "all", "--max-mult-adds", "500M", "--resolution",
                         "224,256", "--depth-multiplier", "1,1.2", "--step", "0.05", "--format", "json"))
    points = [(Fraction(p["alpha_exact"]), Fraction(p["depth_multiplier_exact"]), p["resolution"], p["totals"])
              for p in data["points"]]
    assert points
    for alpha, depth, resolution, totals in points:
        report = json.loads(ok("report", "efficientnet_b0", "--alpha", str(alpha), "--depth-multiplier", str(depth),
                               "--resolution", str(resolution), "--format", "json"))
        assert report["totals"]["mult_adds"] == totals["mult_adds"] <= 500_000_000
        others = [p for p in points if p[:3] != (alpha, depth, resolution)]
        assert not any(a >= alpha and d >= depth and r >= resolution for a, d, r, _ in others)


def test_solve_depth_text_and_bad_usage() -> None:
    out = ok("solve", "efficientnet_b0", "--vary", "depth", "--max-mult-adds", "700M", "--convention", "torchvision")
    assert "depth multiplier = 1.5" in out and "depth multiplier ≤" in out  # and the closed form's bound
    assert "what --vary depth solves for" in bad_usage("solve", "efficientnet_b0", "--vary", "depth",
                                                       "--depth-multiplier", "2", "--max-params", "1M")


def test_a_spec_that_does_not_scale_depth_refuses_a_depth_multiplier() -> None:
    result = run("report", "mobilenet_v1", "--depth-multiplier", "2")
    assert result.exit_code == 2 and "error[E420]" in result.stderr and "does not scale with depth" in result.stderr
    assert ok("report", "mobilenet_v1", "--depth-multiplier", "1", "--format", "json")  # 1 is every spec's


def test_the_closed_form_in_d_is_exact_where_nothing_rounds() -> None:
    """EfficientNet-B0 at alpha 1 and 224 px rounds no width and no size; at d = 2 every d * layers is whole: the
    closed form in (alpha, rho, d) is the exact count there, and linear in d."""
    from costcalc.engine import symbols as s
    from costcalc.engine.symbolic import closed_form

    spec = load_spec_named("efficientnet_b0")
    form = closed_form(build_network(spec), TORCHVISION)
    assert s.depth in form.mult_adds.free_symbols
    for depth in (Fraction(1), Fraction(2)):
        exact = evaluate(build_network(spec, depth), Fraction(1), Fraction(1), TORCHVISION)
        assert form.at(Fraction(1), Fraction(1), depth) == (exact.mult_adds, exact.params)
    data = json.loads(ok("report", "efficientnet_b0", "--symbolic", "--depth-multiplier", "2", "--format", "json"))
    assert "d" in data["symbolic"]["mult_adds"]


def test_variants_give_their_depth_and_the_options_replace_it() -> None:
    b1 = load_network("efficientnet_b1")
    assert b1.depth_multiplier == Fraction(11, 10)
    assert load_network("efficientnet_b1", Fraction(1)).depth_multiplier == 1


def test_budgets_and_baselines_record_the_depth_multiplier(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("baseline: base.json\nchecks:\n  - spec: efficientnet_b0\n"
                                            "    depth_multiplier: [1, 1.1]\n    max_params: 10M\n")
    assert "wrote base.json: 2 reports" in run("snapshot").stderr
    reports = json.loads((tmp_path / "base.json").read_text())["reports"]
    assert [report["depth_multiplier_exact"] for report in reports] == ["1", "1.1"]
    checked = [c for c in json.loads(ok("check", "--format", "json"))["checks"] if c["metric"] == "params"]
    assert [(c["depth_multiplier_exact"], c["delta"]) for c in checked] == [("1", 0), ("1.1", 0)]
    # an older baseline without the key was written at 1
    for report in reports:
        del report["depth_multiplier"], report["depth_multiplier_exact"]
    (tmp_path / "base.json").write_text(json.dumps({"costcalc_baseline": 1, "reports": reports[:1]}))
    checked = [c for c in json.loads(ok("check", "--format", "json", "--depth-multiplier", "1"))["checks"]
               if c["metric"] == "params"]
    assert [c["delta"] for c in checked] == [0]
