"""Fitting a device's latency model to measurements (``costcalc calibrate``, docs/calibrate.md).

Each measurement becomes a row of the model's terms (costcalc.analysis.latency_terms: per inference, per
layer, and pooled (``all``) and per kind family either Mult-Adds and bytes moved, form ``sum``, or the
roofline's max(Mult-Adds, balance x bytes), form ``roofline``), and the fit minimises the relative errors,
sum((predicted - measured) / measured)², plus a light ridge penalty on the families' own terms
(``_penalised``), with every coefficient >= 0 (exact NNLS, costcalc.analysis.nnls): a model whose every term
reads "this much time per unit of that", and the same coefficients for the same measurements, in any order,
on any machine.

Which form (and which balance, from ``BALANCES``) is kept is decided by the held-out error: each measurement is
predicted by a fit on the others (leave-one-out, or 10 folds beyond ``LEAVE_ONE_OUT_UP_TO`` measurements) and
the form with the smallest root-mean-square relative error (RMSPE) wins, the first listed on a tie. That error
is the one written in the device file and printed beside every latency the model predicts. (Choosing among
the forms on the same held-out errors makes it a little optimistic; docs/calibrate.md says so.)
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.analysis.latency_terms import LayerTerms, features, layer_terms
from costcalc.analysis.nnls import nnls, normal_equations
from costcalc.devices.calibrated import Calibration, HeldOutError, term_names
from costcalc.errors import CostcalcError, Diagnostic, Location, quoted
from costcalc.source.measurements import Measurement

BALANCES = (Fraction(1), Fraction(2), Fraction(4), Fraction(8), Fraction(16), Fraction(32), Fraction(64))
LEAVE_ONE_OUT_UP_TO = 100
FOLDS = 10
MIN_MEASUREMENTS = 4
MAX_POINTS = 500  # distinct networks and design points evaluated for one fit
PENALTY = Fraction(1, 100)  # of each family's own terms (_penalised)
SIGNIFICANT_DIGITS = 12  # of a coefficient as written in a device file


class CalibrationError(CostcalcError):
    """Measurements that cannot be fitted."""


class Observation(NamedTuple):
    """A measurement, with the exact terms of what it measured."""

    measurement: Measurement
    layers: list[LayerTerms]
    whole_network: bool
    mult_adds: int  # of what it measured, for the table


def observe(measurements: list[Measurement], channel_block: int = 1) -> list[Observation]:
    """Evaluate what each measurement measured (each network and design point once), convolutions' output
    channels in whole blocks of ``channel_block`` (costcalc.analysis.latency_terms.padded)."""
    from costcalc.analysis.memory import memory
    from costcalc.engine.exact import evaluate
    from costcalc.spec.loading import load_network, variant_point

    networks: dict[tuple[str, Fraction | None], Any] = {}
    points: dict[tuple[Any, ...], tuple[list[LayerTerms], Any]] = {}
    found = []
    for measured in measurements:
        key = (measured.model, measured.alpha, measured.resolution, measured.depth_multiplier, measured.dtype)
        if key not in points:
            if len(points) >= MAX_POINTS:
                raise CalibrationError(Diagnostic(measured.location, f"more than {MAX_POINTS} distinct models and "
                                                  "design points, the most costcalc evaluates for one fit", "E540"))
            network_key = (measured.model, measured.depth_multiplier)
            if network_key not in networks:
                networks[network_key] = load_network(measured.model, measured.depth_multiplier)
            network = networks[network_key]
            alpha, rho = variant_point(network.spec, measured.alpha, None, measured.resolution)
            evaluation = evaluate(network, alpha, rho)
            points[key] = (layer_terms(evaluation, memory(evaluation, measured.dtype), channel_block), evaluation)
        layers, evaluation = points[key]
        if measured.layer is None:
            found.append(Observation(measured, layers, True, sum(layer.mult_adds for layer in layers)))
            continue
        names = [row.name for row in evaluation.layers]
        if measured.layer not in names:
            raise CalibrationError(Diagnostic(measured.location, f"{measured.model} has no layer "
                                              f"{quoted(measured.layer[:80])}", "E541"))
        chosen = layers[names.index(measured.layer)]
        found.append(Observation(measured, [chosen], False, chosen.mult_adds))
    return found


def digest(measurements: list[Measurement]) -> str:
    """sha256 of the measurements, each as one canonical line, sorted: the same data in any order."""
    lines = sorted("|".join(str(value) for value in (m.model, m.alpha, m.resolution, m.depth_multiplier, m.dtype,
                                                      m.batch, m.layer, m.latency_s)) for m in measurements)
    return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _rows(observations: list[Observation], form: str, balance: Fraction | None) -> list[list[Fraction]]:
    """The weighted rows: each measurement's terms divided by its latency (so the fit weighs relative errors)."""
    return [[value / seen.measurement.latency_s for value in
             features(seen.layers, form, balance, seen.measurement.batch, seen.whole_network)]
            for seen in observations]


def _folds(count: int) -> list[list[int]]:
    if count <= LEAVE_ONE_OUT_UP_TO:
        return [[index] for index in range(count)]
    return [list(range(fold, count, FOLDS)) for fold in range(FOLDS)]


def _used(rows: list[list[Fraction]]) -> list[int]:
    """The columns some measurement has (a family none of them has gets no coefficient: 0)."""
    return [j for j in range(len(rows[0])) if any(row[j] for row in rows)] if rows else []


def _solve(rows: list[list[Fraction]], names: tuple[str, ...]) -> list[Fraction]:
    """The penalised NNLS coefficients of every term (0 for the columns no row has)."""
    used = _used(rows)
    solved = nnls(*_penalised([[row[j] for j in used] for row in rows], tuple(names[j] for j in used)))
    coefficients = [Fraction(0)] * len(names)
    for j, value in zip(used, solved):
        coefficients[j] = value
    return coefficients


def _penalised(rows: list[list[Fraction]], names: tuple[str, ...]) -> tuple[list[list[Fraction]], list[Fraction]]:
    """The normal equations with a small ridge penalty on each family's own terms, none on the pooled ones and
    the overheads: PENALTY x (the term's contribution, per row on average)² is added for each, so a family gets
    a coefficient of its own only where it lowers the error by more than that. Without it the fit is not
    unique (the pooled term is the sum of the families'), and the exact NNLS would as soon explain MobileNet's
    time by its pointwise layers alone as by every Mult-Add, and predict a ResNet's 3x3 convolutions as free."""
    gram, moment = normal_equations(rows, [Fraction(1)] * len(rows))
    for j, name in enumerate(names):
        if "." in name and not name.endswith(".all"):
            scale = sum((abs(row[j]) for row in rows), Fraction(0)) / len(rows)
            gram[j][j] += PENALTY * len(rows) * scale * scale
    return gram, moment


def _held_out(rows: list[list[Fraction]], names: tuple[str, ...]) -> list[Fraction]:
    """Each row's relative error when predicted by a fit on the other folds (exact)."""
    used = _used(rows)
    rows = [[row[j] for j in used] for row in rows]
    gram, moment = _penalised(rows, tuple(names[j] for j in used))
    errors: list[Fraction] = [Fraction(0)] * len(rows)
    for fold in _folds(len(rows)):
        fold_gram = [list(line) for line in gram]
        fold_moment = list(moment)
        for index in fold:
            row = rows[index]
            for i, value in enumerate(row):
                if value:
                    fold_moment[i] -= value
                    for j, other in enumerate(row):
                        fold_gram[i][j] -= value * other
        coefficients = nnls(fold_gram, fold_moment)
        for index in fold:
            errors[index] = sum((a * c for a, c in zip(rows[index], coefficients)), Fraction(0)) - 1
    return errors


def rmspe(errors: list[Fraction]) -> Fraction:
    """The root mean square of ``errors``, rounded down to 6 decimals (exact integer square root)."""
    mean = sum((error * error for error in errors), Fraction(0)) / len(errors)
    return Fraction(math.isqrt(math.floor(mean * 10**12)), 10**6)


def summary(errors: list[Fraction], method: str) -> HeldOutError:
    worst = max(errors, key=lambda error: (abs(error), error))
    return HeldOutError(method, rmspe(errors), sum(1 for error in errors if abs(error) <= Fraction(1, 10)),
                        _rounded(worst, 6), len(errors))


def _rounded(value: Fraction, digits: int) -> Fraction:
    """``value`` to ``digits`` significant digits (half away from zero), exactly: a short decimal."""
    if value == 0:
        return value
    exponent = math.floor(math.log10(abs(value)))  # a float only picks the scale; the rounding is exact
    scale = Fraction(10) ** (digits - 1 - exponent)
    scaled = abs(value) * scale
    if scaled >= 10**digits:
        scale /= 10
        scaled = abs(value) * scale
    whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(whole if value > 0 else -whole) / scale


def candidates() -> list[tuple[str, Fraction | None]]:
    """The forms tried (the first wins a tie)."""
    return [("sum", None)] + [("roofline", balance) for balance in BALANCES]


def calibrate(measurements: list[Measurement], channel_block: int = 1) -> Calibration:
    """The model of the form with the smallest held-out RMSPE, fitted on every measurement (at the device's
    ``channel_block``, which the caller knows: the fit does not choose it)."""
    if len(measurements) < MIN_MEASUREMENTS:
        where = measurements[-1].location if measurements else Location("")
        raise CalibrationError(Diagnostic(where._replace(line=0, column=0), f"{len(measurements)} measurements: "
                                          f"a fit needs at least {MIN_MEASUREMENTS}", "E542"))
    dtypes = sorted({m.dtype for m in measurements})
    if len(dtypes) > 1:
        raise CalibrationError(Diagnostic(measurements[0].location._replace(line=0, column=0), "measurements of "
                                          f"several dtypes ({', '.join(dtypes)}): fit one device file per dtype",
                                          "E542"))
    ordered = sorted(measurements, key=lambda m: digest([m]))  # folds that do not depend on the file's order
    seen = observe(ordered, channel_block)
    method = "leave-one-out" if len(seen) <= LEAVE_ONE_OUT_UP_TO else f"{FOLDS}-fold"
    best: tuple[Fraction, str, Fraction | None, list[Fraction]] | None = None
    for form, balance in candidates():
        rows = _rows(seen, form, balance)
        errors = _held_out(rows, term_names(form))
        score = rmspe(errors)
        if best is None or score < best[0]:
            best = (score, form, balance, errors)
    assert best is not None
    _score, form, balance, errors = best
    rows = _rows(seen, form, balance)
    coefficients = _solve(rows, term_names(form))
    if not any(coefficients):
        raise CalibrationError(Diagnostic(Location(""), "no term of the model explains these measurements", "E542"))
    named = {name: _rounded(value, SIGNIFICANT_DIGITS) for name, value in zip(term_names(form), coefficients)}
    return Calibration(form, balance, named, dtypes[0], len(seen), digest(measurements), summary(errors, method),
                       channel_block)


def predict(observation: Observation, calibration: Calibration) -> Fraction:
    """The latency the model gives for what a measurement measured, in seconds."""
    values = features(observation.layers, calibration.form, calibration.balance, observation.measurement.batch,
                      observation.whole_network)
    return sum((calibration.coefficients[name] * value for name, value in zip(term_names(calibration.form), values)),
               Fraction(0))
