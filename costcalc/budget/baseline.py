"""Baselines: the counts a check compares growth against.

A baseline is the JSON of ``costcalc report --format json`` (one network at one alpha, depth multiplier and
resolution) or of ``costcalc snapshot`` (``{"costcalc_baseline": 1, "reports": [...]}``: every configuration of a
budgets file). Only the keys of the report contract are read, so a baseline written by an older costcalc works:
one without ``depth_multiplier`` was written at 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.budget.config import BudgetError
from costcalc.errors import Diagnostic, Location, quoted

FORMAT_KEY = "costcalc_baseline"


class BaselineReport(NamedTuple):
    name: str
    alpha: Fraction
    resolution: int
    convention: str
    totals: dict[str, int]
    layers: dict[str, dict[str, int]]  # layer name -> {"mult_adds": ..., "params": ...}
    depth_multiplier: Fraction = Fraction(1)
    source: str = ""  # where it comes from, for messages: the baseline file, or the git ref of check --base


def _report(data: Any, path: str, where: str) -> BaselineReport:
    def fail(message: str) -> BudgetError:
        return BudgetError(Diagnostic(Location(path), f"{where}{message}", "E510"))

    if not isinstance(data, dict):
        raise fail("a report must be a JSON object, as `costcalc report --format json` writes")
    for key in ("name", "totals", "layers", "resolution", "convention"):
        if key not in data:
            raise fail(f"missing '{key}': not the JSON of `costcalc report --format json`")
    totals = data["totals"]
    if not isinstance(totals, dict) or not all(type(totals.get(metric)) is int for metric in ("mult_adds", "params")):
        raise fail("'totals' must hold integer 'mult_adds' and 'params'")
    layers: dict[str, dict[str, int]] = {}
    for row in data["layers"] if isinstance(data["layers"], list) else []:
        if isinstance(row, dict) and isinstance(row.get("name"), str):
            layers[row["name"]] = {metric: row[metric] for metric in ("mult_adds", "params")
                                   if type(row.get(metric)) is int}
    from costcalc.quantities import MAX_WHOLE

    resolution = data["resolution"]
    if type(resolution) is not int or not 1 <= resolution <= MAX_WHOLE:
        raise fail(f"'resolution' must be a whole number of pixels, got {quoted(resolution)}")
    for key in ("name", "convention"):
        if not isinstance(data[key], str):
            raise fail(f"'{key}' must be a string, got {quoted(data[key])}")
    alpha = _multiplier_of(data, "alpha", "a width multiplier", fail)
    depth = _multiplier_of(data, "depth_multiplier", "a depth multiplier", fail)  # absent: written at 1
    unit = data.get("unit", "mult-adds")  # reports written before units existed counted Mult-Adds
    if not isinstance(unit, str):
        raise fail(f"'unit' must be a string, got {quoted(unit)}")
    counting = data["convention"] if unit == "mult-adds" else f"{data['convention']} ({unit})"
    return BaselineReport(data["name"], alpha, resolution, counting,
                          {"mult_adds": totals["mult_adds"], "params": totals["params"]}, layers, depth, path)


def _multiplier_of(data: dict[str, Any], name: str, what: str, fail: Callable[[str], BudgetError]) -> Fraction:
    """``NAME_exact`` (else ``NAME``, else 1) of a report, read by costcalc's one number parser."""
    from costcalc.quantities import parse_exact_fraction

    key = f"{name}_exact" if f"{name}_exact" in data else name
    value = data.get(key, 1)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail(f"'{key}' must be {what} like 0.75 or \"3/4\", got {quoted(value)}")
    text = str(value)
    try:  # with its bounds; NAME_exact may be a long n/d, as format_fraction writes
        number = parse_exact_fraction(text)
    except ValueError as error:
        raise fail(f"'{key}' is not {what}: {error}") from None
    if number <= 0:
        raise fail(f"'{key}' is not {what}: {quoted(text)} must be greater than 0")
    return number


def load_baseline(path: str) -> list[BaselineReport]:
    """The reports of a baseline file, read within its limits (``costcalc.source.files``)."""
    import os

    from costcalc.source.files import InputError, parse_json, read_text

    if not os.path.lexists(path):
        raise BudgetError(Diagnostic(Location(path), "no such baseline file (write one with "
                                                     "`costcalc snapshot` or `costcalc report --format json -o FILE`)", "E510"))
    try:
        data = parse_json(read_text(path, "baseline"), path, "E510", "the baseline")
    except InputError as error:
        raise BudgetError(error.diagnostics) from None
    if isinstance(data, dict) and FORMAT_KEY in data:
        reports = data.get("reports")
        if not isinstance(reports, list):
            raise BudgetError(Diagnostic(Location(path), "'reports' must be a list of reports", "E510"))
        return [_report(report, path, f"reports[{index}]: ") for index, report in enumerate(reports)]
    return [_report(data, path, "")]


def find_baseline(reports: list[BaselineReport], name: str, alpha: Fraction, resolution: int,
                  convention: str, depth_multiplier: Fraction = Fraction(1)) -> BaselineReport | None:
    """The baseline of a network: the same configuration if there is one (alpha, depth multiplier and
    resolution), else the same resolution, else the same width, else its first report (so a baseline written
    at alpha 1 measures a change to 1.1)."""
    same_network = [report for report in reports if report.name == name and report.convention == convention]
    matchers: tuple[Callable[[BaselineReport], bool], ...] = (
        lambda report: (report.alpha == alpha and report.resolution == resolution
                        and report.depth_multiplier == depth_multiplier),
        lambda report: report.alpha == alpha and report.resolution == resolution,
        lambda report: report.resolution == resolution,  # a wider or narrower change at this size
        lambda report: report.alpha == alpha)
    for matches in matchers:
        found = next((report for report in same_network if matches(report)), None)
        if found is not None:
            return found
    return same_network[0] if same_network else None


class BaselineSize:
    """The size of a snapshot as it is made, kept within what ``check`` reads back (``costcalc.source.files``:
    the baseline file size and JSON values limits), so that a snapshot never writes a baseline that ``check``
    would refuse, and a budgets file asking for thousands of reports stops early."""

    def __init__(self, path: str):
        self.path = path
        self.size = 100  # the bundle's own keys
        self.values = 10

    def add(self, report: dict[str, Any], location: Location) -> None:
        from costcalc.source.files import LIMITS, MAX_JSON_VALUES, json_values, size_text

        text = json.dumps(report, indent=2, ensure_ascii=False)
        self.size += len(text.encode("utf-8")) + 4 * text.count("\n") + 6  # indented 4 more in the bundle
        self.values += json_values(text) + 1
        if self.size > LIMITS["baseline"] or self.values > MAX_JSON_VALUES:
            raise BudgetError(Diagnostic(location, f"the baseline for {quoted(self.path)} would be larger than "
                                         f"{size_text(LIMITS['baseline'])} or {MAX_JSON_VALUES:,} values, the most "
                                         "`check` reads back; snapshot fewer checks or configurations into one "
                                         "file", "E602"))


def bundle(reports: list[dict[str, Any]]) -> str:
    """The JSON of ``costcalc snapshot``: several reports in one baseline file."""
    from costcalc import __version__

    return json.dumps({FORMAT_KEY: 1, "costcalc_version": __version__, "reports": reports}, indent=2,
                      ensure_ascii=False)
