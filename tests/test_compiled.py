"""``costcalc.engine.compiled.CompiledCost`` against exact per-point evaluation (``costcalc.engine.exact``).

The compiled path factors each layer's Mult-Adds into a channel factor (alpha only) times an output area
(rho only), so a grid of A alphas x R resolutions takes A + R propagations. These tests pin it to
``evaluate`` exactly (ints, not approximately):

- at random (alpha, resolution) points for the three bundled specs under both conventions;
- on random small networks (conv / separable / pointwise / depthwise, max and average pools with strides,
  ``valid`` / ``same`` / explicit padding and ``ceil_mode``, global pooling, fc; width rounding ``truncate``
  and ``make_divisible``), where a point that ``evaluate`` refuses must be refused too;
- on networks with ``flatten`` (channels that depend on the resolution), which are evaluated point by point;
- ``grid`` is alpha-major (alpha outer, rho inner), as ``costcalc.analysis.sweep.Sweep.at`` relies on.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from costcalc.conventions import CONVENTIONS, PAPER, TORCHVISION, Convention
from costcalc.engine.compiled import CompiledCost
from costcalc.engine.exact import evaluate
from costcalc.errors import CostcalcError, SpecError
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import Network, build_network

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BASE = 224  # the input size of every generated spec; a resolution r is rho = r / 224

# alpha on a 1/100 grid in [1/8, 2]: 13/100 .. 200/100
alphas = st.integers(13, 200).map(lambda n: Fraction(n, 100))
resolutions = st.integers(32, 400)
conventions = st.sampled_from([PAPER, TORCHVISION])

_NETWORKS: dict[str, Network] = {}


def bundled(name: str) -> Network:
    if name not in _NETWORKS:
        _NETWORKS[name] = build_network(load_spec(bundled_specs()[name]))
    return _NETWORKS[name]


def load_text(tmp_path: Path, text: str) -> Network:
    path = tmp_path / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    return build_network(load_spec(str(path)))


def exact(network: Network, alpha: Fraction, rho: Fraction, convention: Convention) -> tuple[int, int]:
    evaluation = evaluate(network, alpha, rho, convention)
    return evaluation.mult_adds, evaluation.params


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    """``("ok", value)`` or ``("refused", None)`` when the point is not a network (a CostcalcError)."""
    try:
        return "ok", function(*args)
    except CostcalcError:
        return "refused", None


# --- the bundled specs ----------------------------------------------------------------------------------------------


def test_bundled_specs_include_the_paper_and_zoo_networks() -> None:
    assert {"mobilenet_v1", "mobilenet_v1_conv", "mobilenet_v1_shallow", "resnet18", "vgg16"} <= set(bundled_specs())


@pytest.mark.parametrize("name", sorted(bundled_specs()))
@pytest.mark.parametrize("convention", ["paper", "torchvision"])
def test_compiled_is_factored_for_the_bundled_specs(name: str, convention: str) -> None:
    assert CompiledCost(bundled(name), CONVENTIONS[convention]).factored


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(bundled_specs())), convention=conventions,
       points=st.lists(st.tuples(alphas, resolutions), min_size=1, max_size=4))
@example(name="mobilenet_v1", convention=PAPER, points=[(Fraction(1), 224)])  # Table 8: 568,740,352 / 4,209,088
@example(name="mobilenet_v1", convention=TORCHVISION, points=[(Fraction(13, 100), 32), (Fraction(2), 400)])
def test_totals_equal_evaluate_on_the_bundled_specs(name: str, convention: Convention,
                                                    points: list[tuple[Fraction, int]]) -> None:
    network = bundled(name)
    compiled = CompiledCost(network, convention)  # one object for several points: its caches must not leak
    for alpha, resolution in points:
        rho = Fraction(resolution, BASE)
        expected = _outcome(lambda: exact(network, alpha, rho, convention))  # noqa: B023
        got = _outcome(lambda: compiled.totals(alpha, rho))  # noqa: B023
        assert got == expected, (name, convention.name, alpha, resolution)
        if got[0] == "ok":
            assert all(type(value) is int for value in got[1])


def _outcome(compute: Any) -> tuple[str, Any]:
    """The totals, or the fact that the spec cannot run there (AlexNet at 32 px: its pools do not fit): the
    compiled path must fail exactly where the exact evaluation fails."""
    try:
        return "ok", compute()
    except SpecError:
        return "spec error", None


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(sorted(bundled_specs())), convention=conventions,
       alpha_list=st.lists(alphas, min_size=1, max_size=4, unique=True),
       resolution_list=st.lists(resolutions, min_size=1, max_size=4, unique=True))
def test_grid_equals_evaluate_on_the_bundled_specs(name: str, convention: Convention, alpha_list: list[Fraction],
                                                   resolution_list: list[int]) -> None:
    network = bundled(name)
    rhos = [Fraction(r, BASE) for r in resolution_list]
    got = _outcome(lambda: list(CompiledCost(network, convention).grid(alpha_list, rhos)))
    expected = _outcome(lambda: [(alpha, rho, *exact(network, alpha, rho, convention))
                                 for alpha in alpha_list for rho in rhos])
    assert got == expected


def test_mobilenet_224_totals() -> None:
    # Howard et al. 2017, Table 8: 569 million Mult-Adds, 4.2 million parameters (exactly, with this spec).
    assert CompiledCost(bundled("mobilenet_v1"), PAPER).totals(Fraction(1), Fraction(1)) == (568_740_352, 4_209_088)


# --- grid order -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factored", [True, False])
def test_grid_is_alpha_major(tmp_path: Path, factored: bool) -> None:
    network = bundled("mobilenet_v1") if factored else load_text(tmp_path, FLATTEN_SPEC)
    compiled = CompiledCost(network, PAPER)
    assert compiled.factored is factored
    alpha_list = [Fraction(1), Fraction(1, 4), Fraction(3, 4)]  # deliberately not sorted: the order given is kept
    rhos = [Fraction(160, 224), Fraction(1), Fraction(128, 224)]
    keys = [(alpha, rho) for alpha, rho, _m, _p in compiled.grid(alpha_list, rhos)]
    assert keys == [(alpha, rho) for alpha in alpha_list for rho in rhos]


def test_grid_of_nothing_is_empty() -> None:
    compiled = CompiledCost(bundled("mobilenet_v1"), PAPER)
    assert list(compiled.grid([], [Fraction(1)])) == []
    assert list(compiled.grid([Fraction(1)], [])) == []


# --- random small networks ------------------------------------------------------------------------------------------


@st.composite
def network_texts(draw: Any, head: str | None = None) -> str:
    """YAML text of a small random network on a 224 x 224 x 3 input (at most three stride-2 steps, so that a
    32 px input keeps some pixels). Some points are not networks: a window that no longer fits (rho), a
    grouped convolution whose groups do not divide the rounded channel counts (alpha); both paths must
    refuse exactly those."""
    width = draw(st.sampled_from(["truncate", "make_divisible"]))
    lines = ["version: 1", "name: generated", f"input: {{channels: 3, size: {BASE}}}",
             f"width: {{rounding: {width}}}", "layers:"]
    halvings = 0
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "separable", "pointwise", "depthwise", "max_pool", "avg_pool"]))
        stride = 1
        if halvings < 3 and draw(st.booleans()):
            stride, halvings = 2, halvings + 1
        kernel = draw(st.sampled_from([1, 2, 3, 5]))
        padding = draw(st.sampled_from(["same", "valid", "explicit"]))
        padding_text = str(draw(st.integers(0, kernel // 2))) if padding == "explicit" else padding
        filters = draw(st.integers(1, 48))
        bias = str(draw(st.booleans())).lower()
        if kind == "conv":
            groups = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))  # > 1: valid at some alphas only (must divide both)
            lines.append(f"  - conv: {{kernel: {kernel}, filters: {filters}, stride: {stride}, "
                         f"padding: {padding_text}, bias: {bias}, groups: {groups}}}")
        elif kind == "separable":
            lines.append(f"  - separable: {{kernel: {kernel}, filters: {filters}, stride: {stride}, "
                         f"padding: {padding_text}, bias: {bias}, batch_norm: {str(draw(st.booleans())).lower()}}}")
        elif kind == "pointwise":
            lines.append(f"  - pointwise: {{filters: {filters}, stride: {stride}, bias: {bias}}}")
        elif kind == "depthwise":
            lines.append(f"  - depthwise: {{kernel: {kernel}, stride: {stride}, padding: {padding_text}, "
                         f"depth_multiplier: {draw(st.integers(1, 2))}, bias: {bias}}}")
        else:
            pool_stride = stride if draw(st.booleans()) else None  # None: the window size (the kernel)
            if pool_stride is None and kernel > 1:
                halvings += 1
            ceil_mode = str(draw(st.booleans())).lower()
            stride_text = "" if pool_stride is None else f", stride: {pool_stride}"
            lines.append(f"  - {kind}: {{kernel: {kernel}{stride_text}, padding: {padding_text}, "
                         f"ceil_mode: {ceil_mode}}}")
        if kind in ("conv", "pointwise", "depthwise") and draw(st.booleans()):
            lines.extend(["  - batch_norm", "  - relu6"])
    chosen = head or draw(st.sampled_from(["global_avg_pool", "global_max_pool", "none"]))
    if chosen != "none":
        units = draw(st.integers(1, 40))
        fixed = str(draw(st.booleans())).lower()
        lines.extend([f"  - {chosen}", "  - dropout: {rate: 0.2}",
                      f"  - fc: {{units: {units}, fixed: {fixed}, bias: {str(draw(st.booleans())).lower()}}}",
                      "  - softmax"])
    return "\n".join(lines) + "\n"


def _check_points(network: Network, convention: Convention, points: list[tuple[Fraction, int]]) -> int:
    """Compiled totals equal evaluate's, or both refuse the point; the number of points both computed."""
    compiled = CompiledCost(network, convention)
    computed = 0
    for alpha, resolution in points:
        rho = Fraction(resolution, BASE)
        expected = outcome(exact, network, alpha, rho, convention)
        assert outcome(compiled.totals, alpha, rho) == expected, (alpha, resolution, convention.name)
        computed += expected[0] == "ok"
    return computed


@SETTINGS
@given(text=network_texts(), convention=conventions,
       points=st.lists(st.tuples(alphas, resolutions), min_size=1, max_size=5))
@example(text="input: {channels: 3, size: 224}\nwidth: {rounding: make_divisible}\nlayers:\n"
              "  - conv: {kernel: 3, filters: 12, stride: 2, padding: valid, bias: true}\n"
              "  - max_pool: {kernel: 3, stride: 2, padding: 1, ceil_mode: true}\n"
              "  - separable: {kernel: 5, filters: 20, stride: 2, padding: 2}\n"
              "  - avg_pool: {kernel: 2, ceil_mode: true}\n  - global_avg_pool\n  - fc: {units: 10, fixed: true}\n",
         convention=TORCHVISION, points=[(Fraction(13, 100), 33), (Fraction(1), 224), (Fraction(37, 20), 399)])
def test_totals_equal_evaluate_on_random_networks(tmp_path: Path, text: str, convention: Convention,
                                                  points: list[tuple[Fraction, int]]) -> None:
    network = load_text(tmp_path, text)
    assert CompiledCost(network, convention).factored
    _check_points(network, convention, points)


@SETTINGS
@given(text=network_texts(), convention=conventions,
       alpha_list=st.lists(alphas, min_size=1, max_size=3, unique=True),
       resolution_list=st.lists(resolutions, min_size=1, max_size=3, unique=True))
def test_grid_equals_evaluate_on_random_networks(tmp_path: Path, text: str, convention: Convention,
                                                 alpha_list: list[Fraction], resolution_list: list[int]) -> None:
    network = load_text(tmp_path, text)
    rhos = [Fraction(r, BASE) for r in resolution_list]
    expected = [(alpha, rho, *(outcome(exact, network, alpha, rho, convention)[1] or (None, None)))
                for alpha in alpha_list for rho in rhos]
    got = outcome(lambda: list(CompiledCost(network, convention).grid(alpha_list, rhos)))
    if any(entry[2] is None for entry in expected):  # some point is not a network: the grid must refuse it
        assert got == ("refused", None)
    else:
        assert got == ("ok", expected)


def test_random_networks_are_mostly_computable(tmp_path: Path) -> None:
    # Guards the generator: if nearly every point were refused, the equality tests above would test nothing.
    network = load_text(tmp_path, "input: {channels: 3, size: 224}\nlayers:\n"
                                  "  - conv: {kernel: 5, filters: 9, stride: 2, padding: valid}\n"
                                  "  - max_pool: {kernel: 5, stride: 2, padding: valid, ceil_mode: true}\n"
                                  "  - depthwise: {kernel: 3, stride: 2, padding: valid}\n"
                                  "  - global_max_pool\n  - fc: {units: 7, fixed: true}\n")
    points = [(Fraction(n, 100), r) for n in (13, 50, 100, 200) for r in (32, 33, 100, 224, 400)]
    assert _check_points(network, PAPER, points) == len(points)


# --- networks with flatten: evaluated point by point -------------------------------------------------------------

FLATTEN_SPEC = """\
version: 1
name: flat
input: {channels: 3, size: 224}
layers:
  - conv: {kernel: 3, filters: 16, stride: 4, padding: valid, bias: true}
  - batch_norm
  - relu
  - max_pool: {kernel: 2, ceil_mode: true}
  - flatten
  - fc: {units: 10, fixed: true}
"""


def test_flatten_network_is_not_factored(tmp_path: Path) -> None:
    assert not CompiledCost(load_text(tmp_path, FLATTEN_SPEC), PAPER).factored


@SETTINGS
@given(convention=conventions, points=st.lists(st.tuples(alphas, resolutions), min_size=1, max_size=5),
       width=st.sampled_from(["truncate", "make_divisible"]))
def test_flatten_network_is_exact_point_by_point(tmp_path: Path, convention: Convention,
                                                 points: list[tuple[Fraction, int]], width: str) -> None:
    network = load_text(tmp_path, FLATTEN_SPEC.replace("layers:", f"width: {{rounding: {width}}}\nlayers:"))
    compiled = CompiledCost(network, convention)
    assert not compiled.factored
    assert _check_points(network, convention, points) == len(points)
    rhos = sorted({Fraction(r, BASE) for _a, r in points})
    alpha_list = sorted({a for a, _r in points})
    assert list(compiled.grid(alpha_list, rhos)) == [
        (alpha, rho, *exact(network, alpha, rho, convention)) for alpha in alpha_list for rho in rhos]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=network_texts(head="flatten"), convention=conventions,
       points=st.lists(st.tuples(alphas, resolutions), min_size=1, max_size=3))
def test_random_flatten_networks_are_exact(tmp_path: Path, text: str, convention: Convention,
                                           points: list[tuple[Fraction, int]]) -> None:
    network = load_text(tmp_path, text)
    assert not CompiledCost(network, convention).factored
    _check_points(network, convention, points)


def test_flatten_params_depend_on_the_resolution(tmp_path: Path) -> None:
    # Why flatten cannot be factored: the fc's input channels (and so params) change with the resolution.
    compiled = CompiledCost(load_text(tmp_path, FLATTEN_SPEC), PAPER)
    assert compiled.totals(Fraction(1), Fraction(1))[1] != compiled.totals(Fraction(1), Fraction(1, 2))[1]


# --- points that only one path can compute ------------------------------------------------------------------------
# A spec whose network is not valid at alpha = 1 (or at its own input size) can still be valid at the point asked
# for; evaluate computes it, so the compiled path must too ("sweep values equal report at every point, for any
# spec"). Commit 12c593f found channel factors by propagating at rho = 1 and areas at alpha = 1, and refused both.

GROUPS_INVALID_AT_ALPHA_1 = """\
version: 1
name: grouped
input: {channels: 3, size: 224}
layers:
  - conv: {kernel: 3, filters: 7, groups: 3, stride: 2}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""  # at alpha 1: 7 filters in 3 groups (refused); at alpha 1/2: int(3.5) = 3 filters in 3 groups (a network)

INVALID_AT_INPUT_SIZE = """\
version: 1
name: small_input
input: {channels: 3, size: 16}
layers:
  - conv: {kernel: 3, filters: 8}
  - max_pool: {kernel: 20, stride: 20, padding: valid}
  - global_avg_pool
  - fc: {units: 10, fixed: true}
"""  # at 16 px the 20-pixel window does not fit (refused); at 32 px (rho = 2) it does


@pytest.mark.parametrize("text, alpha, rho", [
    (GROUPS_INVALID_AT_ALPHA_1, Fraction(1, 2), Fraction(1)),
    (INVALID_AT_INPUT_SIZE, Fraction(1), Fraction(2)),
], ids=["groups-invalid-at-alpha-1", "window-invalid-at-the-input-size"])
def test_compiled_computes_every_point_evaluate_computes(tmp_path: Path, text: str, alpha: Fraction,
                                                         rho: Fraction) -> None:
    network = load_text(tmp_path, text)
    expected = exact(network, alpha, rho, PAPER)  # evaluate computes this point
    assert outcome(CompiledCost(network, PAPER).totals, alpha, rho) == ("ok", expected)
