"""A first latency estimate: the roofline model, layer by layer, on a device profile.

For each layer: bytes moved = the activations it reads + the activation it writes + its weights; time =
max(Mult-Adds / peak Mult-Adds per second, bytes moved / bandwidth); it is compute-bound when the first term
is the larger, memory-bound otherwise; its arithmetic intensity is Mult-Adds per byte moved. The network's
latency is the sum over its layers. Layers that work in place (their kind's ``in_place`` trait: batch norm,
activations, ...; see ``costcalc.analysis.memory``) move no bytes of their own: they are fused into the layer before;
nor do the layers of a params-only branch, which never run. Attention's matrix products (Q·Kᵀ and A·V) are layers
of their own (costcalc.layers.attention_parts), each with its own row here: their Mult-Adds read two
activations (no weights), so their arithmetic intensity is that of the tensors they move, not of a weight.

This is an analytical estimate under stated assumptions, not a measurement: no cache reuse (every layer reads
and writes DRAM), no fusion beyond the in-place layers, no overlap of layers, the peak rate reached by every
layer. Times are exact fractions of a second.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from costcalc.analysis.memory import Memory
from costcalc.devices.profiles import Device
from costcalc.engine.results import Evaluation

ASSUMPTIONS = "analytical roofline estimate, not a measurement: no cache reuse, no fusion, no overlap"


class LayerTime(NamedTuple):
    mult_adds: int  # in Mult-Adds, whatever the report's unit
    bytes_moved: int
    latency_s: Fraction
    bound: str  # "compute" or "memory" ("" for a layer that neither computes nor moves anything)
    intensity: Fraction | None  # Mult-Adds per byte moved (None when nothing moves)


class Roofline(NamedTuple):
    device: Device
    dtype: str
    layers: tuple[LayerTime, ...]
    latency_s: Fraction


def roofline(evaluation: Evaluation, memory_use: Memory, device: Device, batch: int = 1) -> Roofline:
    """``batch``: images at once (``memory_use`` at the same batch): each layer computes ``batch`` times an
    image's Mult-Adds and moves its weights once."""
    peak = device.peak(memory_use.dtype)
    counting = evaluation.convention.in_unit("mult-adds")
    layers = []
    for row, layer in zip(evaluation.layers, memory_use.layers):
        mult_adds = counting.mult_adds_of(row.components) * batch
        moved = 0 if row.layer.in_place or row.idle else layer.input_bytes + layer.activation_bytes + layer.weight_bytes
        compute, transfer = Fraction(mult_adds, peak), Fraction(moved, device.bandwidth_bytes_per_s)
        bound = "" if not (compute or transfer) else "compute" if compute >= transfer else "memory"
        layers.append(LayerTime(mult_adds, moved, max(compute, transfer), bound,
                                Fraction(mult_adds, moved) if moved else None))
    return Roofline(device, memory_use.dtype, tuple(layers), sum((layer.latency_s for layer in layers), Fraction(0)))


# --- device profiles ------------------------------------------------------------------------------------------
