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
