"""Device profiles for the roofline latency estimate: peak Mult-Adds per second per data type, and memory
bandwidth, each with its source. Bundled profiles are the YAML files beside this module (``costcalc list
--devices``); a user's device file is read like a spec (safe YAML, every problem located, E530-E532).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from costcalc.devices import DTYPES
from costcalc.errors import CostcalcError, Diagnostic, Location, did_you_mean, quoted


class DeviceError(CostcalcError):
    """An unknown device, or a device file that is not valid."""


class Device(NamedTuple):
    name: str
    description: str
    peak_mult_adds_per_s: dict[str, int]  # per dtype
    bandwidth_bytes_per_s: int
    source: str
    where: str = ""  # where a message about it points: its file, or a bundled profile's name
    calibration: Any = None  # costcalc.devices.calibrated.Calibration: a fitted latency model (docs/calibrate.md)

    def peak(self, dtype: str) -> int:
        if dtype not in self.peak_mult_adds_per_s:
            raise DeviceError(Diagnostic(Location(self.where or self.name), f"the device profile gives no peak for "
                                         f"{dtype}; it has: {', '.join(self.peak_mult_adds_per_s)}", "E532"))
        return self.peak_mult_adds_per_s[dtype]


def bundled_devices() -> dict[str, str]:
    """Bundled profile name -> its file: the YAML files beside this module."""
    folder = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(folder):
        return {}
    return {name[:-5]: os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".yaml")}


def resolve_device(text: str, folder: str | None = ".") -> Device:
    """A bundled device profile by its bare name, or a device file written as a path (``dev.yaml``, ``./dev``).
    A file in ``folder`` named like a bundled profile is warned about (W100), not read; ``folder=None`` when the
    caller has looked already (a budgets file, beside itself)."""
    from costcalc.source.names import named_or_file

    bundled = bundled_devices()
    is_bundled, name = named_or_file(text, bundled, "bundled device", folder, DeviceError, "E530",
                                     f"one of: {', '.join(bundled)}, or a device file (.yaml)")
    return load_device(bundled[name])._replace(where=name) if is_bundled else load_device(name)


def load_device(path: str) -> Device:
    from costcalc.source.positioned import Mapping
    from costcalc.source.positioned_yaml import read_yaml
    from costcalc.source.problems import Problems, unknown_keys

    data = read_yaml(path, "device")
    top = Location(path, 1, 1)
    problems = Problems(DeviceError)

    def problem(location: Location, message: str) -> None:
        problems.add(location, message, "E531")

    if not isinstance(data, Mapping):
        raise DeviceError(Diagnostic(top, "a device file is a mapping with 'peak_mult_adds_per_s', "
                                          "'bandwidth_bytes_per_s' and 'source'", "E531"))
    keys = ("name", "description", "peak_mult_adds_per_s", "bandwidth_bytes_per_s", "source", "calibration")
    unknown_keys(problems, data, keys, "", "E531")
    calibration = None
    if "calibration" in data:  # a calibrated device: its model replaces the roofline's peak and bandwidth
        from costcalc.devices.calibrated import read_calibration

        calibration = read_calibration(data["calibration"], data.value_at["calibration"],
                                       lambda location, message: problems.add(location, message, "E543"))
    needed = ("source",) if "calibration" in data else ("peak_mult_adds_per_s", "bandwidth_bytes_per_s", "source")
    for key in needed:
        if key not in data:
            problem(top, f"missing '{key}'")
    texts = {key: data.get(key, "") for key in ("name", "description", "source")}
    for key, value in texts.items():
        if not isinstance(value, str):
            problem(data.value_at[key], f"'{key}' must be a string")
    peaks: dict[str, int] = {}
    raw_peak = data.get("peak_mult_adds_per_s")
    if isinstance(raw_peak, Mapping):
        if not raw_peak:
            problem(data.value_at["peak_mult_adds_per_s"], f"'peak_mult_adds_per_s' is empty: give a rate for at "
                                                           f"least one dtype ({', '.join(DTYPES)})")
        for dtype, value in raw_peak.items():
            if dtype not in DTYPES:
                problem(raw_peak.key_at[dtype], f"unknown dtype {quoted(dtype)}{did_you_mean(dtype, DTYPES)}; expected "
                                                f"one of: {', '.join(DTYPES)}")
            elif _rate(value) is None:
                problem(raw_peak.value_at[dtype], f"'{dtype}': expected a rate above 0 (a whole number, or 1.5e12)"
                                                  f"{_refused(value)}")
            else:
                peaks[dtype] = _rate(value)  # type: ignore[assignment]
    elif "peak_mult_adds_per_s" in data:
        if _rate(raw_peak) is None:
            problem(data.value_at["peak_mult_adds_per_s"], f"expected a rate above 0 or a mapping of dtype to rate"
                                                           f"{_refused(raw_peak)}")
        else:
            peaks = {dtype: _rate(raw_peak) for dtype in DTYPES}  # type: ignore[misc]
    bandwidth = _rate(data.get("bandwidth_bytes_per_s"))
    if "bandwidth_bytes_per_s" in data and bandwidth is None:
        problem(data.value_at["bandwidth_bytes_per_s"], f"'bandwidth_bytes_per_s': expected a rate above 0"
                                                        f"{_refused(data['bandwidth_bytes_per_s'])}")
    if problems.found:
        raise DeviceError(problems.sorted())
    name = texts["name"] or os.path.splitext(os.path.basename(path))[0]
    return Device(name, texts["description"], peaks, bandwidth or 0, texts["source"], path, calibration)


def _rate(value: object) -> int | None:
    """A positive whole rate, exactly: an int, or a float such as 1.5e12 read through its decimal text, or a
    string, by costcalc's one number parser (``costcalc.quantities``, which bounds digits and exponents)."""
    from costcalc.quantities import exact_number

    try:
        rate = exact_number(value)
    except ValueError:
        return None
    return int(rate) if rate > 0 and rate.denominator == 1 else None


def _refused(value: object) -> str:
    """The end of the message about a refused rate: ``, got VALUE`` (cut), or the number parser's reason when
    it is a number beyond costcalc's bounds."""
    from costcalc.quantities import NotANumber, exact_number, shown_integer

    try:
        exact_number(value)
    except NotANumber:
        pass
    except ValueError as error:
        return f": {error}"
    shown = shown_integer(value) if isinstance(value, int) and not isinstance(value, bool) else quoted(value)
    return f", got {shown}"
