"""What a calibrated latency model is fitted on and predicts from: each layer's kind family, its Mult-Adds and
the bytes it moves, exact, and the model's terms summed over a network (docs/calibrate.md).

- **Family**, from the facts a kind reports (never its class): a layer seen as a convolution (``conv_view()``)
  is ``depthwise`` (one group per channel), ``pointwise`` (1x1, one group) or ``conv``; otherwise a layer whose
  cost components include attention's products (``weight_macs.qk``, ``weight_macs.av``) is ``attention``, one
  with other weight multiply-accumulates (fully connected, Linear on tokens) is ``matmul``, and every other
  layer that moves bytes (pooling, adds, a softmax, a norm that is not fused) is ``elementwise``.
- **Mult-Adds**: the layer's weight multiply-accumulates (``weight_macs`` and its qualified children), whatever
  the report's convention counts: a device spends its time on them whichever convention a report uses.
- **Bytes moved**: as the roofline counts them (costcalc.analysis.roofline): inputs + output + weights; 0 for
  an in-place layer or one that never runs. A batch of B scales the activations, not the weights.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from costcalc.analysis.memory import Memory
from costcalc.devices.calibrated import Calibration, is_roofline, term_names
from costcalc.engine.results import Evaluation, LayerCost


class LayerTerms(NamedTuple):
    family: str
    mult_adds: int
    activation_bytes: int  # inputs read + output written
    weight_bytes: int
    runs: bool  # it moves or computes something (an in-place or params-only layer does not)

    def bytes_moved(self, batch: int = 1) -> int:
        return self.activation_bytes * batch + self.weight_bytes


def family_of(row: LayerCost) -> str:
    view = row.layer.conv_view()
    if view is not None:
        if view.depthwise:
            return "depthwise"
        return "pointwise" if view.kernel == (1, 1) and view.groups == 1 else "conv"
    names = [name for name, amount in row.components.items() if amount and name.startswith("weight_macs")]
    if any(name.startswith(("weight_macs.qk", "weight_macs.av")) for name in names):
        return "attention"
    return "matmul" if names else "elementwise"


def _macs(row: LayerCost) -> int:
    return sum(amount for name, amount in row.components.items()
               if name == "weight_macs" or name.startswith("weight_macs."))


def layer_terms(evaluation: Evaluation, memory_use: Memory) -> list[LayerTerms]:
    terms = []
    for row, layer in zip(evaluation.layers, memory_use.layers):
        idle = row.layer.in_place or row.idle
        macs = 0 if row.idle else _macs(row)
        activations = 0 if idle else layer.input_bytes + layer.activation_bytes
        weights = 0 if idle else layer.weight_bytes
        terms.append(LayerTerms(family_of(row), macs, activations, weights, bool(macs or activations or weights)))
    return terms


def features(layers: list[LayerTerms], form: str, balance: Fraction | None, batch: int = 1,
             whole_network: bool = True) -> list[Fraction]:
    """The counts the model's terms multiply (``term_names(form)``'s order), summed over ``layers``: a network
    (``whole_network``: the per-inference term counts once) or one layer of it measured alone."""
    values = dict.fromkeys(term_names(form), Fraction(0))
    values["per_inference"] = Fraction(1 if whole_network else 0)
    for layer in layers:
        if not layer.runs:
            continue
        values["per_layer"] += 1
        moved = layer.bytes_moved(batch)
        for family in ("all", layer.family):  # the pooled term and the family's own
            if is_roofline(form):
                values[f"roofline.{family}"] += max(Fraction(layer.mult_adds * batch), (balance or 0) * moved)
            else:
                values[f"mult_adds.{family}"] += layer.mult_adds * batch
                values[f"bytes.{family}"] += moved
    return list(values.values())


def layer_time(layer: LayerTerms, calibration: Calibration, batch: int = 1) -> tuple[Fraction, str]:
    """A layer's predicted time (its share of per-layer overhead included) and what dominates it: ``compute``
    (its Mult-Adds term) or ``memory`` (its bytes term); ("" for a layer that does not run)."""
    if not layer.runs:
        return Fraction(0), ""
    values = features([layer], calibration.form, calibration.balance, batch, whole_network=False)
    time = sum((calibration.coefficients[name] * value for name, value in zip(term_names(calibration.form), values)),
               Fraction(0))
    moved = layer.bytes_moved(batch)
    compute: Fraction
    memory: Fraction
    if not is_roofline(calibration.form):
        coefficient = calibration.coefficients
        compute = (coefficient["mult_adds.all"] + coefficient[f"mult_adds.{layer.family}"]) * layer.mult_adds * batch
        memory = (coefficient["bytes.all"] + coefficient[f"bytes.{layer.family}"]) * moved
    else:
        compute, memory = Fraction(layer.mult_adds * batch), Fraction(calibration.balance or 0) * moved
    return time, "compute" if compute >= memory and layer.mult_adds else "memory"
