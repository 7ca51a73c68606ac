"""A calibrated device: a latency model fitted to measurements (``costcalc calibrate``, docs/calibrate.md), as
it is kept in a device file's ``calibration:`` block, and read back from one (untrusted: every value bounded
and located, E543).

The model is a sum of non-negative terms, each a coefficient (seconds per unit) times a count costcalc derives
exactly from the spec:

- ``per_inference``: once per run (framework overhead, the input's copy);
- ``per_layer``: once per layer that runs (a kernel's launch, its loop set-up);
- form ``sum``: ``mult_adds.F`` and ``bytes.F`` for each kind family F (``FAMILIES``): seconds per Mult-Add and
  per byte moved of the layers of that family;
- form ``roofline``: ``roofline.F``: seconds per unit of max(Mult-Adds, balance x bytes moved), layer by layer,
  the roofline's max() with the device's balance (Mult-Adds per byte) fitted from a grid;
- in both, the family ``all`` too: one time per Mult-Add and per byte whatever the kind, to which a family's own
  term adds. Measurements of one network family say little of the kinds it barely has (MobileNet v1 has one
  standard convolution); the pooled term carries what they do say to those kinds, and the fit (which tries the
  pooled term first, costcalc.analysis.nnls) gives a family a term of its own only where the data asks for it.

And, when the fit was given one (``calibrate --channel-block``), the device's channel block: a convolution's
Mult-Adds are counted with its output channels rounded up to whole blocks of that many, as a CPU computes
them in vector registers of that many channels (ONNX Runtime's NCHWc layout: MLAS's ``NchwcBlockSize``, 16
with AVX-512F, 8 with AVX2; a convolution of 24 channels costs what one of 32 does).

With it, the held-out error of the fit (leave-one-out or k-fold: RMSPE, the share within ±10 %, the worst
case), how many measurements it was fitted on and a digest of them: every latency printed with the model
carries that error (docs/calibrate.md).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

FAMILIES = ("conv", "depthwise", "pointwise", "matmul", "attention", "elementwise")
FORMS = ("sum", "roofline")
GROUPS = ("all", *FAMILIES)  # the pooled term, then each family's own


def is_roofline(form: str) -> bool:
    return form == "roofline"
MAX_MEASUREMENTS = 10**6
MAX_CHANNEL_BLOCK = 256


def term_names(form: str) -> tuple[str, ...]:
    """The terms of a model of form ``form``, in the order they are fitted and written."""
    families = GROUPS
    per_family = ([f"roofline.{family}" for family in families] if is_roofline(form) else
                  [f"mult_adds.{family}" for family in families] + [f"bytes.{family}" for family in families])
    return ("per_inference", "per_layer", *per_family)


class HeldOutError(NamedTuple):
    """How well the model predicts measurements it was not fitted on (relative errors, exact)."""

    method: str  # "leave-one-out" or "10-fold"
    rmspe: Fraction  # root mean square of the relative errors, rounded down to 6 decimals
    within_10_percent: int  # how many held-out predictions were within ±10 %
    worst: Fraction  # the largest relative error, signed (a prediction above its measurement is positive)
    total: int  # measurements (each held out once)


class Calibration(NamedTuple):
    form: str  # one of FORMS
    balance: Fraction | None  # Mult-Adds per byte, for the roofline form
    coefficients: dict[str, Fraction]  # term -> seconds per unit (0 for a term the fit did not need)
    dtype: str  # the measurements' (the model is for that data type)
    measurements: int
    digest: str  # sha256 of the measurements, canonical (costcalc.analysis.calibration.digest)
    held_out: HeldOutError
    channel_block: int = 1  # convolutions' output channels counted in whole blocks of this many (1: as they are)


def read_calibration(data: Any, where: Any, problem: Any) -> Calibration | None:
    """The ``calibration:`` mapping of a device file (``data``; ``where`` its location), each problem reported
    through ``problem(location, message)``; None when there were any."""
    from costcalc.quantities import exact_number
    from costcalc.source.positioned import Mapping

    if not isinstance(data, Mapping):
        problem(where, "'calibration' must be a mapping (written by costcalc calibrate)")
        return None
    found = 0
    keys = ("form", "balance", "coefficients", "dtype", "measurements", "digest", "held_out", "channel_block")
    for key in data:
        if key not in keys:
            problem(data.key_at[key], f"unknown key {key!r} in 'calibration'; expected: {', '.join(keys)}")
            found += 1
    for key in keys:
        if key not in data and key not in ("balance", "channel_block"):
            problem(where, f"'calibration' has no '{key}'")
            found += 1
    if found:
        return None

    def number(value: Any, at: Any, what: str, least: Fraction = Fraction(0)) -> Fraction | None:
        try:
            parsed = exact_number(value)
        except ValueError as error:
            problem(at, f"{what}: expected a number ({error})")
            return None
        if parsed < least:
            problem(at, f"{what}: expected a number of at least {least}")
            return None
        return parsed

    form = data["form"]
    if form not in FORMS:
        problem(data.value_at["form"], f"'form' must be one of: {', '.join(FORMS)}")
        return None
    balance = None
    if is_roofline(form):
        balance = number(data.get("balance"), data.value_at.get("balance", where), "'balance'", Fraction(1, 10**6))
    coefficients: dict[str, Fraction] = {}
    raw = data["coefficients"]
    if not isinstance(raw, Mapping):
        problem(data.value_at["coefficients"], "'coefficients' must be a mapping of term to seconds per unit")
        return None
    names = term_names(form)
    for key, value in raw.items():
        if key not in names:
            problem(raw.key_at[key], f"unknown term {key!r} for form {form}; expected: {', '.join(names)}")
            continue
        parsed = number(value, raw.value_at[key], f"'{key}'")
        if parsed is not None:
            coefficients[key] = parsed
    dtype = data["dtype"]
    if dtype not in ("fp32", "fp16", "bf16", "int8"):
        problem(data.value_at["dtype"], "'dtype' must be one of: fp32, fp16, bf16, int8")
    count = data["measurements"]
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_MEASUREMENTS:
        problem(data.value_at["measurements"], f"'measurements' must be a whole number from 1 to {MAX_MEASUREMENTS:,}")
    digest = data["digest"]
    if not isinstance(digest, str) or len(digest) > 100:
        problem(data.value_at["digest"], "'digest' must be a string (sha256:...)")
    block = data.get("channel_block", 1)
    if not isinstance(block, int) or isinstance(block, bool) or not 1 <= block <= MAX_CHANNEL_BLOCK:
        problem(data.value_at["channel_block"], f"'channel_block' must be a whole number from 1 to {MAX_CHANNEL_BLOCK}")
        block = None
    held = data["held_out"]
    error = None
    if not isinstance(held, Mapping) or set(held) != {"method", "rmspe", "within_10_percent", "worst", "count"}:
        problem(data.value_at["held_out"], "'held_out' must be a mapping of method, rmspe, within_10_percent, worst "
                                           "and count")
    else:
        rmspe = number(held["rmspe"], held.value_at["rmspe"], "'rmspe'")
        worst = number(held["worst"], held.value_at["worst"], "'worst'", Fraction(-10**6))
        counts = [held[key] for key in ("within_10_percent", "count")]
        if not all(isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MEASUREMENTS
                   for value in counts) or not isinstance(held["method"], str) or len(held["method"]) > 40:
            problem(data.value_at["held_out"], "'held_out': method is a short string, within_10_percent and count "
                                               f"whole numbers from 0 to {MAX_MEASUREMENTS:,}")
        elif rmspe is not None and worst is not None:
            error = HeldOutError(held["method"], rmspe, counts[0], worst, counts[1])
    if error is None or block is None or (is_roofline(form) and balance is None):
        return None
    return Calibration(form, balance, {name: coefficients.get(name, Fraction(0)) for name in names}, dtype, count,
                       digest, error, block)
