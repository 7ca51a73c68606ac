"""The budgets file: which specs to check, at which widths and resolutions, against which limits.

``costcalc.yaml`` (or ``[tool.costcalc]`` in ``pyproject.toml``)::

    baseline: costcalc-baseline.json      # optional: what `check` compares growth against
    checks:
      - spec: mobilenet_v1                # a spec file (relative to this file) or a bundled spec's name
        alpha: [1, 0.75]                  # one value or a list; with resolution, every combination
        resolution: 224
        convention: paper
        max_mult_adds: 600M               # absolute limits: 600M, 4.2M, 600000000
        max_params: 5M
        max_increase: 1%                  # growth allowed against the baseline
        min_delta: 1000                   # changes smaller than this are never growth
        message: the phone budget         # shown with every failure of this check

Every problem is reported at its line and column, all at once, like spec errors.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import CostcalcError, Diagnostic, Location, closest, did_you_mean
from costcalc.spec.yaml_source import Mapping, Sequence, read_yaml

DEFAULT_FILES = ("costcalc.yaml", "pyproject.toml")
CHECK_KEYS = ("spec", "alpha", "resolution", "convention", "max_mult_adds", "max_params", "max_increase",
              "min_delta", "max_latency", "max_peak_memory", "device", "dtype", "message")
TOP_KEYS = ("checks", "baseline")
METRICS = ("mult_adds", "params")
MAX_CONFIGURATIONS = 1_000  # alphas x resolutions of one check: each is a whole evaluation (docs/budgets.md)


class BudgetError(CostcalcError):
    """The budgets file (or a budget option) cannot be read or is invalid."""


class Configuration(NamedTuple):
    alpha: Fraction
    resolution: int | None  # None: the spec's own input size


class CheckSpec(NamedTuple):
    """One check of the budgets file (or of the command line)."""

    spec: str  # the path to load, or a bundled spec's name
    label: str  # as written by the user
    configurations: tuple[Configuration, ...]
    convention: str
    limits: dict[str, int | None]  # metric -> absolute limit
    max_increase: Fraction | None  # growth allowed against the baseline, as a fraction (1% = 1/100)
    min_delta: int
    message: str
    location: Location  # the check's entry (or the spec, for checks from the command line)
    limit_at: dict[str, Location]  # metric (or "increase") -> where its limit is written
    max_latency: Fraction | None = None  # seconds, on ``device`` (a roofline estimate)
    max_peak_memory: int | None = None  # bytes of activations alive at once
    device: str | None = None  # a device's name or file (relative to the budgets file)
    dtype: str = "fp32"


class BudgetConfig(NamedTuple):
    path: str
    checks: tuple[CheckSpec, ...]
    baseline: str | None


def parse_percent(value: Any) -> Fraction:
    """``1%``, ``0.5%``, ``1`` (a number is a percentage) -> the fraction 1/100, 1/200, 1/100. The number goes
    through costcalc's one number parser (``costcalc.quantities``), with its bounds."""
    from costcalc.quantities import NotANumber, exact_number, parse_number, short

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a percentage like 1% or 0.5%, got {value!r}")
    try:
        percent = parse_number(value.strip().removesuffix("%")) if isinstance(value, str) else exact_number(value)
    except NotANumber:
        raise ValueError(f"expected a percentage like 1% or 0.5%, got {short(repr(value))}") from None
    if percent < 0:
        raise ValueError(f"a growth limit cannot be negative, got {short(repr(value))}")
    return percent / 100


def _count(value: Any) -> int:
    from costcalc.quantities import exact_number, parse_count, shown_integer

    if isinstance(value, bool):
        raise ValueError(f"expected a count like 600M or 4200000, got {str(value).lower()}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a count cannot be negative, got {shown_integer(value)}")
        return int(exact_number(value))  # bounded like any number
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a count like 600M or 4200000, got {value!r}")
    return parse_count(value)


def _multiplier(value: Any) -> Fraction:
    from costcalc.quantities import exact_number, parse_multiplier, short

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a width multiplier like 0.75 or 3/4, got {short(repr(value))}")
    if isinstance(value, int):
        exact_number(value)  # bounded like any number, before it becomes text
    return parse_multiplier(repr(value) if isinstance(value, float) else str(value))


def _text_of(parse: Any) -> Any:
    """A parser of text (20ms, 4MB) that also takes a YAML number written without a unit (4000000 bytes)."""
    def parse_value(value: Any) -> Any:
        from costcalc.quantities import exact_number, short

        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"expected a value like 20ms or 4MB, got {short(repr(value))}")
        if isinstance(value, int):
            exact_number(value)  # bounded like any number, before it becomes text
        return parse(str(value))

    return parse_value


def _resolution(value: Any) -> int:
    from costcalc.quantities import MAX_WHOLE, short, shown_integer

    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        shown = shown_integer(value) if isinstance(value, int) and not isinstance(value, bool) else short(repr(value))
        raise ValueError(f"expected a resolution in pixels (a whole number of at least 1), got {shown}")
    if value > MAX_WHOLE:
        raise ValueError(f"expected a resolution of at most {MAX_WHOLE:,} pixels, got {shown_integer(value)}")
    return value


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Diagnostic] = []

    def error(self, location: Location, message: str, code: str) -> None:
        self.problems.append(Diagnostic(location, message, code))

    def value(self, mapping: Mapping, key: str, parse: Any, what: str) -> Any:
        try:
            return parse(mapping[key])
        except ValueError as error:
            self.error(mapping.value_at[key], f"{what}'{key}': {error}", "E501")
            return None

    def values(self, mapping: Mapping, key: str, parse: Any, what: str) -> list[Any]:
        raw = mapping[key]
        if not isinstance(raw, Sequence):
            one = self.value(mapping, key, parse, what)
            return [] if one is None else [one]
        found = []
        for item, location in zip(raw, raw.item_at):
            try:
                found.append(parse(item))
            except ValueError as error:
                self.error(location, f"{what}'{key}': {error}", "E501")
        if not raw:
            self.error(mapping.value_at[key], f"{what}'{key}': the list is empty", "E501")
        return found

    def unknown(self, mapping: Mapping, allowed: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                match = closest(key, allowed)
                hint = f" (did you mean '{match}'?)" if match else ""
                self.error(mapping.key_at[key], f"{what}unknown key '{key}'{hint}; expected one of: {', '.join(allowed)}", "E500")

    def check(self, entry: Any, location: Location, index: int) -> CheckSpec | None:
        from costcalc.conventions import CONVENTIONS

        if not isinstance(entry, Mapping):
            self.error(location, f"checks[{index}]: a check is a mapping with 'spec' and limits, like "
                                 "{spec: mobilenet_v1, max_mult_adds: 600M}", "E502")
            return None
        label = entry.get("spec") if isinstance(entry.get("spec"), str) else f"checks[{index}]"
        what = f"check '{label}': "
        before = len(self.problems)
        self.unknown(entry, CHECK_KEYS, what)
        if "spec" not in entry:
            self.error(entry.location, f"checks[{index}]: missing 'spec' (a spec file or a bundled spec's name)", "E502")
        elif not isinstance(entry["spec"], str) or not entry["spec"]:
            self.error(entry.value_at["spec"], f"{what}'spec' must be a file name or a bundled spec's name", "E501")
        alphas = self.values(entry, "alpha", _multiplier, what) if "alpha" in entry else [Fraction(1)]
        resolutions = self.values(entry, "resolution", _resolution, what) if "resolution" in entry else [None]
        if len(alphas) * len(resolutions) > MAX_CONFIGURATIONS:  # each is a whole evaluation: bounded first
            self.error(entry.value_at.get("alpha", entry.location),
                       f"{what}{len(alphas):,} alphas x {len(resolutions):,} resolutions are "
                       f"{len(alphas) * len(resolutions):,} configurations; a check has at most "
                       f"{MAX_CONFIGURATIONS:,}: split it into several checks, or check fewer", "E501")
        convention = "paper"
        if "convention" in entry:
            convention = entry["convention"]
            is_file = isinstance(convention, str) and convention.endswith((".yaml", ".yml"))
            if is_file:  # a convention file: relative to the budgets file, as a spec file is
                convention = os.path.join(os.path.dirname(self.path), convention)
            elif convention not in CONVENTIONS:
                hint = did_you_mean(convention, CONVENTIONS) if isinstance(convention, str) else ""
                self.error(entry.value_at["convention"], f"{what}unknown convention {convention!r}{hint}; expected one "
                                                         f"of: {', '.join(CONVENTIONS)}, or a convention file (.yaml)",
                           "E501")
        limits = {metric: self.value(entry, f"max_{metric}", _count, what) if f"max_{metric}" in entry else None
                  for metric in METRICS}
        max_increase = self.value(entry, "max_increase", parse_percent, what) if "max_increase" in entry else None
        min_delta = self.value(entry, "min_delta", _count, what) if "min_delta" in entry else 0
        from costcalc.quantities import parse_duration, parse_size

        max_latency = self.value(entry, "max_latency", _text_of(parse_duration), what) if "max_latency" in entry else None
        max_peak = self.value(entry, "max_peak_memory", _text_of(parse_size), what) if "max_peak_memory" in entry else None
        device = None
        if "device" in entry:
            device = entry["device"]
            if not isinstance(device, str) or not device:
                self.error(entry.value_at["device"], f"{what}'device' must be a device's name or a device file", "E501")
            elif device.endswith((".yaml", ".yml")):
                device = os.path.join(os.path.dirname(self.path), device)
        if max_latency is not None and "device" not in entry:
            self.error(entry.value_at["max_latency"], f"{what}'max_latency' needs a 'device': a latency is estimated "
                                                      "on a device", "E502")
        dtype = entry.get("dtype", "fp32")
        if dtype not in ("fp32", "fp16", "bf16", "int8"):
            self.error(entry.value_at["dtype"], f"{what}'dtype' must be one of fp32, fp16, bf16, int8, got {dtype!r}",
                       "E501")
        message = entry.get("message", "")
        if not isinstance(message, str):
            self.error(entry.value_at["message"], f"{what}'message' must be a string", "E501")
        if (all(limit is None for limit in limits.values()) and max_increase is None and max_latency is None
                and max_peak is None and len(self.problems) == before):
            self.error(entry.location, f"{what}no limit: give max_mult_adds, max_params, max_increase, "
                                       "max_peak_memory or max_latency", "E502")
        if len(self.problems) > before:
            return None
        spec = entry["spec"]
        if os.sep in spec or spec.endswith((".yaml", ".yml")):  # a file: relative to the budgets file
            spec = os.path.join(os.path.dirname(self.path), spec)
        return CheckSpec(
            spec=spec, label=entry["spec"],
            configurations=tuple(Configuration(alpha, resolution) for alpha in alphas for resolution in resolutions),
            convention=convention, limits=limits, max_increase=max_increase, min_delta=min_delta or 0,
            message=message, location=entry.location,
            limit_at={key: entry.value_at.get(f"max_{key}", entry.location)
                      for key in (*METRICS, "increase", "latency", "peak_memory")},
            max_latency=max_latency, max_peak_memory=max_peak, device=device, dtype=dtype,
        )


def parse_config(data: Any, path: str, top: Location | None = None) -> BudgetConfig:
    """Validate a parsed budgets mapping; raise ``BudgetError`` with every problem found."""
    reader = _Reader(path)
    top = top or Location(path, 1, 1)
    if not isinstance(data, Mapping):
        raise BudgetError(Diagnostic(top, "a budgets file is a mapping with 'checks' (a list of checks)", "E502"))
    reader.unknown(data, TOP_KEYS, "")
    checks: list[CheckSpec] = []
    if "checks" not in data:
        reader.error(top, "missing 'checks': the list of checks", "E502")
    elif not isinstance(data["checks"], Sequence) or not data["checks"]:
        reader.error(data.value_at["checks"], "'checks' must be a non-empty list of checks", "E502")
    else:
        for index, (entry, location) in enumerate(zip(data["checks"], data["checks"].item_at)):
            check = reader.check(entry, location, index)
            if check is not None:
                checks.append(check)
    baseline = data.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        reader.error(data.value_at["baseline"], "'baseline' must be a file name", "E501")
        baseline = None
    if reader.problems:
        raise BudgetError(sorted(reader.problems, key=lambda problem: (problem.location.line, problem.location.column)))
    if baseline:
        baseline = os.path.join(os.path.dirname(path), baseline)
    return BudgetConfig(path, tuple(checks), baseline)


def load_config(path: str) -> BudgetConfig:
    """A ``costcalc.yaml``-style file, or the ``[tool.costcalc]`` table of a ``pyproject.toml``."""
    if path.endswith(".toml"):
        return _load_pyproject(path)
    from costcalc.errors import SpecError

    try:
        data = read_yaml(path)
    except SpecError as error:
        raise BudgetError(error.diagnostics) from None
    return parse_config(data, path)


def find_config() -> str | None:
    """``costcalc.yaml`` in the current folder, else a ``pyproject.toml`` with a ``[tool.costcalc]`` table."""
    if os.path.exists(DEFAULT_FILES[0]):
        return DEFAULT_FILES[0]
    if os.path.exists(DEFAULT_FILES[1]):
        with open(DEFAULT_FILES[1], encoding="utf-8", errors="replace") as handle:
            if "[tool.costcalc" in handle.read():
                return DEFAULT_FILES[1]
    return None


def _load_pyproject(path: str) -> BudgetConfig:
    """TOML has no positions in Python's parser: values are re-read as YAML-like data, and problems are
    reported at the ``[tool.costcalc]`` header."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        raise BudgetError(Diagnostic(Location(path), "reading [tool.costcalc] needs Python 3.11 or later; "
                                                     "put the budgets in costcalc.yaml instead", "E503")) from None
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        document = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        import re

        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        where = Location(path, int(found[1]), int(found[2])) if found else Location(path)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise BudgetError(Diagnostic(where, f"invalid TOML: {message}", "E503")) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BudgetError(Diagnostic(Location(path), f"cannot read: {error}", "E504")) from None
    except ValueError:  # an integer Python refuses to convert (over 4,300 digits): tomllib lets it through
        from costcalc.quantities import MAX_INTEGER_DIGITS, find_long_integer

        found = find_long_integer(raw.decode("utf-8", "replace"))
        line, column, digits = found or (0, 0, 0)
        message = f"invalid TOML: an integer of {digits:,} digits; costcalc reads integers of at most {MAX_INTEGER_DIGITS}"
        raise BudgetError(Diagnostic(Location(path, line, column), f"{message} digits", "E503")) from None
    text = raw.decode("utf-8")
    line = next((number for number, content in enumerate(text.splitlines(), 1)
                 if content.strip().startswith("[tool.costcalc")), 1)
    header = Location(path, line, 1)
    table = document.get("tool", {}).get("costcalc")
    if table is None:
        raise BudgetError(Diagnostic(header, "no [tool.costcalc] table", "E503"))
    return parse_config(_positioned(table, header), path, header)


def _positioned(value: Any, location: Location) -> Any:
    """TOML data as the YAML reader's Mapping/Sequence, every position being ``location``."""
    if isinstance(value, dict):
        mapping = Mapping({key: _positioned(item, location) for key, item in value.items()})
        mapping.location, mapping.key_at = location, dict.fromkeys(value, location)
        mapping.value_at = dict.fromkeys(value, location)
        return mapping
    if isinstance(value, list):
        sequence = Sequence(_positioned(item, location) for item in value)
        sequence.location, sequence.item_at = location, [location] * len(value)
        return sequence
    return value
