"""Comparing evaluated networks (``costcalc compare``): totals side by side with exact ratios to the first
(the baseline), and the differences by kind (the paper's Table 2 groups) and by stage (output spatial size).

Also a network's all-standard-convolution twin as an ``Evaluation`` of its own (the paper's Table 4: Conv
MobileNet against MobileNet), so that it can be compared, or reported, like any spec.

Pure data: exact ints and Fractions; renderers (``costcalc.render.compare_*``) format them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Hashable, Iterable, NamedTuple

from costcalc.analysis.separable import separable_pairs
from costcalc.engine.results import Evaluation, LayerCost


class Part(NamedTuple):
    """One network's share of a row: its counted layers (those with any cost), their Mult-Adds and
    params, and the difference to the baseline's (this network's minus the baseline's)."""

    layers: int
    mult_adds: int
    params: int
    mult_adds_diff: int
    params_diff: int


class KindRow(NamedTuple):
    group: str  # "conv 3x3", "depthwise 3x3", "conv 1x1", "fc", ...
    parts: tuple[Part, ...]  # one per network, in the comparison's order


class StageRow(NamedTuple):
    """The layers whose output map is ``size`` (height, width): 112x112, 56x56, ..., 1x1."""

    size: tuple[int, int]
    parts: tuple[Part, ...]

    @property
    def label(self) -> str:
        return f"{self.size[0]}x{self.size[1]}"


class Entry(NamedTuple):
    """One network's totals, their exact ratios to the baseline's (``None`` when the baseline's is 0) and
    their differences to it."""

    evaluation: Evaluation
    mult_adds_ratio: Fraction | None
    params_ratio: Fraction | None
    mult_adds_diff: int
    params_diff: int

    @property
    def mult_adds(self) -> int:
        return self.evaluation.mult_adds

    @property
    def params(self) -> int:
        return self.evaluation.params


class Comparison(NamedTuple):
    entries: tuple[Entry, ...]  # the first is the baseline
    by_kind: tuple[KindRow, ...]
    by_stage: tuple[StageRow, ...]

    @property
    def baseline(self) -> Entry:
        return self.entries[0]

    def names(self) -> list[str]:
        """The networks' spec names, told apart: a name given to more than one network (the same spec at two
        alphas) gets the network's number: ``mobilenet_v1 #3``."""
        names = [entry.evaluation.spec.name for entry in self.entries]
        return [f"{name} #{index}" if names.count(name) > 1 else name for index, name in enumerate(names, 1)]

    def common(self, attribute: str) -> object:
        """The networks' shared ``alpha``, ``rho`` or ``resolution``, or ``None`` when they differ."""
        values = {getattr(entry.evaluation, attribute) for entry in self.entries}
        return values.pop() if len(values) == 1 else None


def ratio(value: int, baseline: int) -> Fraction | None:
    return Fraction(value, baseline) if baseline else None


def compare(evaluations: Iterable[Evaluation]) -> Comparison:
    """Compare two or more networks evaluated under one convention; the first is the baseline.

    Alpha and rho may differ between them (each entry keeps its own), but the convention may not: a ratio of
    counts of different things means nothing. Rows by kind: the baseline's groups largest Mult-Adds first (as
    ``by_kind``), then the groups only later networks have, likewise; stages keep every network's own order
    (see ``_merge``).
    Rows that cost nothing in every network are left out, as in ``by_kind``.
    """
    evaluations = tuple(evaluations)
    if len(evaluations) < 2:
        raise ValueError(f"a comparison needs at least two networks, got {len(evaluations)}")
    conventions = {evaluation.convention.name for evaluation in evaluations}
    if len(conventions) > 1:
        raise ValueError(f"cannot compare counts under different conventions: {', '.join(sorted(conventions))}")
    base = evaluations[0]
    entries = tuple(
        Entry(evaluation, ratio(evaluation.mult_adds, base.mult_adds), ratio(evaluation.params, base.params),
              evaluation.mult_adds - base.mult_adds, evaluation.params - base.params)
        for evaluation in evaluations
    )
    kinds = [_sums(evaluation, _group) for evaluation in evaluations]
    kind_order: list[Hashable] = []
    for sums in kinds:  # each network's groups largest first, as by_kind lists them
        kind_order += [group for group in sorted(sums, key=lambda group: (-sums[group][1], -sums[group][2]))
                       if group not in kind_order]
    stages = [_sums(evaluation, _stage) for evaluation in evaluations]
    stage_order = _merge([list(sums) for sums in stages])
    return Comparison(
        entries=entries,
        by_kind=tuple(KindRow(group, parts) for group, parts in _rows(kinds, kind_order)),
        by_stage=tuple(StageRow(size, parts) for size, parts in _rows(stages, stage_order)),
    )


Counts = dict[Hashable, list[int]]  # key -> [layers with any cost, Mult-Adds, params]


def _group(row: LayerCost) -> str:
    return row.group


def _stage(row: LayerCost) -> tuple[int, int]:
    return (row.output_shape.height, row.output_shape.width)


def _sums(evaluation: Evaluation, key: Callable[[LayerCost], Hashable]) -> Counts:
    """Per ``key(row)``, in order of first appearance: layers with any cost, Mult-Adds, params."""
    sums: Counts = {}
    for row in evaluation.layers:
        entry = sums.setdefault(key(row), [0, 0, 0])
        entry[0] += bool(row.mult_adds or row.params)
        entry[1] += row.mult_adds
        entry[2] += row.params
    return sums


def _rows(sums: list[Counts], order: list[Any]) -> list[tuple[Any, tuple[Part, ...]]]:
    """Each key's parts, one per network, leaving out the keys that cost nothing in every network."""
    rows = []
    for key in order:
        counts = [each.get(key, [0, 0, 0]) for each in sums]
        if not any(mult_adds or params for _, mult_adds, params in counts):
            continue
        _, base_mult_adds, base_params = counts[0]
        rows.append((key, tuple(Part(layers, mult_adds, params, mult_adds - base_mult_adds, params - base_params)
                                for layers, mult_adds, params in counts)))
    return rows


def _merge(orders: list[list[Any]]) -> list[Any]:
    """One order of the keys of all lists, in order of first appearance, that keeps each list's own order
    where it can: a key new in a later list goes just before the next key of that list already placed (so
    the stages of a 192-px network come after those of a 224-px baseline but before their shared 1x1)."""
    merged: list[Any] = []
    for order in orders:
        for index, key in enumerate(order):
            if key in merged:
                continue
            following = next((merged.index(later) for later in order[index + 1:] if later in merged), len(merged))
            merged.insert(following, key)
    return merged


def standard_twin_evaluation(evaluation: Evaluation) -> Evaluation:
    """The network with each depthwise-separable pair replaced by ONE row, its equivalent standard
    convolution (``separable_pairs``; the paper's Table 4 "Conv MobileNet"), named ``<dw>+<pw>``, at the
    depthwise row's place; every other row is kept, including those between the two (batch norm and
    activation of the depthwise output, which some conventions count). Its totals are
    ``standard_twin(evaluation)``'s; its spec is named ``<name> (standard conv)``.

    The twin keeps the original's ``network`` (there is no twin network), so a closed form
    (``report --symbolic``) of it would be the original's: do not ask for one.
    """
    pairs = separable_pairs(evaluation)
    standard_at = {id(pair.depthwise): pair.standard for pair in pairs}
    dropped = {id(pair.pointwise) for pair in pairs}
    rows: list[LayerCost] = [standard_at.get(id(row), row) for row in evaluation.layers if id(row) not in dropped]
    spec = evaluation.spec
    noun = "depthwise-separable pair" if len(pairs) == 1 else "depthwise-separable pairs"
    change = f"with standard convolutions for its {len(pairs)} {noun}"
    return evaluation._replace(
        spec=spec._replace(name=f"{spec.name} (standard conv)",
                           description=f"{spec.description}, {change}" if spec.description else change),
        layers=tuple(rows),
        mult_adds=sum(row.mult_adds for row in rows),
        params=sum(row.params for row in rows),
    )
