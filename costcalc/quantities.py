"""Parsing the numbers people type: counts with SI suffixes (``569M``, ``4.2e6``, ``1.5G``) and lists or
ranges of values (``1,0.75,0.5``, ``0.25:1.0:0.05``, ``128:224:32``). Exact: no float on the way."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Callable, TypeVar

from costcalc.multipliers import parse_multiplier

T = TypeVar("T")
SUFFIXES = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}  # no m/g: m is milli
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
MAX_VALUES = 1_000_000  # a range of more values than this is a typo, not a sweep


def parse_count(text: str) -> int:
    """``569M`` -> 569000000, ``4.2e6`` -> 4200000, ``1.5G`` -> 1500000000, ``300000`` -> 300000."""
    cleaned = text.strip().replace("_", "")
    scale = 1
    if cleaned[-1:] in SUFFIXES:
        scale = SUFFIXES[cleaned[-1]]
        cleaned = cleaned[:-1]
    elif cleaned[-1:] in ("m", "g", "t"):
        raise ValueError(f"'{_short(text)}': write the suffix in capitals, as in 300M, 1.5G, 2T (k for thousands)")
    if "," in cleaned:
        if not THOUSANDS.match(cleaned):
            raise ValueError(f"'{_short(text)}': commas may only group thousands, as in 1,000,000")
        cleaned = cleaned.replace(",", "")
    try:
        value = Fraction(cleaned) * scale
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{_short(text)}' is not a count (write 300M, 4.2e6, 1.5G or 300000)") from None
    if value.denominator != 1:
        raise ValueError(f"'{_short(text)}' is not a whole number")
    if value < 0:
        raise ValueError(f"'{_short(text)}' must not be negative")
    return value.numerator


def parse_values(text: str, parse_one: Callable[[str], T]) -> list[T]:
    """A list ``a,b,c`` or an inclusive range ``start:stop:step`` (or several, comma-separated), in the
    order given; duplicates are dropped."""
    values: list[T] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            raise ValueError(f"'{_short(text)}' has an empty item")
        if ":" in part:
            values += _range(part, parse_one)
        else:
            values.append(parse_one(part))
        if len(values) > MAX_VALUES:
            raise ValueError(f"'{_short(text)}' gives more than {MAX_VALUES:,} values")
    unique: dict[T, None] = dict.fromkeys(values)
    return list(unique)


def _range(part: str, parse_one: Callable[[str], T]) -> list[T]:
    pieces = part.split(":")
    if len(pieces) != 3:
        raise ValueError(f"'{_short(part)}' is not a range: write start:stop:step, like 0.25:1.0:0.05")
    start, stop = parse_one(pieces[0]), parse_one(pieces[1])
    step = parse_multiplier(pieces[2]) if not isinstance(start, int) else parse_one(pieces[2])
    if stop < start:  # type: ignore[operator]
        raise ValueError(f"'{_short(part)}': the range's stop is below its start")
    count = int((Fraction(stop) - Fraction(start)) / Fraction(step)) + 1  # type: ignore[arg-type]
    if count > MAX_VALUES:
        raise ValueError(f"'{_short(part)}' gives more than {MAX_VALUES:,} values")
    return [start + step * index for index in range(count)]  # type: ignore[operator]


def parse_resolution(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"'{_short(text)}' is not a resolution in pixels (a whole number)") from None
    if value < 1:
        raise ValueError(f"'{_short(text)}' must be at least 1 pixel")
    return value


def _short(text: str, limit: int = 40) -> str:
    """The user's text, cut for a message (a list can be megabytes long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DURATIONS = {"s": 1, "ms": Fraction(1, 1000), "us": Fraction(1, 10**6), "µs": Fraction(1, 10**6)}
_SIZES = {"B": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


def parse_duration(text: str) -> Fraction:
    """``20ms``, ``1.5 s``, ``300us`` -> exact seconds."""
    cleaned = text.strip()
    for unit in sorted(_DURATIONS, key=len, reverse=True):
        if cleaned.endswith(unit):
            number = cleaned[: -len(unit)].strip()
            try:
                value = Fraction(number)
            except (ValueError, ZeroDivisionError):
                break
            if value <= 0:
                raise ValueError(f"'{text}' must be greater than 0")
            return value * _DURATIONS[unit]
    raise ValueError(f"'{text}' is not a duration (write 20ms, 1.5s or 300us)")


def parse_size(text: str) -> int:
    """``4MB``, ``512kB``, ``4MiB``, ``4096`` (bytes) -> a whole number of bytes."""
    cleaned = text.strip()
    for unit in sorted(_SIZES, key=len, reverse=True):
        number = cleaned[: -len(unit)].strip() if cleaned.endswith(unit) else None
        if number is not None:
            break
    else:
        number, unit = cleaned, "B"
    try:
        value = Fraction(number) * _SIZES[unit]
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{text}' is not a size (write 4MB, 512kB, 4MiB or a number of bytes)") from None
    if value <= 0 or value.denominator != 1:
        raise ValueError(f"'{text}' must be a whole number of bytes above 0")
    return int(value)
