"""Counts per batch (``--batch N``, as torchinfo's ``input_size=(N, 3, H, W)``; issue 18).

A spec is counted per image. Over a batch of N images every layer runs N times: its Mult-Adds and its
activations are N times an image's, its parameters and weights are there once (torchinfo's summary: "Total
mult-adds" grows with the batch, "Total params" does not). ``per_batch`` scales the Mult-Adds of an
evaluation; ``costcalc.analysis.memory.memory`` and ``costcalc.analysis.roofline.roofline`` take the batch for
the activations and the time.
"""

from __future__ import annotations

from costcalc.analysis.separable import SeparablePair
from costcalc.engine.results import Evaluation, LayerCost

MAX_BATCH = 1 << 20  # a bound on a number a person types (docs/security.md): 1,048,576 images


def per_batch(evaluation: Evaluation, batch: int) -> Evaluation:
    """``evaluation`` with every layer's Mult-Adds (and the total) for ``batch`` images; params unchanged."""
    if batch == 1:
        return evaluation
    rows = tuple(_scaled(row, batch) for row in evaluation.layers)
    return evaluation._replace(layers=rows, mult_adds=evaluation.mult_adds * batch)


def _scaled(row: LayerCost, batch: int) -> LayerCost:
    return row._replace(mult_adds=row.mult_adds * batch)


def pairs_per_batch(pairs: list[SeparablePair], batch: int) -> list[SeparablePair]:
    """Separable pairs (and the standard convolution each replaces) counted for ``batch`` images."""
    if batch == 1:
        return pairs
    return [SeparablePair(_scaled(pair.depthwise, batch), _scaled(pair.pointwise, batch),
                          _scaled(pair.standard, batch)) for pair in pairs]
