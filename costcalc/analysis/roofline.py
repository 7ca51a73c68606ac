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

A calibrated device (``costcalc calibrate``, costcalc.devices.calibrated) replaces the estimate with its fitted
model, through the same function, so that report, sweep, solve and check all use it: each layer's time is its
terms (its share of the per-layer overhead, its family's time per Mult-Add and per byte, or the fitted
roofline max()), the network's adds the per-inference overhead, and ``bound`` says which of the layer's terms
dominates. Its renderers print the model's held-out error beside every such latency.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

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
    overhead_s: Fraction = Fraction(0)  # a calibrated model's per-inference term, in latency_s but in no layer

    @property
    def calibration(self) -> Any:
        """The device's fitted model (costcalc.devices.calibrated.Calibration), or None: a roofline estimate."""
        return self.device.calibration


def roofline(evaluation: Evaluation, memory_use: Memory, device: Device, batch: int = 1) -> Roofline:
    """``batch``: images at once (``memory_use`` at the same batch): each layer computes ``batch`` times an
    image's Mult-Adds and moves its weights once."""
    if device.calibration is not None:
        return calibrated(evaluation, memory_use, device, batch)
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


def calibrated(evaluation: Evaluation, memory_use: Memory, device: Device, batch: int = 1) -> Roofline:
    """The latency a calibrated device's model predicts (docs/calibrate.md), layer by layer; at ``batch`` images
    (``memory_use`` at that batch already moves ``batch`` times the activations), ``batch`` times the Mult-Adds."""
    from costcalc.analysis.latency_terms import layer_terms, layer_time
    from costcalc.devices.profiles import DeviceError
    from costcalc.errors import Diagnostic, Location

    calibration = device.calibration
    if memory_use.dtype != calibration.dtype:
        raise DeviceError(Diagnostic(Location(device.where or device.name), f"the device is calibrated for "
                                     f"{calibration.dtype} only, not {memory_use.dtype}: calibrate it on "
                                     f"{memory_use.dtype} measurements", "E532"))
    layers = []
    for terms in layer_terms(evaluation, memory_use, calibration.channel_block, batch):
        terms = terms._replace(mult_adds=terms.mult_adds * batch)
        time, bound = layer_time(terms, calibration)
        moved = terms.bytes_moved()
        layers.append(LayerTime(terms.mult_adds, moved, time, bound,
                                Fraction(terms.mult_adds, moved) if moved else None))
    overhead = calibration.coefficients["per_inference"]
    return Roofline(device, memory_use.dtype, tuple(layers),
                    overhead + sum((layer.latency_s for layer in layers), Fraction(0)), overhead)
