"""Property tests (hypothesis) of costcalc's invariants.

- (a) MobileNets §3.1: (depthwise + pointwise) / standard convolution Mult-Adds = 1/N + 1/D_K² exactly, for any
  D_K, M, N, D_F, computed through the layer kinds (and derived symbolically by ``costcalc.engine.symbolic``);
- (b) Mult-Adds never decrease as alpha grows or as the resolution grows (random small networks);
- (c) params do not depend on rho for networks ending in global_avg_pool + fc (the paper's Table 7: 4.2 M at
  every resolution);
- (d) per-layer rows add up to the totals, and so do the by-kind groups (torchinfo's invariant on its goldens);
- (e) the symbolic closed form in alpha and rho equals the exact count wherever nothing rounds;
- (f) exact evaluation of a single convolution equals an independent integer re-computation (PyTorch's output
  size formula, TensorFlow's ``same``), including counts above 2**53; results are ``int``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from costcalc.analysis.breakdown import by_kind
from costcalc.conventions import PAPER, TORCHVISION
from costcalc.engine.arith import ExactArith
from costcalc.engine.exact import evaluate
from costcalc.layers.base import Shape
from costcalc.layers.conv import Conv, Depthwise, Pointwise
from costcalc.layers.width import WidthRule
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network

# random specs may leave a classifier unfixed or a convolution unpadded: the warnings say so, and are not the point
pytestmark = pytest.mark.filterwarnings("ignore::costcalc.errors.CostcalcWarning")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ALPHAS = [Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1), Fraction(5, 4), Fraction(3, 2), Fraction(2)]
IDEAL_ALPHAS = [Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(3, 4)]
BASE = 224  # every generated spec's input size; resolutions are rho = r / 224


# --- (a) the separable / standard ratio ------------------------------------------------------------------------------


def _macs(layer: Any, shape: Shape, arith: ExactArith) -> tuple[Shape, int]:
    output = layer.output_shape(shape, arith)
    macs = layer.costs(shape, output, arith)["weight_macs"]
    assert type(macs) is int
    return output, macs


@SETTINGS
@given(k=st.integers(1, 11), m=st.integers(1, 4096), n=st.integers(1, 4096), d=st.integers(1, 300))
@example(k=3, m=512, n=512, d=14)  # MobileNets Table 3
def test_separable_over_standard_ratio(k: int, m: int, n: int, d: int) -> None:
    arith = ExactArith(Fraction(1), WidthRule())
    shape = Shape(d, d, m)
    out, standard = _macs(Conv(kernel=(k, k), filters=n), shape, arith)
    mid, depthwise = _macs(Depthwise(kernel=(k, k)), shape, arith)
    out2, pointwise = _macs(Pointwise(filters=n), mid, arith)
    assert out == out2 == Shape(d, d, n)
    assert Fraction(depthwise + pointwise, standard) == Fraction(1, n) + Fraction(1, k**2)


def test_symbolic_ratio_is_one_over_n_plus_one_over_dk_squared() -> None:
    import sympy

    from costcalc.engine import symbols as s
    from costcalc.engine.symbolic import derive

    derivation = derive()
    assert sympy.expand(derivation.ratio - (1 / s.N + 1 / s.D_K**2)) == 0
    # eq. 7 over its standard counterpart: alpha and rho cancel except through alpha·N.
    assert sympy.expand(derivation.ratio_alpha_rho - (1 / (s.alpha * s.N) + 1 / s.D_K**2)) == 0


# --- random networks -------------------------------------------------------------------------------------------------


@st.composite
def network_texts(draw: Any, multiple: int = 4, ideal: bool = False, head: str | None = None,
                  width: str | None = None) -> str:
    """YAML text of a small random network on a 224 x 224 x 3 input: a few conv / separable / pointwise /
    depthwise / max_pool layers (at most four stride-2 steps, so 32 px inputs stay whole), then a head.
    Channel counts are multiples of ``multiple``. ``ideal``: 'same' padding only (sizes divide exactly)."""
    if width is None:
        width = draw(st.sampled_from(["truncate", "make_divisible"]))
    lines = ["version: 1", "name: random", f"input: {{channels: 3, size: {BASE}}}",
             f"width: {{rounding: {width}}}", "layers:"]
    halvings = 0
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "separable", "pointwise", "depthwise", "max_pool"]))
        stride = 1
        if halvings < 4 and draw(st.booleans()):
            stride, halvings = 2, halvings + 1
        kernel = draw(st.sampled_from([1, 3, 5]))
        filters = draw(st.integers(1, 8)) * multiple
        padding = "same" if ideal or draw(st.booleans()) else kernel // 2
        extras = ""
        if kind in ("conv", "separable") and draw(st.booleans()):
            extras += ", bias: true"
        if kind == "separable":
            extras += f", batch_norm: {str(draw(st.booleans())).lower()}"
            if draw(st.booleans()):
                extras += ", activation: relu"
        if kind == "conv":
            lines.append(f"  - conv: {{kernel: {kernel}, filters: {filters}, stride: {stride}, padding: {padding}{extras}}}")
        elif kind == "separable":
            lines.append(f"  - separable: {{kernel: {kernel}, filters: {filters}, stride: {stride}, "
                         f"padding: {padding}{extras}}}")
        elif kind == "pointwise":
            lines.append(f"  - pointwise: {{filters: {filters}, stride: {stride}}}")
        elif kind == "depthwise":
            multiplier = draw(st.integers(1, 2))
            lines.append(f"  - depthwise: {{kernel: {kernel}, stride: {stride}, padding: {padding}, "
                         f"depth_multiplier: {multiplier}}}")
        elif stride == 2:
            lines.append("  - max_pool: {kernel: 2, stride: 2}")
        else:
            lines.append("  - max_pool: {kernel: 3, stride: 1, padding: 1}")
        if kind in ("conv", "pointwise", "depthwise") and draw(st.booleans()):
            lines.extend(["  - batch_norm", "  - relu"])
    chosen = head or draw(st.sampled_from(["global", "flatten", "none"]))
    units = draw(st.integers(1, 8)) * multiple
    fixed = str(draw(st.booleans())).lower()
    if chosen == "global":
        lines.extend(["  - global_avg_pool", f"  - fc: {{units: {units}, fixed: {fixed}}}", "  - softmax"])
    elif chosen == "flatten":
        lines.extend(["  - flatten", "  - dropout: {rate: 0.2}", f"  - fc: {{units: {units}, fixed: {fixed}}}"])
    return "\n".join(lines) + "\n"


def _load(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(str(path))


# --- (b) monotone in alpha and in resolution ---------------------------------------------------------------------------


def _check_alpha_monotone(tmp_path: Path, text: str, alphas: list[Fraction], resolution: int) -> None:
    network = build_network(_load(tmp_path, text))
    rho = Fraction(resolution, BASE)
    counts = [evaluate(network, alpha=alpha, rho=rho).mult_adds for alpha in sorted(alphas)]
    assert counts == sorted(counts), (text, sorted(alphas), counts)


@SETTINGS
@given(text=network_texts(width="truncate"),
       alphas=st.lists(st.sampled_from(ALPHAS), min_size=2, max_size=4, unique=True), resolution=st.integers(32, 320))
def test_mult_adds_never_decrease_as_alpha_grows_truncate(tmp_path: Path, text: str, alphas: list[Fraction],
                                                           resolution: int) -> None:
    _check_alpha_monotone(tmp_path, text, alphas, resolution)


@SETTINGS
@given(text=network_texts(width="make_divisible"),
       alphas=st.lists(st.sampled_from(ALPHAS), min_size=2, max_size=4, unique=True), resolution=st.integers(32, 320))
@example(text="input: {channels: 3, size: 224}\nwidth: {rounding: make_divisible}\nlayers:\n"
              "  - conv: {kernel: 3, filters: 12}\n", alphas=[Fraction(3, 4), Fraction(1)], resolution=224)
def test_mult_adds_never_decrease_as_alpha_grows_make_divisible(tmp_path: Path, text: str, alphas: list[Fraction],
                                                                 resolution: int) -> None:
    # make_divisible(v, 8) is non-decreasing in v, so channel counts, and with them Mult-Adds, must be too.
    _check_alpha_monotone(tmp_path, text, alphas, resolution)


@SETTINGS
@given(text=network_texts(), resolutions=st.lists(st.integers(32, 320), min_size=2, max_size=4, unique=True),
       alpha=st.sampled_from(ALPHAS))
def test_mult_adds_never_decrease_as_resolution_grows(tmp_path: Path, text: str, resolutions: list[int],
                                                       alpha: Fraction) -> None:
    network = build_network(_load(tmp_path, text))
    evaluations = [evaluate(network, alpha=alpha, rho=Fraction(r, BASE)) for r in sorted(resolutions)]
    assert [e.resolution for e in evaluations] == sorted(resolutions)
    counts = [e.mult_adds for e in evaluations]
    assert counts == sorted(counts), (text, sorted(resolutions), counts)


# --- (c) params do not depend on rho -----------------------------------------------------------------------------------


@SETTINGS
@given(text=network_texts(head="global"), resolutions=st.lists(st.integers(32, 320), min_size=2, max_size=4),
       alpha=st.sampled_from(ALPHAS))
def test_params_do_not_depend_on_resolution(tmp_path: Path, text: str, resolutions: list[int],
                                            alpha: Fraction) -> None:
    network = build_network(_load(tmp_path, text))
    for convention in (PAPER, TORCHVISION):
        reference = evaluate(network, alpha=alpha, convention=convention)
        for resolution in resolutions:
            evaluation = evaluate(network, alpha=alpha, rho=Fraction(resolution, BASE), convention=convention)
            assert evaluation.params == reference.params
            assert [row.params for row in evaluation.layers] == [row.params for row in reference.layers]


def test_mobilenet_params_do_not_depend_on_resolution() -> None:
    # MobileNets Table 7: 4.2 M parameters at every resolution (exactly 4,209,088).
    spec = load_spec(str(bundled_specs()["mobilenet_v1"]))
    assert {evaluate(spec, rho=Fraction(r, 224)).params for r in range(96, 321, 8)} == {4_209_088}


# --- (d) rows add up ----------------------------------------------------------------------------------------------------


@SETTINGS
@given(text=network_texts(), alpha=st.sampled_from(ALPHAS), resolution=st.integers(32, 320),
       convention=st.sampled_from([PAPER, TORCHVISION]))
def test_rows_and_groups_add_up_to_totals(tmp_path: Path, text: str, alpha: Fraction, resolution: int,
                                          convention: Any) -> None:
    evaluation = evaluate(_load(tmp_path, text), alpha=alpha, rho=Fraction(resolution, BASE), convention=convention)
    assert sum(row.mult_adds for row in evaluation.layers) == evaluation.mult_adds
    assert sum(row.params for row in evaluation.layers) == evaluation.params
    kinds = by_kind(evaluation)
    assert sum(kind.mult_adds for kind in kinds) == evaluation.mult_adds
    assert sum(kind.params for kind in kinds) == evaluation.params
    assert sum(kind.layers for kind in kinds) == sum(1 for row in evaluation.layers if row.mult_adds or row.params)
    if evaluation.mult_adds:
        assert sum(kind.mult_adds_share for kind in kinds) == 1
    for value in (evaluation.mult_adds, evaluation.params, *(r.mult_adds for r in evaluation.layers)):
        assert type(value) is int


# --- (e) the closed form equals the exact count where nothing rounds ------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=network_texts(multiple=32, ideal=True, width="truncate"),
       resolutions=st.lists(st.integers(1, 10).map(lambda n: 32 * n), min_size=1, max_size=2, unique=True))
def test_closed_form_equals_exact_where_nothing_rounds(tmp_path: Path, text: str, resolutions: list[int]) -> None:
    from costcalc.engine.symbolic import closed_form

    network = build_network(_load(tmp_path, text))
    for convention in (PAPER, TORCHVISION):
        form = closed_form(network, convention)
        for alpha in IDEAL_ALPHAS:
            for resolution in resolutions:
                rho = Fraction(resolution, BASE)
                mult_adds, params = form.at(alpha, rho)
                exact = evaluate(network, alpha=alpha, rho=rho, convention=convention)
                assert (mult_adds, params) == (exact.mult_adds, exact.params), (text, alpha, resolution)
                assert mult_adds.is_Integer and params.is_Integer


def test_closed_form_has_no_floats(tmp_path: Path) -> None:
    # A strided layer on a map that is already 1x1 (sizes are plain ints there, not expressions in rho) must still
    # give exact Rationals in the closed form: closed forms hold exact Rationals, never floats.
    import sympy

    from costcalc.engine.symbolic import closed_form

    spec = _load(tmp_path, """\
input: {channels: 3, size: 224}
layers:
  - conv: {kernel: 3, filters: 32, stride: 2}
  - global_avg_pool
  - conv: {kernel: 1, filters: 64, stride: 2}
  - flatten
  - fc: {units: 10, fixed: true}
""")
    form = closed_form(build_network(spec))
    assert form.mult_adds.atoms(sympy.Float) == set(), form.mult_adds
    assert form.params.atoms(sympy.Float) == set(), form.params


def test_closed_form_of_mobilenet_equals_exact() -> None:
    from costcalc.engine.symbolic import closed_form

    network = build_network(load_spec(str(bundled_specs()["mobilenet_v1"])))
    form = closed_form(network)
    for alpha in IDEAL_ALPHAS:
        for resolution in (224, 192, 160, 128):
            rho = Fraction(resolution, 224)
            exact = evaluate(network, alpha=alpha, rho=rho)
            assert form.at(alpha, rho) == (exact.mult_adds, exact.params)
    # MobileNets Table 6 / 7 through the closed form.
    assert form.at(Fraction(1), Fraction(1)) == (568_740_352, 4_209_088)
    assert form.at(Fraction(1, 2), Fraction(160, 224)) == (76_524_800, 1_319_648)


# --- the standard twin of MobileNet is Conv MobileNet at every alpha and resolution ---------------------------------


@settings(max_examples=30, deadline=None)
@given(alpha=st.sampled_from([*ALPHAS, Fraction(1, 3), Fraction(7, 10)]), resolution=st.integers(32, 320))
def test_standard_twin_is_conv_mobilenet(alpha: Fraction, resolution: int) -> None:
    # MobileNets Table 4 compares MobileNet with the same network built of full convolutions; costcalc's
    # standard_twin (computed from MobileNet's separable pairs) must equal the bundled Conv MobileNet exactly.
    from costcalc.analysis.separable import standard_twin

    specs = bundled_specs()
    rho = Fraction(resolution, 224)
    twin = standard_twin(evaluate(load_spec(str(specs["mobilenet_v1"])), alpha=alpha, rho=rho))
    conv = evaluate(load_spec(str(specs["mobilenet_v1_conv"])), alpha=alpha, rho=rho)
    assert (twin.mult_adds, twin.params) == (conv.mult_adds, conv.params)
    assert twin.pairs == 13


# --- (f) one convolution, re-computed independently ----------------------------------------------------------------


def _out(size: int, kernel: int, stride: int, padding: str, pad: int, dilation: int) -> int:
    if padding == "same":
        return -(-size // stride)
    if padding == "valid":
        pad = 0
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


@st.composite
def single_convs(draw: Any) -> dict[str, Any]:
    groups = draw(st.integers(1, 8))
    per_group_in = draw(st.one_of(st.integers(1, 64), st.integers(1, 2**40)))
    per_group_out = draw(st.one_of(st.integers(1, 64), st.integers(1, 2**40)))
    return {
        "kernel": (draw(st.integers(1, 7)), draw(st.integers(1, 7))),
        "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "dilation": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": draw(st.sampled_from(["same", "valid", "explicit"])),
        "pad": (draw(st.integers(0, 3)), draw(st.integers(0, 3))),
        "groups": groups,
        "m": groups * per_group_in,
        "n": groups * per_group_out,
        "size": (draw(st.integers(1, 300)), draw(st.integers(1, 300))),
        "bias": draw(st.booleans()),
    }


HUGE = {"kernel": (3, 1), "stride": (1, 1), "dilation": (1, 1), "padding": "same", "pad": (0, 0), "groups": 1,
        "m": 2**40 + 1, "n": 2**40 + 1, "size": (1, 1), "bias": True}


@SETTINGS
@given(conv=single_convs())
@example(conv=HUGE)
def test_single_conv_equals_independent_count(tmp_path: Path, conv: dict[str, Any]) -> None:
    kh, kw = conv["kernel"]
    sh, sw = conv["stride"]
    dh, dw = conv["dilation"]
    ph, pw = conv["pad"]
    h, w = conv["size"]
    mode = conv["padding"]
    padding = mode if mode != "explicit" else f"[{ph}, {pw}]"
    valid = all(
        mode == "same" or size + 2 * (p if mode == "explicit" else 0) >= d * (k - 1) + 1
        for size, k, p, d in ((h, kh, ph, dh), (w, kw, pw, dw))
    )
    assume(valid)  # a window that does not fit is an error case, tested in test_formulas.py
    text = (f"input: {{channels: {conv['m']}, height: {h}, width: {w}}}\nlayers:\n"
            f"  - conv: {{kernel: [{kh}, {kw}], filters: {conv['n']}, stride: [{sh}, {sw}], padding: {padding}, "
            f"dilation: [{dh}, {dw}], groups: {conv['groups']}, bias: {str(conv['bias']).lower()}}}\n")
    spec = _load(tmp_path, text)

    oh = _out(h, kh, sh, mode, ph, dh)
    ow = _out(w, kw, sw, mode, pw, dw)
    weights = kh * kw * (conv["m"] // conv["groups"]) * conv["n"]
    mult_adds = weights * oh * ow
    biases = conv["n"] if conv["bias"] else 0

    paper = evaluate(spec)
    torch = evaluate(spec, convention=TORCHVISION)
    (row,) = paper.layers
    assert row.output_shape == Shape(oh, ow, conv["n"])
    assert (paper.mult_adds, paper.params) == (mult_adds, weights)
    assert (torch.mult_adds, torch.params) == (mult_adds, weights + biases)
    for value in (paper.mult_adds, paper.params, torch.mult_adds, torch.params, row.mult_adds, row.params):
        assert type(value) is int
    if conv is HUGE:
        assert paper.mult_adds == 3 * (2**40 + 1) ** 2 > 2**53
        assert float(paper.mult_adds) != paper.mult_adds  # a float could not hold it: exact integer arithmetic
