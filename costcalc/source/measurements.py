"""Reading a measurements file: the latencies ``costcalc calibrate`` fits a device model to (docs/calibrate.md).

A CSV (untrusted input): lines starting with ``#`` are comments (a file's source goes there), the first other
line is the header, each further line one measurement. Columns, in any order:

- ``model`` (required): a bundled spec's name, a spec file or an ONNX file, as SPEC is written on the command line;
- ``latency_ms`` (milliseconds, a number) or ``latency`` (a duration: ``8.1ms``, ``0.0081s``): one of them;
- ``alpha``, ``resolution`` (pixels), ``depth_multiplier``: the design point (empty: the spec's or variant's);
- ``dtype`` (fp32, fp16, bf16, int8; default fp32), ``batch`` (default 1);
- ``layer``: a layer's name, for a measurement of that one layer instead of the whole network.

Every number goes through costcalc's one exact parser (``costcalc.quantities``); the file, its rows, cells and
the batch are bounded, and every problem is reported at its line and column (E540, E541), all of them at once.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from typing import NamedTuple

from costcalc.errors import CostcalcError, Diagnostic, Location, did_you_mean, quoted
from costcalc.source.problems import Problems

MAX_ROWS = 2_000  # measurements in one file: each is an evaluation and a row of the fit
MAX_CELL = 1_000  # characters in one cell (a path is the longest)
MAX_BATCH = 4_096
COLUMNS = ("model", "latency_ms", "latency", "alpha", "resolution", "depth_multiplier", "dtype", "batch", "layer")
DTYPES = ("fp32", "fp16", "bf16", "int8")  # costcalc.devices.DTYPES (a later stage)


class MeasurementsError(CostcalcError):
    """A measurements file that cannot be read as measurements."""


class Measurement(NamedTuple):
    """One latency measured: of a model at a design point, or of one of its layers."""

    model: str
    alpha: Fraction | None
    resolution: int | None
    depth_multiplier: Fraction | None
    dtype: str
    batch: int
    layer: str | None
    latency_s: Fraction
    location: Location  # the row, for messages about it


def read_measurements(path: str) -> list[Measurement]:
    from costcalc.source.files import read_text

    return parse_measurements(read_text(path, "measurements"), path)


def parse_measurements(text: str, path: str) -> list[Measurement]:
    problems = Problems(MeasurementsError)
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise MeasurementsError(Diagnostic(Location(path, 1, 1), "no header: a measurements file is a CSV whose "
                                           "first line names its columns (model, latency_ms, ...)", "E540"))
    if len(lines) - 1 > MAX_ROWS:
        number = lines[MAX_ROWS + 1][0]
        raise MeasurementsError(Diagnostic(Location(path, number, 1), f"more than {MAX_ROWS:,} measurements, the "
                                           "most costcalc fits at once", "E540"))
    rows = list(csv.reader([line for _number, line in lines], strict=False))
    header_line = lines[0][0]
    header = [cell.strip() for cell in rows[0]]
    for index, name in enumerate(header):
        if name not in COLUMNS:
            problems.add(Location(path, header_line, _column(rows[0], index)), f"unknown column {quoted(name[:40])}"
                         f"{did_you_mean(name, COLUMNS)}; expected: {', '.join(COLUMNS)}", "E540")
        elif header.index(name) != index:
            problems.add(Location(path, header_line, _column(rows[0], index)), f"column {quoted(name)} twice", "E540")
    if "model" not in header:
        problems.add(Location(path, header_line, 1), "no 'model' column", "E540")
    if ("latency_ms" in header) == ("latency" in header):
        problems.add(Location(path, header_line, 1), "give one latency column: 'latency_ms' (milliseconds) or "
                                                     "'latency' (a duration: 8.1ms)", "E540")
    if problems.found:
        raise MeasurementsError(problems.sorted())
    found = []
    for (number, _line), cells in zip(lines[1:], rows[1:]):
        if len(cells) != len(header):
            problems.add(Location(path, number, 1), f"{len(cells)} cells, but the header names {len(header)} columns",
                         "E540")
            continue
        measurement = _row(dict(zip(header, cells)), cells, header, Location(path, number, 1), problems)
        if measurement is not None:
            found.append(measurement)
    if problems.found:
        raise MeasurementsError(problems.sorted())
    return found


def _column(cells: list[str], index: int) -> int:
    """The 1-based column where cell ``index`` starts (exact for cells without quotes)."""
    return 1 + sum(len(cell) + 1 for cell in cells[:index])


def _row(values: dict[str, str], cells: list[str], header: list[str], where: Location,
         problems: Problems) -> Measurement | None:
    from costcalc.quantities import parse_duration, parse_multiplier, parse_number, parse_resolution, parse_whole

    before = len(problems.found)

    def at(column: str) -> Location:
        return where._replace(column=_column(cells, header.index(column)))

    def read(column: str, parse, what: str):  # type: ignore[no-untyped-def]
        text = values.get(column, "").strip()
        if not text:
            return None
        if len(text) > MAX_CELL:
            problems.add(at(column), f"'{column}' is longer than {MAX_CELL:,} characters", "E541")
            return None
        try:
            return parse(text)
        except ValueError as error:
            problems.add(at(column), f"'{column}': {what}: {error}", "E541")
            return None

    model = values.get("model", "").strip()
    if not model:
        problems.add(at("model"), "'model' is empty: a bundled spec's name, a spec file or an ONNX file", "E541")
    elif len(model) > MAX_CELL:
        problems.add(at("model"), f"'model' is longer than {MAX_CELL:,} characters", "E541")
    if "latency_ms" in header:
        milliseconds = read("latency_ms", parse_number, "expected milliseconds above 0")
        latency = None if milliseconds is None else milliseconds / 1000
        column = "latency_ms"
    else:
        latency = read("latency", parse_duration, "expected a duration")
        column = "latency"
    if latency is None or latency <= 0:
        if len(problems.found) == before:
            problems.add(at(column), f"'{column}': expected a latency above 0", "E541")
    dtype = values.get("dtype", "").strip() or "fp32"
    if dtype not in DTYPES:
        problems.add(at("dtype"), f"unknown dtype {quoted(dtype[:40])}{did_you_mean(dtype, DTYPES)}; expected one "
                                  f"of: {', '.join(DTYPES)}", "E541")
    alpha = read("alpha", parse_multiplier, "expected a width multiplier")
    resolution = read("resolution", parse_resolution, "expected pixels")
    depth = read("depth_multiplier", parse_multiplier, "expected a depth multiplier")
    batch = read("batch", lambda text: parse_whole(text, 1), "expected a whole number")
    if batch is not None and batch > MAX_BATCH:
        problems.add(at("batch"), f"'batch' is more than {MAX_BATCH:,}", "E541")
    layer = values.get("layer", "").strip() or None
    if layer is not None and len(layer) > MAX_CELL:
        problems.add(at("layer"), f"'layer' is longer than {MAX_CELL:,} characters", "E541")
    if len(problems.found) > before:
        return None
    return Measurement(model, alpha, resolution, depth, dtype, batch or 1, layer, latency, where)  # type: ignore[arg-type]
