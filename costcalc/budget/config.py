"""The budgets file: which specs to check, at which widths and resolutions, against which limits.

``costcalc.yaml`` (or ``[tool.costcalc]`` in ``pyproject.toml``)::

    baseline: costcalc-baseline.json      # optional: what `check` compares growth against
    checks:
      - spec: mobilenet_v1                # a bundled spec's name, or a spec file: nets/x.yaml, ./x
        alpha: [1, 0.75]                  # one value or a list; with resolution, every combination
        resolution: 224
        depth_multiplier: 1               # one value or a list, too (default: the variant's, else 1)
        width_rule: tfslim                # a preset instead of the spec's (costcalc.layers.width)
        convention: paper
        max_mult_adds: 600M               # absolute limits: 600M, 4.2M, 600000000
        max_params: 5M
        max_increase: 1%                  # growth allowed against the baseline
        min_delta: 1000                   # changes smaller than this are never growth
        message: the phone budget         # shown with every failure of this check

Every problem is reported at its line and column, all at once, like spec errors. A bare name (``paper``,
``mobilenet_v1``) is a bundled spec or a built-in; anything written as a path is a file, relative to this
file and inside its folder (the project) unless ``--allow-outside`` says otherwise: a budgets file comes with
a pull request, and must not make costcalc read or write anywhere else (docs/budgets.md).
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import CostcalcError, Diagnostic, Location, did_you_mean, quoted, shorten_quotes
from costcalc.source.names import names_a_file, warn_if_shadowed
from costcalc.source.positioned import Mapping, Sequence
from costcalc.source.problems import Problems, unknown_keys

CHECK_KEYS = ("spec", "alpha", "resolution", "depth_multiplier", "width_rule", "convention", "max_mult_adds",
              "max_params", "max_increase", "min_delta", "max_latency", "max_peak_memory", "device", "dtype", "message",
              "require_calibrated")
TOP_KEYS = ("checks", "baseline")
METRICS = ("mult_adds", "params")
MAX_EVALUATIONS = 128  # checks x alphas x resolutions in one run: each is a network evaluated (densenet121: ~5 ms)


class BudgetError(CostcalcError):
    """The budgets file (or a budget option) cannot be read or is invalid."""


class Configuration(NamedTuple):
    alpha: Fraction | None  # None: the spec's variant's, else 1
    resolution: int | None  # None: the spec's variant's, else its own input size
    depth_multiplier: Fraction | None = None  # None: the spec's variant's, else 1


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
    width_rule: str | None = None  # a width rule preset instead of the spec's
    require_calibrated: bool = False  # the latency must be a calibrated device's (docs/calibrate.md), not a roofline's


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


def _width_rule(value: Any) -> str:
    from costcalc.layers.width import PRESETS
    from costcalc.quantities import short

    if not isinstance(value, str) or value not in PRESETS:
        hint = did_you_mean(value, PRESETS) if isinstance(value, str) else ""
        raise ValueError(f"expected one of {', '.join(PRESETS)}, got {short(repr(value))}{hint}")
    return value


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


def inside(folder: str, path: str) -> bool:
    """Whether ``path``, its symbolic links resolved, is ``folder`` (resolved) or in it."""
    root, target = os.path.realpath(folder), os.path.realpath(path)
    return os.path.commonpath([root, target]) == root


class _Reader:
    def __init__(self, path: str, allow_outside: bool = False):
        self.path = path
        self.folder = os.path.dirname(path)
        self.allow_outside = allow_outside
        self.problems = Problems(BudgetError)
        self._bundled: dict[str, dict[str, str]] = {}

    def bundled(self, kind: str) -> dict[str, str]:
        """The bundled specs or devices, by name (listed once for the whole file)."""
        if kind not in self._bundled:
            from costcalc.devices.profiles import bundled_devices
            from costcalc.source.bundled import bundled_specs

            self._bundled[kind] = bundled_specs() if kind == "specs" else bundled_devices()
        return self._bundled[kind]

    def error(self, location: Location, message: str, code: str) -> None:
        self.problems.add(location, message, code)

    def parsed(self, raw: Any, location: Location, key: str, parse: Any, what: str) -> Any:
        """``parse(raw)``, or None and a problem: a list or mapping where one value goes is refused here, and
        a parser's message is cut to one short line (it quotes the value)."""
        if isinstance(raw, (list, dict)) or not isinstance(raw, (str, int, float, type(None))):  # a TOML date
            self.error(location, f"{what}'{key}': expected one value, got {quoted(raw)}", "E501")
            return None
        try:
            return parse(raw)
        except ValueError as error:
            self.error(location, f"{what}'{key}': {shorten_quotes(str(error), 40)}", "E501")
            return None

    def value(self, mapping: Mapping, key: str, parse: Any, what: str) -> Any:
        return self.parsed(mapping[key], mapping.value_at[key], key, parse, what)

    def values(self, mapping: Mapping, key: str, parse: Any, what: str) -> list[Any]:
        raw = mapping[key]
        if not isinstance(raw, Sequence):
            one = self.value(mapping, key, parse, what)
            return [] if one is None else [one]
        found = []
        for item, location in zip(raw, raw.item_at):
            one = self.parsed(item, location, key, parse, what)
            if one is not None:
                found.append(one)
        if not raw:
            self.error(mapping.value_at[key], f"{what}'{key}': the list is empty", "E501")
        return found

    def unknown(self, mapping: Mapping, allowed: tuple[str, ...], what: str) -> None:
        unknown_keys(self.problems, mapping, allowed, what, "E500")

    def file(self, value: str, location: Location, key: str, what: str) -> str | None:
        """A file the budgets file names: relative to it, and inside its folder unless --allow-outside."""
        path = os.path.join(self.folder, value)
        if not self.allow_outside and not inside(self.folder or ".", path):
            self.error(location, f"{what}'{key}': {quoted(value)} is outside the project (the budgets file's folder, "
                                 "symbolic links resolved); move it inside, or pass --allow-outside", "E511")
            return None
        return path

    def reference(self, mapping: Mapping, key: str, builtins: Any, kind: str, what: str) -> str | None:
        """A spec, convention or device a check names (``key`` says which): a bare name is a bundled or built-in
        one (``kind``), with a warning when a file of that name sits beside the budgets file; anything written as
        a path is a file (``file``)."""
        value, location = mapping[key], mapping.value_at[key]
        if not isinstance(value, str) or not value:
            self.error(location, f"{what}'{key}' must be the name of a {kind} or a file, got {quoted(value)}", "E501")
            return None
        if names_a_file(value):
            return self.file(value, location, key, what)
        if value not in builtins:
            hint = did_you_mean(value, builtins)
            if not hint and os.path.lexists(os.path.join(self.folder, value)):
                hint = f"; to read the file of that name, write it as a path: {quoted(os.path.join('.', value))}"
            names = f"one of: {', '.join(builtins)}" if len(builtins) <= 10 else f"a {kind} (`costcalc list`)"
            self.error(location, f"{what}unknown {key} {quoted(value)}{hint}; expected {names}, or a {key} file "
                                 "written as a path (./x, x.yaml)", "E501")
            return None
        warn_if_shadowed(value, self.folder, kind, location)
        return value

    def check(self, entry: Any, location: Location, index: int) -> CheckSpec | None:
        from costcalc.conventions import CONVENTIONS

        if not isinstance(entry, Mapping):
            self.error(location, f"checks[{index}]: a check is a mapping with 'spec' and limits, like "
                                 "{spec: mobilenet_v1, max_mult_adds: 600M}", "E502")
            return None
        label = entry.get("spec") if isinstance(entry.get("spec"), str) else f"checks[{index}]"
        what = f"check {quoted(label)}: "
        before = len(self.problems.found)
        self.unknown(entry, CHECK_KEYS, what)
        spec = None
        bundled = self.bundled("specs")
        if "spec" not in entry:
            self.error(entry.location, f"checks[{index}]: missing 'spec' (a spec file or a bundled spec's name)", "E502")
        else:
            spec = self.reference(entry, "spec", bundled, "bundled spec", what)
            spec = bundled.get(spec, spec) if spec is not None else None  # a bundled spec by its path: never shadowed
        alphas: list[Fraction | None] = self.values(entry, "alpha", _multiplier, what) if "alpha" in entry else [None]
        resolutions = self.values(entry, "resolution", _resolution, what) if "resolution" in entry else [None]
        depths: list[Fraction | None] = (self.values(entry, "depth_multiplier", _multiplier, what)
                                         if "depth_multiplier" in entry else [None])
        width_rule = self.value(entry, "width_rule", _width_rule, what) if "width_rule" in entry else None
        convention: str | None = "paper"
        if "convention" in entry:
            convention = self.reference(entry, "convention", CONVENTIONS, "built-in convention", what)
        limits = {metric: self.value(entry, f"max_{metric}", _count, what) if f"max_{metric}" in entry else None
                  for metric in METRICS}
        max_increase = self.value(entry, "max_increase", parse_percent, what) if "max_increase" in entry else None
        min_delta = self.value(entry, "min_delta", _count, what) if "min_delta" in entry else 0
        from costcalc.quantities import parse_duration, parse_size

        max_latency = self.value(entry, "max_latency", _text_of(parse_duration), what) if "max_latency" in entry else None
        max_peak = self.value(entry, "max_peak_memory", _text_of(parse_size), what) if "max_peak_memory" in entry else None
        device = None
        if "device" in entry:
            device = self.reference(entry, "device", self.bundled("devices"), "bundled device", what)
        if max_latency is not None and "device" not in entry:
            self.error(entry.value_at["max_latency"], f"{what}'max_latency' needs a 'device': a latency is estimated "
                                                      "on a device", "E502")
        dtype = entry.get("dtype", "fp32")
        if not isinstance(dtype, str) or dtype not in ("fp32", "fp16", "bf16", "int8"):
            self.error(entry.value_at["dtype"], f"{what}'dtype' must be one of fp32, fp16, bf16, int8, got "
                                                f"{quoted(dtype)}", "E501")
        require_calibrated = entry.get("require_calibrated", False)
        if not isinstance(require_calibrated, bool):
            self.error(entry.value_at["require_calibrated"], f"{what}'require_calibrated' must be true or false", "E501")
        message = entry.get("message", "")
        if not isinstance(message, str):
            self.error(entry.value_at["message"], f"{what}'message' must be a string", "E501")
        if (all(limit is None for limit in limits.values()) and max_increase is None and max_latency is None
                and max_peak is None and len(self.problems.found) == before):
            self.error(entry.location, f"{what}no limit: give max_mult_adds, max_params, max_increase, "
                                       "max_peak_memory or max_latency", "E502")
        if len(alphas) * len(resolutions) * len(depths) > MAX_EVALUATIONS:  # before the product is made
            depth_text = f" x {len(depths):,} depth multipliers" if len(depths) > 1 else ""
            self.error(entry.location, f"{what}{len(alphas):,} alphas x {len(resolutions):,} resolutions{depth_text} are "
                                       f"more than the {MAX_EVALUATIONS} evaluations costcalc makes in one run", "E512")
        if len(self.problems.found) > before or spec is None or convention is None:
            return None
        return CheckSpec(
            spec=spec, label=entry["spec"],
            configurations=tuple(Configuration(alpha, resolution, depth) for depth in depths for alpha in alphas
                                 for resolution in resolutions),
            convention=convention, limits=limits, max_increase=max_increase, min_delta=min_delta or 0,
            message=message, location=entry.location,
            limit_at={**{key: entry.value_at.get(f"max_{key}", entry.location)
                         for key in (*METRICS, "increase", "latency", "peak_memory")},
                      "require_calibrated": entry.value_at.get("require_calibrated", entry.location)},
            max_latency=max_latency, max_peak_memory=max_peak, device=device, dtype=dtype, width_rule=width_rule,
            require_calibrated=require_calibrated is True,
        )


def parse_config(data: Any, path: str, top: Location | None = None, allow_outside: bool = False) -> BudgetConfig:
    """Validate a parsed budgets mapping; raise ``BudgetError`` with every problem found."""
    reader = _Reader(path, allow_outside)
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
        evaluations = 0
        for index, (entry, location) in enumerate(zip(data["checks"], data["checks"].item_at)):
            check = reader.check(entry, location, index)
            if check is not None:
                checks.append(check)
                evaluations += len(check.configurations)
                if evaluations > MAX_EVALUATIONS:
                    reader.error(check.location, f"check {quoted(check.label)}: the budgets file asks for more than "
                                                 f"{MAX_EVALUATIONS} evaluations (each check's alphas x resolutions) "
                                                 "up to here; split it into several files", "E512")
                    break
    baseline = data.get("baseline")
    if baseline is not None:
        if not isinstance(baseline, str) or not baseline:
            reader.error(data.value_at["baseline"], f"'baseline' must be a file name, got {quoted(baseline)}", "E501")
            baseline = None
        else:
            baseline = reader.file(baseline, data.value_at["baseline"], "baseline", "")
    if reader.problems.found:
        raise BudgetError(reader.problems.sorted())
    return BudgetConfig(path, tuple(checks), baseline)
