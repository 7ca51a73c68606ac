"""Running budget checks: every check x configuration x metric against its limit and, with a baseline,
against the growth it allows; plus which layers changed since the baseline."""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from costcalc.budget.baseline import BaselineReport, find_baseline
from costcalc.budget.config import METRICS, CheckSpec
from costcalc.engine.results import Evaluation


class LayerChange(NamedTuple):
    name: str
    baseline: int | None  # None: a new layer
    value: int | None  # None: a removed layer

    @property
    def delta(self) -> int:
        return (self.value or 0) - (self.baseline or 0)


class CheckResult(NamedTuple):
    check: CheckSpec
    evaluation: Evaluation
    metric: str  # "mult_adds" or "params"
    value: int
    limit: int | None
    baseline: int | None
    max_increase: Fraction | None
    min_delta: int
    layer_changes: tuple[LayerChange, ...]  # layers whose count changed since the baseline, largest first
    baseline_report: BaselineReport | None = None  # the report compared with (maybe another configuration)

    @property
    def delta(self) -> int | None:
        return None if self.baseline is None else self.value - self.baseline

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.value > self.limit

    @property
    def grew_too_much(self) -> bool:
        """Grew past ``max_increase`` of the baseline, by at least ``min_delta``."""
        delta = self.delta
        if delta is None or self.max_increase is None or delta <= 0 or delta < self.min_delta:
            return False
        return Fraction(delta) > self.max_increase * self.baseline  # type: ignore[operator]

    @property
    def ok(self) -> bool:
        return not self.over_limit and not self.grew_too_much


def _changes(evaluation: Evaluation, baseline: BaselineReport, metric: str) -> tuple[LayerChange, ...]:
    now = {row.name: getattr(row, metric) for row in evaluation.layers}
    before = {name: counts[metric] for name, counts in baseline.layers.items() if metric in counts}
    changes = [LayerChange(name, before.get(name), now.get(name)) for name in dict.fromkeys([*before, *now])
               if before.get(name) != now.get(name) and (before.get(name) or now.get(name))]
    return tuple(sorted(changes, key=lambda change: -abs(change.delta)))


def check_evaluation(check: CheckSpec, evaluation: Evaluation, baselines: list[BaselineReport],
                     max_increase: Fraction | None = None, min_delta: int | None = None) -> list[CheckResult]:
    """The results of one check at one configuration (its evaluation); ``max_increase``/``min_delta``
    from the command line override the check's own."""
    baseline = find_baseline(baselines, evaluation.spec.name, evaluation.alpha, evaluation.resolution,
                             _counting(evaluation)) if baselines else None
    growth = max_increase if max_increase is not None else check.max_increase
    smallest = min_delta if min_delta is not None else check.min_delta
    results = []
    for metric in METRICS:
        limit = check.limits.get(metric)
        if limit is None and baseline is None and growth is None:
            continue
        value = evaluation.mult_adds if metric == "mult_adds" else evaluation.params
        results.append(CheckResult(
            check, evaluation, metric, value, limit,
            None if baseline is None else baseline.totals[metric], growth, smallest,
            () if baseline is None else _changes(evaluation, baseline, metric), baseline,
        ))
    return results


def _counting(evaluation: Evaluation) -> str:
    """The convention as a baseline records it, with the unit unless it is Mult-Adds: a baseline counted in
    FLOPs is not compared with a count in Mult-Adds."""
    convention = evaluation.convention
    return convention.name if convention.unit == "mult-adds" else f"{convention.name} ({convention.unit})"
