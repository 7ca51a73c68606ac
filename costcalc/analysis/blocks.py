"""Blocks in a report: totals per block (by the block each top-level use instantiates) and the outline of
layers and block instances to a given depth, as torchinfo's ``depth`` shows a model's modules.

A block instance's layers are contiguous in the evaluation (the network is built block by block), so one
pass over the rows finds every instance's totals, first input and last output.
"""

from fractions import Fraction
from typing import NamedTuple

from costcalc.analysis.breakdown import share
from costcalc.engine.results import Evaluation, LayerCost
from costcalc.layers.base import Shape


class BlockTotal(NamedTuple):
    block: str  # the block's name under ``blocks`` (or squeeze_excite)
    uses: int  # top-level instances
    layers: int
    mult_adds: int
    params: int
    mult_adds_share: Fraction
    params_share: Fraction


class OutlineRow(NamedTuple):
    """A line of the outline: a layer (``layer`` set) or a block instance (``layer`` None)."""

    level: int  # 0: top level
    name: str  # the full dotted name (layers) or path (blocks)
    label: str  # the last part of the name, shown indented
    kind: str  # the layer's kind, or the block's name
    number: int  # the layer's 1-based position in the evaluation; 0 for blocks
    layer: LayerCost | None
    layers: int
    mult_adds: int
    params: int
    input_shape: Shape
    output_shape: Shape
    expanded: bool  # a block whose layers follow it in the outline


class _Instance:
    __slots__ = ("first", "last", "layers", "mult_adds", "params")

    def __init__(self, first: LayerCost):
        self.layers = self.mult_adds = self.params = 0
        self.first = self.last = first


def _instances(evaluation: Evaluation) -> dict[tuple[str, ...], _Instance]:
    found: dict[tuple[str, ...], _Instance] = {}
    for row in evaluation.layers:
        for depth in range(1, len(row.path) + 1):
            prefix = row.path[:depth]
            instance = found.get(prefix)
            if instance is None:
                instance = found[prefix] = _Instance(row)
            instance.layers += 1
            instance.mult_adds += row.mult_adds
            instance.params += row.params
            instance.last = row
    return found


def by_block(evaluation: Evaluation) -> list[BlockTotal]:
    """Totals of the top-level block instances, summed per block, largest Mult-Adds first. Layers outside
    any block are not in it; the rows and those layers add up to the network's totals."""
    kinds = evaluation.network.groups
    sums: dict[str, list[int]] = {}
    for path, instance in _instances(evaluation).items():
        if len(path) != 1:
            continue
        entry = sums.setdefault(kinds.get(path, path[0]), [0, 0, 0, 0])
        entry[0] += 1
        entry[1] += instance.layers
        entry[2] += instance.mult_adds
        entry[3] += instance.params
    totals = [BlockTotal(block, uses, layers, mult_adds, params, share(mult_adds, evaluation.mult_adds),
                         share(params, evaluation.params))
              for block, (uses, layers, mult_adds, params) in sums.items()]
    return sorted(totals, key=lambda item: (-item.mult_adds, -item.params))


def outline(evaluation: Evaluation, depth: int | None = None) -> list[OutlineRow]:
    """Layers and block instances in order, to ``depth`` levels (None: all). Depth 1 shows the top-level
    layers and each top-level block as one line; depth 2 also the layers and blocks inside those; 0 shows
    nothing (totals only)."""
    if depth == 0:
        return []
    kinds = evaluation.network.groups
    instances = _instances(evaluation)
    rows: list[OutlineRow] = []
    opened: tuple[str, ...] = ()
    for index, row in enumerate(evaluation.layers, 1):
        shown = row.path if depth is None else row.path[:depth]
        common = 0
        while common < min(len(opened), len(shown)) and opened[common] == shown[common]:
            common += 1
        for level in range(common, len(shown)):
            path = shown[:level + 1]
            instance = instances[path]
            expanded = depth is None or level + 1 < depth
            rows.append(OutlineRow(level, ".".join(path), path[-1], kinds.get(path, "block"), 0, None,
                                   instance.layers, instance.mult_adds, instance.params,
                                   instance.first.input_shape, instance.last.output_shape, expanded))
        opened = shown
        if depth is None or len(row.path) < depth:
            label = row.name[len(".".join(row.path)) + 1:] if row.path else row.name
            rows.append(OutlineRow(len(row.path), row.name, label, row.kind, index, row, 1,
                                   row.mult_adds, row.params, row.input_shape, row.output_shape, False))
    return rows
