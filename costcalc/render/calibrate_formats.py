"""``costcalc calibrate``'s output: the device file it writes (YAML), and what it prints (a table as text, or
JSON); and the error band every calibrated latency carries (``error_band``), for every command's renderers.
Every string that came from a file (a model's name or path, a device name) is escaped for its sink."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.devices.calibrated import Calibration
from costcalc.render.numbers import duration, percent, rounded


class CalibrateResult(NamedTuple):
    calibration: Calibration
    name: str
    rows: list[tuple[Any, Fraction]]  # (costcalc.analysis.calibration.Observation, fitted latency in seconds)
    output: str | None  # the device file written
    run: Any = None  # costcalc.cli.calibrate_run.RunInfo, for calibrate --run
    validation: list[tuple[Any, Fraction]] | None = None  # --validate: measurements the fit has not seen


def error_band(calibration: Calibration) -> str:
    """``± 2.2 % (held-out RMSPE, 16 measurements)``: what a calibrated latency is printed with, everywhere."""
    held = calibration.held_out
    return f"± {rounded(held.rmspe * 100, 1)} % (held-out RMSPE, {held.total} measurements)"


def latency_label(device: Any) -> str:
    """What a latency on ``device`` is: the roofline's assumptions, or a calibrated model and its error."""
    if device.calibration is None:
        from costcalc.analysis.roofline import ASSUMPTIONS

        return ASSUMPTIONS
    return f"calibrated model {error_band(device.calibration)}"


def with_band(text: str, device: Any) -> str:
    """A latency as printed (``8.103 ms``) with its error band when ``device`` is calibrated."""
    return text if device is None or device.calibration is None else f"{text} {error_band(device.calibration)}"


def band_json(calibration: Calibration) -> dict[str, Any]:
    """The held-out error of a calibrated latency, for JSON: the band's text and its figures."""
    held = calibration.held_out
    return {"text": error_band(calibration), "method": held.method, "rmspe": float(held.rmspe),
            "within_10_percent": held.within_10_percent, "worst": float(held.worst), "measurements": held.total}


def _decimal(value: Fraction) -> str:
    """A coefficient as calibrate rounded it (12 significant digits: a short, exact decimal), in e-notation."""
    if value == 0:
        return "0"
    exponent = 0
    mantissa = value
    while abs(mantissa) >= 10:
        mantissa /= 10
        exponent += 1
    while abs(mantissa) < 1:
        mantissa *= 10
        exponent -= 1
    digits = rounded(mantissa, 11).rstrip("0").rstrip(".")
    return f"{digits}e{exponent}" if exponent else digits


def device_yaml(result: CalibrateResult, source: str) -> str:
    """The calibrated device file: read back by ``--device FILE`` (costcalc.devices.profiles)."""
    from costcalc.render.sinks.json_text import dumps

    calibration = result.calibration
    held = calibration.held_out
    lines = ["# A calibrated device profile written by costcalc calibrate (docs/calibrate.md): a latency model",
             "# fitted to measurements, and its held-out error. Coefficients are seconds per unit.",
             f"name: {dumps(result.name)}",
             f"description: {dumps('calibrated on ' + str(calibration.measurements) + ' measurements')}",
             f"source: {dumps(source)}",
             "calibration:",
             f"  form: {calibration.form}"]
    if calibration.balance is not None:
        lines.append(f"  balance: {dumps(str(calibration.balance))}   # Mult-Adds per byte in max(Mult-Adds, balance x bytes)")
    if calibration.channel_block != 1:
        lines.append(f"  channel_block: {calibration.channel_block}   # convolutions' output channels in whole blocks")
    lines.append("  coefficients:")
    lines += [f"    {name}: {dumps(_decimal(value))}" for name, value in calibration.coefficients.items()]
    lines += [f"  dtype: {calibration.dtype}",
              f"  measurements: {calibration.measurements}",
              f"  digest: {dumps(calibration.digest)}",
              "  held_out:",
              f"    method: {held.method}",
              f"    rmspe: {dumps(_decimal(held.rmspe))}",
              f"    within_10_percent: {held.within_10_percent}",
              f"    worst: {dumps(_decimal(held.worst))}",
              f"    count: {held.total}"]
    return "\n".join(lines) + "\n"


def _point(row: Any) -> list[str]:
    from costcalc.render.sinks.terminal import visible

    measured = row.measurement
    return [visible(measured.model) + (f" {visible(measured.layer)}" if measured.layer else ""),
            "" if measured.alpha is None else rounded(measured.alpha, 3).rstrip("0").rstrip("."),
            "" if measured.resolution is None else str(measured.resolution),
            "" if measured.depth_multiplier is None else rounded(measured.depth_multiplier, 3).rstrip("0").rstrip(".")]


def _rms(errors: list[Fraction]) -> Fraction:
    from costcalc.analysis.calibration import rmspe

    return rmspe(errors) if errors else Fraction(0)


def _rows_table(rows: list[tuple[Any, Fraction]], fitted_name: str) -> list[str]:
    table = [["model", "alpha", "px", "d", "measured", fitted_name, "error"]]
    for row, fitted in rows:
        measured = row.measurement.latency_s
        error = fitted / measured - 1
        table.append(_point(row) + [duration(measured), duration(fitted),
                                    f"{'+' if error > 0 else ''}{percent(error, 1)}"])
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    lines = []
    for index, line in enumerate(table):
        cells = [cell.ljust(widths[0]) if column == 0 else cell.rjust(widths[column])
                 for column, cell in enumerate(line)]
        lines.append(" " + "  ".join(cells).rstrip())
        if index == 0:
            lines.append(" " + "─" * (sum(widths) + 2 * (len(widths) - 1)))
    return lines


def to_table(result: CalibrateResult) -> str:
    from costcalc.render.sinks.terminal import visible

    calibration = result.calibration
    held = calibration.held_out
    form = {"sum": "a sum of terms", "roofline": "the roofline's max() per layer"}[calibration.form]
    if calibration.balance is not None:
        form += f", balance {calibration.balance} Mult-Adds/byte"
    lines = [f"Calibrated {visible(result.name)} ({calibration.dtype}) on {calibration.measurements} measurements "
             f"({calibration.digest[:19]}…): {form}",
             f"Held-out error ({held.method}): RMSPE {percent(held.rmspe, 1)}, {held.within_10_percent} of "
             f"{held.total} within ±10 %, worst {'+' if held.worst > 0 else ''}{percent(held.worst, 1)}", ""]
    if result.run is not None:
        lines += [f"Measured with {visible(result.run.runtime)}: {result.run.threads} threads, {result.run.warmup} "
                  f"warm-up and {result.run.repeats} timed runs each, the median kept, {result.run.clock} clock", ""]
    lines += _rows_table(result.rows, "fitted")
    lines += ["", "(fitted: the model fitted on every measurement; the held-out error predicts each from the others)",
              "", "Coefficients (seconds per unit; 0: a term these measurements do not need)"]
    lines += [f"  {name:<22} {_decimal(value)}" for name, value in calibration.coefficients.items()]
    if result.validation is not None:
        errors = [fitted / row.measurement.latency_s - 1 for row, fitted in result.validation]
        within = sum(1 for error in errors if abs(error) <= Fraction(1, 10))
        lines += ["", f"Validation: {len(errors)} measurements the fit has not seen, {within} within ±10 %, RMSPE "
                      f"{percent(_rms(errors), 1)}", ""]
        lines += _rows_table(result.validation, "predicted")
    if result.output is not None:
        lines += ["", f"Wrote {visible(result.output)}: use it with --device {visible(result.output)}"]
    return "\n".join(lines)


def _row_json(row: Any, fitted: Fraction) -> dict[str, Any]:
    from costcalc.render.json_fields import exact

    measured = row.measurement
    return {"model": measured.model, "layer": measured.layer,
            "alpha": None if measured.alpha is None else float(measured.alpha),
            "resolution": measured.resolution,
            "depth_multiplier": None if measured.depth_multiplier is None else float(measured.depth_multiplier),
            "measured_s": float(measured.latency_s), "measured_s_exact": exact(measured.latency_s),
            "predicted_s": float(fitted), "predicted_s_exact": exact(fitted),
            "error": float(fitted / measured.latency_s - 1)}


def to_json(result: CalibrateResult) -> str:
    from costcalc.render.sinks.json_text import dumps

    calibration = result.calibration
    data: dict[str, Any] = {
        "name": result.name, "dtype": calibration.dtype, "form": calibration.form,
        "balance": None if calibration.balance is None else float(calibration.balance),
        "coefficients": {name: _decimal(value) for name, value in calibration.coefficients.items()},
        "measurements": calibration.measurements, "digest": calibration.digest,
        "channel_block": calibration.channel_block, "held_out": band_json(calibration), "output": result.output,
        "rows": [_row_json(row, fitted) for row, fitted in result.rows],
    }
    if result.validation is not None:
        data["validation"] = [_row_json(row, fitted) for row, fitted in result.validation]
    if result.run is not None:
        data["run"] = result.run._asdict()
    return dumps(data)
