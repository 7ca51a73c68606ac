"""Everything a report shows, computed once: the evaluation and its analyses. Renderers only format this."""

from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.analysis.blocks import BlockTotal, OutlineRow, by_block, outline
from costcalc.analysis.breakdown import KindTotal, by_kind
from costcalc.analysis.separable import (
    SeparablePair,
    StandardTwin,
    separable_pairs,
    standard_twin,
)
from costcalc.engine.results import Evaluation


class SymbolicTotals(NamedTuple):
    """The closed form in alpha and rho (and d, for a spec that scales depth; no rounding), its value at this
    report's alpha, rho and depth multiplier, and whether the exact (rounded) count equals it."""

    mult_adds: Any
    params: Any
    ideal_mult_adds: Fraction
    ideal_params: Fraction

    def matches(self, evaluation: Evaluation) -> bool:
        return self.ideal_mult_adds == evaluation.mult_adds and self.ideal_params == evaluation.params


class Report(NamedTuple):
    evaluation: Evaluation
    kinds: list[KindTotal]
    pairs: list[SeparablePair]
    twin: StandardTwin
    symbolic: SymbolicTotals | None = None
    blocks: list[BlockTotal] = []
    outline: list[OutlineRow] = []  # the rows of the layer table, to the depth asked for
    depth: int | None = None
    memory: Any = None  # costcalc.analysis.memory.Memory
    roofline: Any = None  # costcalc.analysis.roofline.Roofline, with --device
    params_split: Any = None  # costcalc.analysis.params_split.ParamsSplit: trainable, non-trainable, buffers
    batch: int = 1  # images at once: Mult-Adds and activations are per batch (costcalc.analysis.batch)


def build_report(evaluation: Evaluation, symbolic: bool = False, depth: int | None = None, dtype: str = "fp32",
                 device: Any = None, batch: int = 1) -> Report:
    """``depth``: how many levels of blocks the layer table opens (None: all; 0: none, totals only);
    ``dtype``: of activations and weights, for memory; ``device``: a roofline device profile, for latency;
    ``batch``: images at once (the closed form stays per image: ``symbolic`` needs a batch of 1)."""
    from costcalc.analysis.batch import pairs_per_batch, per_batch
    from costcalc.analysis.memory import memory
    from costcalc.analysis.params_split import params_split

    # A convention that counts nothing of a standard convolution (a user's, counting only batch-norm elements)
    # has no separable/standard ratio to show. The pairs are found per image, then counted per batch.
    pairs = pairs_per_batch([pair for pair in separable_pairs(evaluation) if pair.standard_mult_adds], batch)
    evaluation = per_batch(evaluation, batch)
    memory_use = memory(evaluation, dtype, batch)
    times = None
    if device is not None:
        from costcalc.analysis.roofline import roofline

        times = roofline(evaluation, memory_use, device, batch)
    closed = None
    if symbolic:
        from costcalc.engine.symbolic import closed_form

        form = closed_form(evaluation.network, evaluation.convention)
        ideal_mult_adds, ideal_params = form.at(evaluation.alpha, evaluation.rho, evaluation.depth_multiplier)
        closed = SymbolicTotals(form.mult_adds, form.params, _fraction(ideal_mult_adds), _fraction(ideal_params))
    return Report(evaluation, by_kind(evaluation), pairs, standard_twin(evaluation, pairs), closed,
                  by_block(evaluation), outline(evaluation, depth), depth, memory_use, times,
                  params_split(evaluation), batch)


def _fraction(value: Any) -> Fraction:
    numerator, denominator = value.as_numer_denom()
    return Fraction(int(numerator), int(denominator))
