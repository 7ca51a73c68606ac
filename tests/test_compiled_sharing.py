"""Alphas that the width rule cannot tell apart share one propagation (issue 17, item 2).

``CompiledCost`` keys an alpha's terms by what the width rule makes of every channel count the network asks it
to scale; two alphas with one key propagate alike, so the second reuses the first's terms. These tests pin
that the sharing happens where it may (efficientnet_b0: ``round_filters`` rounds 1 and 1.001 alike), that it
never happens where alpha reaches a channel count some other way (mobilenet_v2's last conv reads ``alpha`` in
an expression), and that shared or not, every total is ``evaluate``'s. tests/test_compiled.py's random
networks and grids check the same against ``evaluate`` on make_divisible rules.
"""

from __future__ import annotations

from fractions import Fraction

from costcalc.conventions import TORCHVISION
from costcalc.engine.compiled import CompiledCost
from costcalc.engine.exact import evaluate
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec
from costcalc.spec.build import build_network


def test_alphas_the_width_rule_rounds_alike_share_their_terms_and_stay_exact() -> None:
    network = build_network(load_spec(bundled_specs()["efficientnet_b0"]))
    compiled = CompiledCost(network, TORCHVISION)
    one, near, half = Fraction(1), Fraction(1001, 1000), Fraction(1, 2)
    rho = Fraction(1)
    totals = {alpha: compiled.totals(alpha, rho) for alpha in (one, near, half)}
    assert compiled._by_alpha[one] is compiled._by_alpha[near]
    assert compiled._by_alpha[half] is not compiled._by_alpha[one]
    for alpha, (mult_adds, params) in totals.items():
        evaluation = evaluate(network, alpha, rho, TORCHVISION)
        assert (mult_adds, params) == (evaluation.mult_adds, evaluation.params)


def test_an_expression_that_reads_alpha_shares_nothing() -> None:
    network = build_network(load_spec(bundled_specs()["mobilenet_v2"]))
    compiled = CompiledCost(network, TORCHVISION)
    compiled.totals(Fraction(1), Fraction(1))
    assert compiled._channel_key(Fraction(1001, 1000)) is None


def test_a_run_of_equal_layers_is_worked_out_once_per_input(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A list of 1,000 written-out relus (each its own layer object, all equal) meets one input: propagate works
    out its output and costs once, not 1,000 times (the scan of a solve walks the network once per alpha), and
    every total is still ``evaluate``'s with the run broken up by a different layer."""
    from costcalc.layers.simple import Activation
    from costcalc.source.positioned_yaml import parse_yaml
    from costcalc.spec.schema import parse_spec

    relus = ", ".join(["relu"] * 1000)
    text = ("input: {channels: 3, size: 16}\nlayers:\n  - conv: {kernel: 3, filters: 8}\n"
            f"  - {{repeat: 1, layers: [{relus}]}}\n  - conv: {{kernel: 1, filters: 4}}\n  - relu\n  - relu6\n")
    network = build_network(parse_spec(parse_yaml(text, "net.yaml"), "net.yaml"))
    calls = []
    shape_of = Activation.output_shape
    monkeypatch.setattr(Activation, "output_shape", lambda self, given, arith: calls.append(self.function)
                        or shape_of(self, given, arith))
    evaluation = evaluate(network, Fraction(1), Fraction(1), TORCHVISION)
    assert calls == ["relu", "relu", "relu6"]  # the run once, the relu after the second conv, the relu6
    relu_rows = [row for row in evaluation.layers if row.kind == "activation"]
    assert len(relu_rows) == 1002 and len({row.mult_adds for row in relu_rows[:1000]}) == 1
    assert evaluation.mult_adds == sum(row.mult_adds for row in evaluation.layers)
