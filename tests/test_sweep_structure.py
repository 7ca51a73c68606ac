"""Sweeps through the network's structure (``costcalc.engine.compiled.GridValues``, ``costcalc.analysis.sweep``)
against exact per-point evaluation (``costcalc.engine.exact.evaluate``, what ``report`` prints).

A compiled grid groups the layers whose areas are equal at every resolution of the grid, adds each term's
channel factor to its group's coefficient once per alpha, and combines a whole row of resolutions at once
(64-bit slots of one big integer, or maps over exact ints when a total could exceed a slot). These tests pin
every route to ``evaluate``, exactly:

- random bundled specs of the zoo (attention's N² terms included: ViT, Swin, MaxViT) at random alphas, depth
  multipliers (for the specs that scale depth) and resolutions, and a spec whose structure follows the
  channels (``if``/``when`` on ``in``: evaluated point by point);
- the row combination on random vectors, with totals on both sides of 2^64;
- the streamed CSV (``sweep --format csv``, no point held) is the text of the sweep held in memory, and it may
  be larger than a grid held in memory may be.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from costcalc.analysis.sweep import sweep
from costcalc.conventions import PAPER, TORCHVISION, Convention
from costcalc.engine.compiled import WORD, CompiledCost, GridValues
from costcalc.engine.exact import evaluate
from costcalc.errors import CostcalcError
from costcalc.render.sweep_formats import stream_csv, to_csv
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import Network, build_network
from cli_helpers import ok, run

CONDITIONAL = Path(__file__).parent / "fixtures" / "specs" / "conditional_channels.yaml"

_BUILT: dict[tuple[str, Fraction], Network] = {}


def network(name: str, depth: Fraction) -> Network:
    key = (name, depth)
    if key not in _BUILT:
        path = str(CONDITIONAL) if name == "conditional" else bundled_specs()[name]
        _BUILT[key] = build_network(load_spec(path), depth)
    return _BUILT[key]


def outcome(compute: Any) -> tuple[str, Any]:
    """The values, or the fact that some point is no network: a sweep refuses exactly when some point does."""
    try:
        return "ok", compute()
    except CostcalcError:
        return "refused", None


NAMES = sorted(bundled_specs()) + ["conditional"]
alphas = st.lists(st.integers(13, 200).map(lambda n: Fraction(n, 100)), min_size=1, max_size=3, unique=True)
resolutions = st.lists(st.integers(32, 320), min_size=1, max_size=3, unique=True)
depths = st.lists(st.sampled_from([Fraction(1), Fraction(11, 10), Fraction(6, 5), Fraction(2)]), min_size=1,
                  max_size=2, unique=True)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(NAMES), convention=st.sampled_from([PAPER, TORCHVISION]), alpha_list=alphas,
       resolution_list=resolutions, depth_list=depths)
@example(name="mobilenet_v1", convention=PAPER, alpha_list=[Fraction(1)], resolution_list=[224],
         depth_list=[Fraction(1)])  # Howard et al. 2017, Table 8: 568,740,352 Mult-Adds
@example(name="vit_b_32", convention=TORCHVISION, alpha_list=[Fraction(1), Fraction(1, 2)],
         resolution_list=[224, 96], depth_list=[Fraction(1)])  # tokens: N² terms of attention
@example(name="swin_t", convention=TORCHVISION, alpha_list=[Fraction(1)], resolution_list=[224, 256],
         depth_list=[Fraction(1)])  # windows: N·w² terms
@example(name="efficientnet_b0", convention=TORCHVISION, alpha_list=[Fraction(1), Fraction(11, 10)],
         resolution_list=[224, 240], depth_list=[Fraction(1), Fraction(11, 10)])  # B0 and B1's scaling
@example(name="conditional", convention=PAPER, alpha_list=[Fraction(1), Fraction(2), Fraction(1, 2)],
         resolution_list=[32, 64], depth_list=[Fraction(1)])  # the shortcut at 16 channels only
def test_sweep_equals_evaluate_point_by_point(name: str, convention: Convention, alpha_list: list[Fraction],
                                              resolution_list: list[int], depth_list: list[Fraction]) -> None:
    base = network(name, Fraction(1))
    if not base.spec.scales_depth:
        depth_list = [Fraction(1)]
    height = base.spec.input.height
    rhos = [Fraction(resolution, height) for resolution in resolution_list]

    def expected() -> list[tuple[Fraction, Fraction, int, int]]:
        found = []
        for depth in depth_list:
            built = network(name, depth)
            for alpha in alpha_list:
                for rho in rhos:
                    evaluation = evaluate(built, alpha, rho, convention)
                    found.append((depth, alpha, evaluation.mult_adds, evaluation.params))
        return found

    def streamed() -> list[tuple[Fraction, Fraction, int, int]]:
        result = sweep(network(name, depth_list[0]), alpha_list, rhos, convention, depths=depth_list,
                       keep_points=False)
        assert result.streamed and not result.points
        return [(depth_list[k], alpha_list[i], mult_adds, params)
                for k, i, row_mult_adds, row_params in result.rows()
                for mult_adds, params in zip(row_mult_adds, row_params)]

    def held() -> list[tuple[Fraction, Fraction, int, int]]:
        result = sweep(network(name, depth_list[0]), alpha_list, rhos, convention, depths=depth_list)
        return [(point.depth_multiplier, point.alpha, point.mult_adds, point.params) for point in result.points]

    want = outcome(expected)
    assert outcome(streamed) == want, (name, convention.name)
    assert outcome(held) == want
    if want[0] == "ok":
        assert all(type(count) is int for _d, _a, *counts in want[1] for count in counts)


def test_the_conditional_spec_is_evaluated_point_by_point() -> None:
    compiled = CompiledCost(network("conditional", Fraction(1)), PAPER)
    assert not compiled.factored
    values = compiled.grid_values([Fraction(1), Fraction(2)], [Fraction(1)])
    assert values.evaluated and values.rows == 2


def test_mobilenet_terms_fall_into_few_groups() -> None:
    """The issue's count: of MobileNet v1's per-point terms only a handful are distinct (one per feature-map
    size: 112, 56, 28, 14 and 7 px, and the classifier's 1 x 1)."""
    compiled = CompiledCost(network("mobilenet_v1", Fraction(1)), PAPER)
    values = compiled.grid_values([Fraction(1), Fraction(1, 2)], [Fraction(r, 224) for r in range(96, 321, 16)])
    assert len(values.vectors) <= 7
    assert len(values.vectors) < len(compiled._terms or ())


vectors = st.integers(1, 6).flatmap(lambda width: st.lists(
    st.lists(st.integers(0, 2**40), min_size=width, max_size=width), min_size=1, max_size=5))


@settings(max_examples=60, deadline=None)
@given(vector_list=vectors, data=st.data())
@example(vector_list=[[2**63, 1]], data=None)  # a total past 2^64: the exact maps, not the 64-bit slots
def test_rows_equal_the_plain_sum(vector_list: list[list[int]], data: Any) -> None:
    width = len(vector_list[0])
    big = st.one_of(st.integers(0, 2**20), st.integers(0, 2**70))
    coefficients = ([2, 3] if data is None else
                    data.draw(st.lists(big, min_size=len(vector_list), max_size=len(vector_list))))[:len(vector_list)]
    constant = 5 if data is None else data.draw(big)
    values = GridValues(width, vector_list, [(constant, 0, [(c, 0) for c in coefficients])], [])
    mult_adds, params = values.row(0)
    assert mult_adds == [constant + sum(c * v[j] for c, v in zip(coefficients, vector_list)) for j in range(width)]
    assert params == [0] * width
    assert all(type(count) is int for count in mult_adds)
    if data is None:
        assert mult_adds[0] == 5 + 2 * 2**63 >= WORD


# --- the streamed CSV -----------------------------------------------------------------------------------------------


def test_streamed_csv_is_the_csv_of_the_sweep_in_memory() -> None:
    base = network("efficientnet_b0", Fraction(1))
    alpha_list, rhos = [Fraction(1), Fraction(3, 4)], [Fraction(1), Fraction(6, 7)]
    depth_list = [Fraction(1), Fraction(6, 5)]
    held = sweep(base, alpha_list, rhos, TORCHVISION, depths=depth_list)
    streamed = sweep(base, alpha_list, rhos, TORCHVISION, depths=depth_list, keep_points=False)
    chunks = list(stream_csv(streamed))
    assert len(chunks) == 1 + len(alpha_list) * len(depth_list)  # the header, then one chunk per row
    assert "".join(chunks) == to_csv(held)


def test_sweep_csv_to_a_file_is_stdout(tmp_path: Path) -> None:
    args = ["sweep", "mobilenet_v1", "--alpha", "0.5:1:0.25", "--resolution", "128:224:32", "--format", "csv"]
    printed = ok(*args)
    ok(*args, "-o", str(tmp_path / "grid.csv"))
    assert (tmp_path / "grid.csv").read_text(encoding="utf-8") == printed
    assert printed.count("\n") == 1 + 3 * 4


def test_a_streamed_csv_may_be_larger_than_a_grid_held_in_memory(monkeypatch: Any) -> None:
    import costcalc.analysis.sweep as analysis

    monkeypatch.setattr(analysis, "MAX_POINTS", 6)  # json and tables hold every point; csv streams them
    monkeypatch.setattr(analysis, "MAX_STREAMED_POINTS", 12)
    args = ["sweep", "mobilenet_v1", "--alpha", "0.5:1:0.25", "--resolution", "128:224:32"]
    assert ok(*args, "--format", "csv").count("\n") == 13
    held = run(*args, "--format", "json")
    assert held.exit_code == 2 and "more than the 6 it computes at most" in held.stderr
    too_many = run(*args, "--alpha", "0.25:1:0.25", "--format", "csv")
    assert too_many.exit_code == 2 and "more than the 12 it computes at most" in too_many.stderr
