"""``costcalc sweep`` and ``costcalc solve`` through the command line (issue 4).

Golden values: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications", 2017 (arXiv:1704.04861):

- Table 6 (width multiplier at 224 px): 1.0 MobileNet-224 569 M Mult-Adds / 4.2 M params, 0.75: 325 M / 2.6 M,
  0.5: 149 M / 1.3 M, 0.25: 41 M / 0.5 M;
- Table 7 (resolution at alpha 1): 224: 569 M, 192: 418 M, 160: 290 M, 128: 186 M, all 4.2 M params.

The exact counts below are those of the bundled ``mobilenet_v1`` spec (which round to the paper's figures).
Every sweep point must equal ``costcalc report`` at that point; every ``solve`` answer is checked against
``report`` at the answer and one grid step beyond it.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
from cli_helpers import bad_usage, ok, run

from costcalc.conventions import PAPER
from costcalc.engine.exact import evaluate
from costcalc.errors import CostcalcError
from costcalc.quantities import parse_multiplier
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network

TABLE_6 = {  # alpha at 224 px: (Mult-Adds, params)
    Fraction(1): (568_740_352, 4_209_088),
    Fraction(3, 4): (325_400_448, 2_568_144),
    Fraction(1, 2): (149_497_088, 1_319_648),
    Fraction(1, 4): (41_030_272, 463_600),
}
TABLE_7 = {  # resolution at alpha 1: Mult-Adds (params 4,209,088 at every resolution)
    224: 568_740_352,
    192: 418_121_728,
    160: 290_675_200,
    128: 186_400_768,
}
PAPER_ALPHAS = "1,0.75,0.5,0.25"
PAPER_RESOLUTIONS = "224,192,160,128"
BUDGET = 300_000_000  # "300M"
STEP = Fraction(1, 100)


def sweep_json(*args: str) -> dict[str, Any]:
    return json.loads(ok("sweep", "--format", "json", *args))


def solve_json(*args: str) -> dict[str, Any]:
    return json.loads(ok("solve", "--format", "json", *args))


def report_totals(*args: str) -> tuple[int, int]:
    totals = json.loads(ok("report", "--format", "json", *args))["totals"]
    return totals["mult_adds"], totals["params"]


def totals_at(alpha: Fraction | str, resolution: int, spec: str = "mobilenet_v1") -> tuple[int, int]:
    return report_totals(spec, "--alpha", str(alpha), "--resolution", str(resolution))


def meets(totals: tuple[int, int], max_mult_adds: int | None = None, max_params: int | None = None) -> bool:
    return (max_mult_adds is None or totals[0] <= max_mult_adds) and (max_params is None or totals[1] <= max_params)


def exact_alpha(point: dict[str, Any]) -> Fraction:
    return parse_multiplier(point["alpha_exact"])


# --- sweep: the paper's Tables 6 and 7 --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper_sweep() -> dict[str, Any]:
    return sweep_json("mobilenet_v1", "--alpha", PAPER_ALPHAS, "--resolution", PAPER_RESOLUTIONS)


def test_sweep_json_contract(paper_sweep: dict[str, Any]) -> None:
    assert paper_sweep["spec"] == "mobilenet_v1" and paper_sweep["convention"] == "paper"
    assert len(paper_sweep["points"]) == 16
    for point in paper_sweep["points"]:
        assert {"alpha", "rho", "resolution", "mult_adds", "params"} <= set(point)
        assert type(point["mult_adds"]) is int and type(point["params"]) is int
        assert "within_budget" not in point  # no budget given


def test_sweep_reproduces_table_6(paper_sweep: dict[str, Any]) -> None:
    at_224 = {exact_alpha(p): (p["mult_adds"], p["params"]) for p in paper_sweep["points"] if p["resolution"] == 224}
    assert at_224 == TABLE_6


def test_sweep_reproduces_table_7(paper_sweep: dict[str, Any]) -> None:
    at_alpha_1 = {p["resolution"]: p["mult_adds"] for p in paper_sweep["points"] if exact_alpha(p) == 1}
    assert at_alpha_1 == TABLE_7
    assert {p["params"] for p in paper_sweep["points"] if exact_alpha(p) == 1} == {4_209_088}


def test_sweep_points_are_alpha_major_in_the_order_given(paper_sweep: dict[str, Any]) -> None:
    keys = [(p["alpha_exact"], p["resolution"]) for p in paper_sweep["points"]]
    assert keys == [(a, r) for a in PAPER_ALPHAS.split(",") for r in map(int, PAPER_RESOLUTIONS.split(","))]
    for point in paper_sweep["points"]:
        assert parse_multiplier(point["rho_exact"]) == Fraction(point["resolution"], 224)
        assert point["alpha"] == float(exact_alpha(point))


def test_every_sweep_point_equals_report(paper_sweep: dict[str, Any]) -> None:
    for point in paper_sweep["points"]:
        assert totals_at(point["alpha_exact"], point["resolution"]) == (point["mult_adds"], point["params"]), point


@pytest.mark.parametrize("spec", ["mobilenet_v1_conv", "mobilenet_v1_shallow"])
def test_every_sweep_point_equals_report_for_other_specs(spec: str) -> None:
    data = sweep_json(spec, "--alpha", "1,0.6,0.33", "--resolution", "224,161,97", "--convention", "torchvision")
    assert len(data["points"]) == 9
    for point in data["points"]:
        expected = report_totals(spec, "--alpha", point["alpha_exact"], "--resolution", str(point["resolution"]),
                                 "--convention", "torchvision")
        assert expected == (point["mult_adds"], point["params"]), point


def test_sweep_csv_rows_equal_the_json_points(paper_sweep: dict[str, Any]) -> None:
    out = ok("sweep", "mobilenet_v1", "--alpha", PAPER_ALPHAS, "--resolution", PAPER_RESOLUTIONS, "--format", "csv")
    assert out.splitlines()[0] == "alpha,rho,resolution,mult_adds,params"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(paper_sweep["points"])
    for row, point in zip(rows, paper_sweep["points"]):
        assert parse_multiplier(row["alpha"]) == exact_alpha(point)
        assert parse_multiplier(row["rho"]) == parse_multiplier(point["rho_exact"])
        assert (int(row["resolution"]), int(row["mult_adds"]), int(row["params"])) == (
            point["resolution"], point["mult_adds"], point["params"])
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_sweep_ranges(paper_sweep: dict[str, Any]) -> None:
    data = sweep_json("--alpha", "0.25:1.0:0.25", "--resolution", "128:224:32")
    got = {(exact_alpha(p), p["resolution"]): (p["mult_adds"], p["params"]) for p in data["points"]}
    expected = {(exact_alpha(p), p["resolution"]): (p["mult_adds"], p["params"]) for p in paper_sweep["points"]}
    assert got == expected
    assert [p["resolution"] for p in data["points"][:4]] == [128, 160, 192, 224]


def test_sweep_default_resolutions_are_the_papers() -> None:
    data = sweep_json("--alpha", "1")
    assert [p["resolution"] for p in data["points"]] == [224, 192, 160, 128]
    assert [p["mult_adds"] for p in data["points"]] == list(TABLE_7.values())


def test_sweep_default_alphas_are_the_papers() -> None:
    data = sweep_json("--resolution", "224")
    assert [exact_alpha(p) for p in data["points"]] == list(TABLE_6)


def test_sweep_rho_list() -> None:
    data = sweep_json("--alpha", "1", "--rho", "1,6/7,5/7,4/7,0.5")
    assert [p["resolution"] for p in data["points"]] == [224, 192, 160, 128, 112]
    assert [p["rho_exact"] for p in data["points"]] == ["1", "6/7", "5/7", "4/7", "0.5"]
    assert [p["mult_adds"] for p in data["points"][:4]] == list(TABLE_7.values())
    assert data["points"][4]["mult_adds"] == totals_at(1, 112)[0]


# --- sweep: budgets -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options, limits", [
    (["--max-mult-adds", "300M"], (BUDGET, None)),
    (["--max-params", "2M"], (None, 2_000_000)),
    (["--max-mult-adds", "150M", "--max-params", "1.5M"], (150_000_000, 1_500_000)),
])
def test_sweep_marks_points_within_budget(options: list[str], limits: tuple[int | None, int | None]) -> None:
    data = sweep_json("--alpha", PAPER_ALPHAS, "--resolution", PAPER_RESOLUTIONS, *options)
    assert data["budget"] == {"mult_adds": limits[0], "params": limits[1]}
    for point in data["points"]:
        assert point["within_budget"] is meets((point["mult_adds"], point["params"]), *limits), point


def test_sweep_300m_budget_excludes_exactly_three_paper_points() -> None:
    data = sweep_json("--alpha", PAPER_ALPHAS, "--resolution", PAPER_RESOLUTIONS, "--max-mult-adds", "300M")
    over = {(p["alpha_exact"], p["resolution"]) for p in data["points"] if not p["within_budget"]}
    assert over == {("1", 224), ("1", 192), ("0.75", 224)}


def test_budget_is_inclusive() -> None:
    data = sweep_json("--alpha", "1", "--resolution", "224", "--max-mult-adds", "568740352")
    assert data["points"][0]["within_budget"] is True
    data = sweep_json("--alpha", "1", "--resolution", "224", "--max-mult-adds", "568740351")
    assert data["points"][0]["within_budget"] is False


# --- sweep: bad usage -----------------------------------------------------------------------------------------------


def test_sweep_rho_with_resolution_is_bad_usage() -> None:
    assert "give --rho or --resolution, not both" in bad_usage("sweep", "--rho", "1", "--resolution", "224")


@pytest.mark.parametrize("option, value, message", [
    ("--alpha", "1,,0.5", "empty item"),
    ("--alpha", "1:0.5:0.1", "stop is below its start"),
    ("--alpha", "0.25:1", "is not a range"),
    ("--resolution", "224,abc", "'abc' is not a resolution in pixels"),
    ("--resolution", "128:224:0", "must be at least 1 pixel"),
    ("--rho", "1,0", "'0' must be greater than 0"),
])
def test_sweep_bad_list_is_bad_usage_with_a_clear_message(option: str, value: str, message: str) -> None:
    err = bad_usage("sweep", option, value)
    assert message in err
    assert "Usage: costcalc sweep" in err


@pytest.mark.parametrize("option, value", [
    ("--alpha", "0.25:1:0"),  # the message quotes only '0': which option, which part?
    ("--resolution", "128:224:0"),
    ("--rho", "1,0"),
])
def test_sweep_bad_list_message_names_the_option(option: str, value: str) -> None:
    # click's own messages say "Invalid value for '--alpha': ..."; a sweep takes two lists, so the message must
    # say which one is wrong.
    assert f"'{option}'" in bad_usage("sweep", option, value)


@pytest.mark.parametrize("option", ["--max-mult-adds", "--max-params"])
def test_sweep_bad_budget_is_bad_usage(option: str) -> None:
    err = bad_usage("sweep", option, "lots")
    assert f"'{option}'" in err and "'lots' is not a count" in err


# --- solve: --vary alpha -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solve_300m() -> dict[str, Any]:
    return solve_json("mobilenet_v1", "--max-mult-adds", "300M", "--vary", "alpha")


def test_solve_json_contract(solve_300m: dict[str, Any]) -> None:
    assert {"alpha", "resolution", "rho", "totals", "closed_form"} <= set(solve_300m)
    assert set(solve_300m["totals"]) == {"mult_adds", "params"}
    assert solve_300m["budget"] == {"mult_adds": BUDGET, "params": None}
    assert solve_300m["vary"] == "alpha" and solve_300m["resolution"] == 224 and solve_300m["rho"] == 1


def test_solve_300m_is_alpha_072(solve_300m: dict[str, Any]) -> None:
    assert solve_300m["alpha_exact"] == "0.72" and solve_300m["alpha"] == 0.72
    at_answer = totals_at("0.72", 224)
    assert (solve_300m["totals"]["mult_adds"], solve_300m["totals"]["params"]) == at_answer
    assert at_answer[0] <= BUDGET  # 0.72 meets the budget
    assert totals_at("0.73", 224)[0] > BUDGET  # 0.72 + 0.01 does not


def _closed_form_mobilenet_mult_adds(alpha: sympy.Symbol) -> sympy.Expr:
    """MobileNet-224's Mult-Adds as a polynomial in alpha without rounding, found independently of
    costcalc.engine.symbolic: it is quadratic (pointwise layers ~ alpha², depthwise, first conv and fc ~ alpha), so
    three exact counts where truncation does not round (alpha = 1, 1/2, 1/4) determine it."""
    network = build_network(load_spec(bundled_specs()["mobilenet_v1"]))
    points = [(sympy.Rational(a.numerator, a.denominator), evaluate(network, a, Fraction(1), PAPER).mult_adds)
              for a in (Fraction(1), Fraction(1, 2), Fraction(1, 4))]
    polynomial = sympy.expand(sympy.interpolate(points, alpha))
    # a fourth point where nothing rounds checks that it is a quadratic
    assert polynomial.subs(alpha, sympy.Rational(3, 4)) == evaluate(network, Fraction(3, 4)).mult_adds
    return polynomial


def test_solve_closed_form_is_the_positive_root_of_the_polynomial(solve_300m: dict[str, Any]) -> None:
    alpha = sympy.Symbol("alpha", positive=True)
    polynomial = _closed_form_mobilenet_mult_adds(alpha)
    assert polynomial == 539_492_352 * alpha**2 + 29_248_000 * alpha
    roots = sympy.solve(sympy.Eq(polynomial, BUDGET), alpha)
    assert len(roots) == 1  # the positive one (alpha is declared positive)
    root = roots[0]
    assert solve_300m["closed_form"]["alpha"] == str(root)
    assert solve_300m["closed_form"]["value"] == pytest.approx(float(root), rel=1e-15)
    assert f"{float(root):.4f}" == "0.7191"  # the text output's "alpha ≤ 0.7191"
    # truncation rounds channels down, so the exact answer may exceed the ideal one, never by a whole step
    assert float(root) <= 0.72 < float(root) + 0.01


def test_solve_text_shows_exact_and_ideal_answers() -> None:
    out = ok("solve", "mobilenet_v1", "--max-mult-adds", "300M")
    assert "alpha = 0.72" in out
    assert "299,816,242 Mult-Adds" in out
    assert "alpha ≤ 0.7191" in out


def test_solve_at_a_fixed_resolution() -> None:
    data = solve_json("--max-mult-adds", "300M", "--resolution", "192")
    assert data["resolution"] == 192 and data["rho_exact"] == "6/7"
    alpha = exact_alpha(data)
    assert totals_at(alpha, 192)[0] <= BUDGET < totals_at(alpha + STEP, 192)[0]
    assert solve_json("--max-mult-adds", "300M", "--rho", "6/7")["alpha_exact"] == data["alpha_exact"]


# --- solve: --vary resolution ---------------------------------------------------------------------------------------


def test_solve_resolution_is_160_at_alpha_1() -> None:
    data = solve_json("mobilenet_v1", "--max-mult-adds", "300M", "--vary", "resolution")
    assert data["resolution"] == 160 and data["alpha"] == 1
    assert data["totals"] == {"mult_adds": 290_675_200, "params": 4_209_088}  # Table 7's 160 row
    assert totals_at(1, 160)[0] <= BUDGET
    assert totals_at(1, 161)[0] > BUDGET  # 345,756,608: odd sizes round up (ceil) under 'same' padding
    # the closed form rho² (Mult-Adds - fc) + fc = budget: rho = sqrt((300M - 1,024,000) / 567,716,352)
    rho = sympy.sqrt(sympy.Rational(BUDGET - 1_024_000, 568_740_352 - 1_024_000))
    assert data["closed_form"]["rho"] == str(rho)
    assert data["closed_form"]["resolution"] == pytest.approx(float(rho) * 224)


def test_solve_resolution_at_another_alpha_with_a_step() -> None:
    data = solve_json("--max-mult-adds", "100M", "--vary", "resolution", "--alpha", "0.5", "--step", "8")
    resolution = data["resolution"]
    assert resolution % 8 == 0 and data["alpha_exact"] == "0.5"
    assert totals_at("0.5", resolution)[0] <= 100_000_000 < totals_at("0.5", resolution + 8)[0]


# --- solve: params, both budgets -------------------------------------------------------------------------------------


def test_solve_params_alone() -> None:
    data = solve_json("--max-params", "2M")
    alpha = exact_alpha(data)
    assert alpha == Fraction(64, 100)
    assert totals_at(alpha, 224)[1] <= 2_000_000 < totals_at(alpha + STEP, 224)[1]


@pytest.mark.parametrize("mult_adds, params", [("300M", "2M"), ("200M", "4M")])
def test_solve_both_budgets(mult_adds: str, params: str) -> None:
    data = solve_json("--max-mult-adds", mult_adds, "--max-params", params)
    limits = (int(float(mult_adds[:-1]) * 10**6), int(float(params[:-1]) * 10**6))
    alpha = exact_alpha(data)
    assert meets(totals_at(alpha, 224), *limits)
    assert not meets(totals_at(alpha + STEP, 224), *limits)
    # the tighter budget decides: the same answer as that budget alone
    alone = [exact_alpha(solve_json("--max-mult-adds", mult_adds)), exact_alpha(solve_json("--max-params", params))]
    assert alpha == min(alone)


# --- solve: --vary both ---------------------------------------------------------------------------------------------


def test_solve_frontier_points_are_maximal_and_non_dominated() -> None:
    data = solve_json("mobilenet_v1", "--max-mult-adds", "300M", "--vary", "both")
    points = data["points"]
    assert [p["resolution"] for p in points] == list(range(96, 225, 16))  # the default resolutions
    for point in points:
        alpha, resolution = exact_alpha(point), point["resolution"]
        assert {"alpha", "resolution", "rho", "totals", "closed_form"} <= set(point)
        at_point = totals_at(alpha, resolution)
        assert (point["totals"]["mult_adds"], point["totals"]["params"]) == at_point
        assert at_point[0] <= BUDGET, point
        assert totals_at(alpha + STEP, resolution)[0] > BUDGET, point  # maximal at its resolution
    for point in points:
        for other in points:
            if other is not point:
                dominated = exact_alpha(other) >= exact_alpha(point) and other["resolution"] >= point["resolution"]
                assert not dominated, (point, other)
    alphas = [exact_alpha(p) for p in points]
    assert alphas == sorted(alphas, reverse=True)
    assert points[-1]["alpha_exact"] == "0.72"  # 224 px: the --vary alpha answer


def test_solve_frontier_over_given_resolutions() -> None:
    data = solve_json("--max-mult-adds", "300M", "--vary", "both", "--resolution", "128,224:224:1,160")
    assert [p["resolution"] for p in data["points"]] == [128, 160, 224]
    assert [p["totals"]["mult_adds"] for p in data["points"]][-1] == totals_at("0.72", 224)[0]


def test_solve_frontier_with_params_only_keeps_the_largest_resolution() -> None:
    # params do not depend on the resolution, so every resolution allows the same alpha: only the largest
    # resolution is not dominated.
    data = solve_json("--max-params", "2M", "--vary", "both")
    assert [(p["alpha_exact"], p["resolution"]) for p in data["points"]] == [("0.64", 224)]


# --- solve: failures and bad usage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vary", ["alpha", "resolution", "both"])
def test_solve_unreachable_budget_is_exit_1(vary: str) -> None:
    result = run("solve", "mobilenet_v1", "--max-mult-adds", "1000", "--vary", vary)
    assert result.exit_code == 1, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("costcalc: mobilenet_v1: no ")
    assert "meets the budget" in result.stderr
    assert "Traceback" not in result.stderr


def test_solve_without_budget_is_bad_usage() -> None:
    assert "give a budget" in bad_usage("solve", "mobilenet_v1")


@pytest.mark.parametrize("args, message", [
    (["--vary", "alpha", "--alpha", "0.5"], "--alpha is what --vary alpha solves for"),
    (["--vary", "resolution", "--resolution", "160"], "--vary resolution solves for the resolution"),
    (["--rho", "0.5", "--resolution", "160"], "give --rho or --resolution, not both"),
    (["--step", "0"], "must be greater than 0"),
    (["--vary", "resolution", "--step", "0"], "must be at least 1 pixel"),
    (["--max-params", "-1"], "must not be negative"),
])
def test_solve_bad_usage(args: list[str], message: str) -> None:
    extra = [] if any(a.startswith("--max") for a in args) else ["--max-mult-adds", "300M"]
    assert message in bad_usage("solve", *extra, *args)


def test_solve_both_refuses_a_fixed_rho() -> None:
    # --vary both solves for the resolution too; a --rho there is silently ignored today (the frontier is the
    # same with or without it). It must be refused, as --alpha is.
    assert "--rho" in bad_usage("solve", "--max-mult-adds", "300M", "--vary", "both", "--rho", "0.5")


FLATTEN_SPEC = """\
version: 1
name: flat
input: {channels: 3, size: 64}
layers:
  - conv: {kernel: 3, filters: 16, stride: 2}
  - flatten
  - fc: {units: 10, fixed: true}
"""  # params depend on the resolution: 432 + 10·16·ceil(r/2)²


@pytest.mark.parametrize("budget", [["--max-params", "100K"], ["--max-params", "100K", "--max-mult-adds", "10M"]])
def test_solve_resolution_with_a_params_budget_when_params_depend_on_the_resolution(
        tmp_path: Path, budget: list[str]) -> None:
    # The closed-form bound assumed params do not depend on rho and compared a sympy expression in rho with the
    # budget: an internal error (exit 3) instead of an answer.
    path = tmp_path / "flat.yaml"
    path.write_text(FLATTEN_SPEC, encoding="utf-8")
    result = run("solve", str(path), *budget, "--vary", "resolution", "--format", "json")
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    data = json.loads(result.stdout)
    assert data["resolution"] == 48  # 432 + 10·16·24² = 92,592 params; at 49 px, 432 + 10·16·25² = 100,432
    assert totals_at(1, 48, str(path))[1] <= 100_000 < totals_at(1, 49, str(path))[1]


def test_solve_alpha_with_a_params_budget_when_params_depend_on_the_resolution(tmp_path: Path) -> None:
    path = tmp_path / "flat.yaml"
    path.write_text(FLATTEN_SPEC, encoding="utf-8")
    data = solve_json(str(path), "--max-params", "100K", "--resolution", "48")
    alpha = exact_alpha(data)
    assert totals_at(alpha, 48, str(path))[1] <= 100_000 < totals_at(alpha + STEP, 48, str(path))[1]


# --- solve respects the spec's rounding: make_divisible ----------------------------------------------------------

MAKE_DIVISIBLE_SPEC = """\
version: 1
name: divisible
input: {channels: 3, size: 224}
width: {rounding: make_divisible, divisor: 8}
layers:
  - conv: {kernel: 3, filters: 36, stride: 2}
  - separable: {kernel: 3, filters: 60, stride: 2}
  - separable: {kernel: 3, filters: 100, stride: 2}
  - separable: {kernel: 3, filters: 300, stride: 2}
  - global_avg_pool
  - fc: {units: 100, fixed: true}
"""


def _brute_force_alpha(network: Any, rho: Fraction, limit: int) -> Fraction:
    """The largest k/100 (k = 1, 2, ...) whose exact count meets the limit, scanning up from the smallest
    alpha that is a network at all (below it, a layer has no channels left)."""
    best = None
    for k in range(1, 1000):
        try:
            mult_adds = evaluate(network, Fraction(k, 100), rho).mult_adds
        except CostcalcError:
            assert best is None
            continue
        if mult_adds > limit:
            break
        best = Fraction(k, 100)
    assert best is not None
    return best


def _brute_force_resolution(network: Any, alpha: Fraction, limit: int) -> int:
    best = None
    for resolution in range(1, 2000):
        if evaluate(network, alpha, Fraction(resolution, 224)).mult_adds > limit:
            break
        best = resolution
    assert best is not None
    return best


@pytest.mark.parametrize("limit", [5_000_000, 23_456_789])
def test_solve_respects_make_divisible(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "divisible.yaml"
    path.write_text(MAKE_DIVISIBLE_SPEC, encoding="utf-8")
    network = build_network(load_spec(str(path)))
    alpha = exact_alpha(solve_json(str(path), "--max-mult-adds", str(limit)))
    assert alpha == _brute_force_alpha(network, Fraction(1), limit)
    resolution = solve_json(str(path), "--max-mult-adds", str(limit), "--vary", "resolution", "--alpha", "0.8")
    assert resolution["resolution"] == _brute_force_resolution(network, Fraction(4, 5), limit)
    # the rounding rule matters here: the same network with truncated widths has other answers
    truncated = tmp_path / "truncated.yaml"
    truncated.write_text(MAKE_DIVISIBLE_SPEC.replace("make_divisible, divisor: 8", "truncate"), encoding="utf-8")
    assert exact_alpha(solve_json(str(truncated), "--max-mult-adds", str(limit))) != alpha
    assert solve_json(str(truncated), "--max-mult-adds", str(limit), "--vary", "resolution", "--alpha", "0.8")[
        "resolution"] != resolution["resolution"]


# --- svg and html ---------------------------------------------------------------------------------------------------


def test_report_svg() -> None:
    out = ok("report", "--format", "svg")
    assert out.lstrip().startswith("<svg ") and out.rstrip().endswith("</svg>")
    assert "mobilenet_v1" in out


def test_sweep_html() -> None:
    out = ok("sweep", "--format", "html", "--max-mult-adds", "300M")
    assert out.lstrip().startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "568.7M" in out


@pytest.mark.parametrize("command, output_format, start", [
    ("report", "svg", "<svg "), ("report", "html", "<!DOCTYPE html>"),
    ("sweep", "svg", "<svg "), ("sweep", "html", "<!DOCTYPE html>"),
])
def test_svg_and_html_to_a_file(tmp_path: Path, command: str, output_format: str, start: str) -> None:
    target = tmp_path / f"out.{output_format}"
    assert ok(command, "--format", output_format, "-o", str(target)) == ""
    written = target.read_text(encoding="utf-8")
    assert written.lstrip().startswith(start)
    assert written.rstrip() == ok(command, "--format", output_format).rstrip()
