"""Parsing the numbers people type, exactly and within bounds: the one place where a number's text (an option,
a string in a file) or a number a YAML, TOML or JSON reader made becomes an exact ``Fraction`` or ``int``.

- ``parse_number``: ``0.75``, ``3/4``, ``1.5e12``, ``-2`` -> an exact Fraction; ``exact_number`` does the same
  for a value a file reader made (an int, a float read through its shortest decimal text, or a string);
- ``parse_multiplier`` (α, ρ, steps), ``parse_count`` (``569M``, ``4.2e6``, ``1.5G``), ``parse_resolution``,
  ``parse_duration`` (``20ms``), ``parse_size`` (``4MB``), and lists or ranges of values (``1,0.75,0.5``,
  ``0.25:1.0:0.05``, ``128:224:32``) with ``parse_values``.

Bounds, checked on the text before anything converts it (docs/errors.md, "limits"): a number has at most
``MAX_DIGITS`` significant digits and is 0 or between ``10**-MAX_EXPONENT`` and ``10**MAX_EXPONENT`` in size;
inf and nan are refused. Without them ``Fraction("1e999999999")`` would build a billion-digit integer: a hang.
Integers that file readers convert themselves are bounded at ``MAX_INTEGER_DIGITS`` digits (Python's own
limit is 4,300, and exceeding it raises a plain ValueError). A refusal is a ``ValueError`` that quotes the
text (cut to 40 characters) and says what is accepted; ``NotANumber``, a subclass, when the text is not a
number at all, so that a caller can say what it expected instead.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Callable, TypeVar

T = TypeVar("T")
MAX_DIGITS = 30  # significant digits: a float's shortest text has at most 17, a hand-typed number far fewer
MAX_EXPONENT = 30  # numbers are below 10**30 and, unless 0, at least 10**-30: counts are ~10**13 at most
MAX_INTEGER_DIGITS = 400  # an integer in a file, before conversion: counts stay below ~10**200 (network.py)
MAX_WHOLE = 2**53 - 1  # a whole number in a spec (channels, kernel, size, repeat): exact in every JSON reader
MAX_VALUES = 10_000  # values in one list or range option: a finer grid than that is a typo, not a sweep
SUFFIXES = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}  # no m/g: m is milli
# Patterns are texts that re compiles when first used (and caches): compiling them here took 0.4 ms of every
# start-up, for options most runs never give (issue 17).
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"  # with re.ASCII
_GROUP = r"[0-9]+(?:_[0-9]+)*"  # digits, single underscores between them (as Python's Fraction reads them)
_DECIMAL = rf"([+-]?)(?=[0-9]|\.[0-9])({_GROUP})?(?:\.({_GROUP})?)?(?:[eE]([+-]?{_GROUP}))?"
_LARGEST = Fraction(10**MAX_EXPONENT)
_SMALLEST = Fraction(1, 10**MAX_EXPONENT)
LIMITS = f"up to {MAX_DIGITS} significant digits, from 1e-{MAX_EXPONENT} to below 1e{MAX_EXPONENT} (or 0)"


class NotANumber(ValueError):
    """The text is not a number at all (as opposed to a number out of bounds)."""


def short(text: str, limit: int = 40) -> str:
    """The user's text, cut for a message (a list can be megabytes long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_number(text: str) -> Fraction:
    """``"0.75"``, ``"3/4"``, ``"1.5e12"``, ``"-2"``, ``" 1_000 "`` -> the exact Fraction. A fraction may have
    decimals on both sides (``0.5/0.25``). ``NotANumber`` when it is not a number (``inf`` and ``nan`` are
    not), ``ValueError`` when it is one beyond the bounds of this module."""
    if not isinstance(text, str):
        raise NotANumber(f"expected a number, got {type(text).__name__}")
    top, slash, bottom = text.partition("/")
    value = _decimal(top, text)
    if not slash:
        return value
    divisor = _decimal(bottom, text)
    if divisor == 0:
        raise NotANumber(f"'{short(text)}' divides by zero")
    return check_size(value / divisor, f"'{short(text)}'")


def _decimal(part: str, text: str) -> Fraction:
    """One decimal number (no ``/``), its digits and exponent bounded before it is converted."""
    found = re.fullmatch(_DECIMAL, part.strip())
    if found is None:
        raise NotANumber(f"'{short(text)}' is not a number")
    sign, whole, decimals, exponent_text = (group or "" for group in found.groups())
    whole, decimals, exponent_text = whole.replace("_", ""), decimals.replace("_", ""), exponent_text.replace("_", "")
    digits = (whole + decimals).lstrip("0")
    if not digits:
        return Fraction(0)
    shown = f"'{short(text)}'"
    exponent_digits = exponent_text.lstrip("+-").lstrip("0") or "0"
    if len(exponent_digits) > 6:  # |exponent| >= 10**6: out of bounds whatever the digits; never converted
        raise ValueError(_too_small(shown) if exponent_text.startswith("-") else _too_large(shown))
    significant = digits.rstrip("0")
    written = -int(exponent_digits) if exponent_text.startswith("-") else int(exponent_digits)
    exponent = written - len(decimals) + len(digits) - len(significant)  # value = significant x 10^exponent
    if len(significant) > MAX_DIGITS:
        raise ValueError(f"{shown} has {len(significant):,} significant digits; costcalc reads numbers with {LIMITS}")
    leading = exponent + len(significant) - 1  # the exponent of the number written as d.ddd x 10^leading
    if leading >= MAX_EXPONENT:
        raise ValueError(_too_large(shown))
    if leading < -MAX_EXPONENT:
        raise ValueError(_too_small(shown))
    magnitude = int(significant)
    value = Fraction(magnitude * 10**exponent) if exponent >= 0 else Fraction(magnitude, 10**-exponent)
    return -value if sign == "-" else value


def _too_large(shown: str) -> str:
    return f"{shown} is too large; costcalc reads numbers with {LIMITS}"


def _too_small(shown: str) -> str:
    return f"{shown} is too small; costcalc reads numbers with {LIMITS}"


def check_size(value: Fraction | int, shown: str) -> Fraction:
    """``value`` as a Fraction, when it is 0 or within the bounds of a number; refused as ``shown`` (the text
    as written, quoted, or the value) otherwise."""
    size = abs(Fraction(value))
    if size >= _LARGEST:
        raise ValueError(_too_large(shown))
    if size and size < _SMALLEST:
        raise ValueError(_too_small(shown))
    return Fraction(value)


def exact_number(value: object) -> Fraction:
    """A number a YAML, TOML or JSON reader made -> the exact Fraction, bounded like ``parse_number``: a float
    through its shortest decimal text (``0.1`` is 1/10, not the binary fraction nearest to it), a string
    parsed, an int checked. ``NotANumber`` for anything else (a boolean, a list), inf and nan."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
        shown = str(value).lower() if isinstance(value, bool) else type(value).__name__
        raise NotANumber(f"expected a number, got {shown}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(f"expected a finite number, got {value}")
        return parse_number(repr(value))
    if isinstance(value, str):
        return parse_number(value)
    return check_size(value, shown_integer(value) if isinstance(value, int) else str(value))


def shown_integer(value: int) -> str:
    """An integer for a message: its digits, or how many there are when it is long (counted without
    converting it to text, which Python refuses beyond 4,300 digits)."""
    if value.bit_length() <= 100:
        return str(value)
    size = abs(value)
    digits = int((size.bit_length() - 1) * 0.30102999566398) + 1  # exact, or one short: 10**digits settles it
    if size >= 10**digits:
        digits += 1
    return f"a number of {digits:,} digits"


def check_integer_text(text: str) -> str:
    """``text`` (an integer's digits, as a file reader is about to convert them) unless it has more than
    ``MAX_INTEGER_DIGITS`` digits as written (leading zeros too: Python's own limit counts them)."""
    digits = len(text.strip().lstrip("+-"))
    if digits > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {digits:,} digits; costcalc reads integers of at most "
                         f"{MAX_INTEGER_DIGITS} digits")
    return text


def bounded_int(text: str) -> int:
    """``int(text)`` for a file reader (``json.loads(parse_int=...)``), refused beyond ``MAX_INTEGER_DIGITS``."""
    return int(check_integer_text(text))


def find_long_integer(text: str) -> tuple[int, int, int] | None:
    """(line, column, digits) of the first run of more than ``MAX_INTEGER_DIGITS`` digits in a file's text:
    where a reader that refused an integer (``bounded_int``, or Python's own 4,300-digit limit) found it."""
    found = re.search(rf"[0-9][0-9_]{{{MAX_INTEGER_DIGITS},}}", text)
    if found is None:
        return None
    start = found.start()
    line, column = text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column, len(found.group().replace("_", ""))


def parse_exact_fraction(text: str) -> Fraction:
    """A fraction as costcalc writes it (``multipliers.format_fraction``): a short decimal, or ``n/d`` of whole
    numbers, whose two sides may be longer than a typed number (the reduced form of ``1/3.14159...``)."""
    found = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text, re.ASCII)
    if found is None:
        return parse_number(text)
    numerator, denominator = (bounded_int(part) for part in found.groups())
    if denominator == 0:
        raise NotANumber(f"'{short(text)}' divides by zero")
    return check_size(Fraction(numerator, denominator), f"'{short(text)}'")


def parse_multiplier(text: str) -> Fraction:
    """``"0.75"``, ``"3/4"``, ``"192/224"`` -> an exact positive Fraction; ValueError otherwise."""
    try:
        value = parse_number(text)
    except NotANumber:
        raise ValueError(f"'{short(text)}' is not a number (use a decimal like 0.75 or a fraction like 3/4)") from None
    if value <= 0:
        raise ValueError(f"'{short(text)}' must be greater than 0")
    return value


def parse_count(text: str) -> int:
    """``569M`` -> 569000000, ``4.2e6`` -> 4200000, ``1.5G`` -> 1500000000, ``300000`` -> 300000."""
    cleaned = text.strip().replace("_", "")
    scale = 1
    if cleaned[-1:] in SUFFIXES:
        scale = SUFFIXES[cleaned[-1]]
        cleaned = cleaned[:-1]
    elif cleaned[-1:] in ("m", "g", "t"):
        raise ValueError(f"'{short(text)}': write the suffix in capitals, as in 300M, 1.5G, 2T (k for thousands)")
    if "," in cleaned:
        if not re.match(THOUSANDS, cleaned, re.ASCII):
            raise ValueError(f"'{short(text)}': commas may only group thousands, as in 1,000,000")
        cleaned = cleaned.replace(",", "")
    try:
        value = parse_number(cleaned) * scale
    except NotANumber:
        raise ValueError(f"'{short(text)}' is not a count (write 300M, 4.2e6, 1.5G or 300000)") from None
    except ValueError as error:
        raise ValueError(str(error).replace(f"'{short(cleaned)}'", f"'{short(text)}'", 1)) from None
    if value.denominator != 1:
        raise ValueError(f"'{short(text)}' is not a whole number")
    if value < 0:
        raise ValueError(f"'{short(text)}' must not be negative")
    return value.numerator


def parse_values(text: str, parse_one: Callable[[str], T]) -> list[T]:
    """A list ``a,b,c`` or an inclusive range ``start:stop:step`` (or several, comma-separated), in the
    order given; duplicates are dropped. At most ``MAX_VALUES`` values, counted before a range is built."""
    values: list[T] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            raise ValueError(f"'{short(text)}' has an empty item")
        if ":" in part:
            values += _range(part, parse_one, MAX_VALUES - len(values))
        else:
            values.append(parse_one(part))
        if len(values) > MAX_VALUES:
            raise ValueError(f"'{short(text)}' gives more than {MAX_VALUES:,} values")
    unique: dict[T, None] = dict.fromkeys(values)
    return list(unique)


def _range(part: str, parse_one: Callable[[str], Any], room: int) -> list[Any]:
    """(The values are whole pixels or exact fractions, whichever ``parse_one`` reads.)"""
    """The values of ``start:stop:step``, refused before any is built when they are more than ``room``."""
    pieces = part.split(":")
    if len(pieces) != 3:
        raise ValueError(f"'{short(part)}' is not a range: write start:stop:step, like 0.25:1.0:0.05")
    start, stop = parse_one(pieces[0]), parse_one(pieces[1])
    step = parse_multiplier(pieces[2]) if not isinstance(start, int) else parse_one(pieces[2])
    if stop < start:
        raise ValueError(f"'{short(part)}': the range's stop is below its start")
    span = Fraction(stop) - Fraction(start)
    count = int(span / Fraction(step)) + 1
    if count > MAX_VALUES:
        raise ValueError(f"'{short(part)}' gives {count:,} values, and an option gives at most {MAX_VALUES:,}: use "
                         f"a step of at least {fitting_step(span, MAX_VALUES, whole=isinstance(start, int))}")
    if count > room:
        raise ValueError(f"'{short(part)}' gives more than {MAX_VALUES:,} values with the values before it")
    return [start + step * index for index in range(count)]


def range_span(text: str) -> Fraction | None:
    """``stop - start`` of an option written as one range ``start:stop:step`` (to suggest a step), else None."""
    pieces = text.strip().split(":")
    if "," in text or len(pieces) != 3:
        return None
    try:
        return parse_number(pieces[1]) - parse_number(pieces[0])
    except ValueError:
        return None


def fitting_step(span: Fraction, most: int, whole: bool = False) -> str:
    """The smallest round step that covers ``span`` in at most ``most`` values, for a message: the exact
    quotient rounded up to two significant digits (to a whole number for pixels), written as a decimal."""
    exact = span / max(most - 1, 1)
    if whole:
        return str(max(1, math.ceil(exact)))
    if exact <= 0:
        return "0"
    leading = len(str(exact.numerator)) - len(str(exact.denominator))  # 10^leading is within a factor 10
    while Fraction(10) ** leading > exact:
        leading -= 1
    while Fraction(10) ** (leading + 1) <= exact:
        leading += 1
    places = 1 - leading  # keep two significant digits
    scaled = math.ceil(exact * Fraction(10) ** places)
    from decimal import Decimal

    return format(Decimal(scaled).scaleb(-places).normalize(), "f")


def parse_whole(text: str, least: int = 0, unit: str = "") -> int:
    """A whole number written in digits, from ``least`` to ``MAX_WHOLE``, its digits counted before it is
    converted (``--depth 3``; ``unit`` is what it counts, for messages: ``" pixels"``)."""
    found = re.fullmatch(r"([+-]?)([0-9]+)", text.strip(), re.ASCII)
    if found is None:
        raise NotANumber(f"'{short(text)}' is not a whole number")
    sign, digits = found[1], found[2].lstrip("0") or "0"
    if sign == "-" and digits != "0" and least >= 0:
        raise ValueError(f"'{short(text)}' must be at least {least}{unit}")
    if len(digits) > len(str(MAX_WHOLE)) or int(digits) > MAX_WHOLE:
        raise ValueError(f"'{short(text)}' is more than {MAX_WHOLE:,}{unit}")
    value = int(digits)
    if value < least:
        raise ValueError(f"'{short(text)}' must be at least {least}{unit}")
    return value


def parse_resolution(text: str) -> int:
    """A resolution in pixels: a whole number written in digits, from 1 to ``MAX_WHOLE``."""
    try:
        return parse_whole(text, 1, " pixels")
    except NotANumber:
        raise ValueError(f"'{short(text)}' is not a resolution in pixels (a whole number)") from None
    except ValueError as error:
        raise ValueError(str(error).replace("at least 1 pixels", "at least 1 pixel")) from None


_DURATIONS = {"s": Fraction(1), "ms": Fraction(1, 1000), "us": Fraction(1, 10**6), "µs": Fraction(1, 10**6)}
_SIZES = {"B": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


def parse_duration(text: str) -> Fraction:
    """``20ms``, ``1.5 s``, ``300us`` -> exact seconds."""
    cleaned = text.strip()
    for unit in sorted(_DURATIONS, key=len, reverse=True):
        if cleaned.endswith(unit):
            number = cleaned[: -len(unit)].strip()
            try:
                value = parse_number(number)
            except NotANumber:
                break
            except ValueError as error:
                raise ValueError(str(error).replace(f"'{short(number)}'", f"'{short(text)}'", 1)) from None
            if value <= 0:
                raise ValueError(f"'{short(text)}' must be greater than 0")
            return value * _DURATIONS[unit]
    raise ValueError(f"'{short(text)}' is not a duration (write 20ms, 1.5s or 300us)")


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
        value = parse_number(number) * _SIZES[unit]
    except NotANumber:
        raise ValueError(f"'{short(text)}' is not a size (write 4MB, 512kB, 4MiB or a number of bytes)") from None
    except ValueError as error:
        raise ValueError(str(error).replace(f"'{short(number)}'", f"'{short(text)}'", 1)) from None
    if value <= 0 or value.denominator != 1:
        raise ValueError(f"'{short(text)}' must be a whole number of bytes above 0")
    return int(value)


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves rounded up (value >= 0)."""
    return math.floor(value + Fraction(1, 2))


def format_fraction(value: Fraction) -> str:
    """``3/4`` -> ``"0.75"``; ``6/7`` -> ``"6/7"``: a decimal when it is exact and short, else the fraction."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator == 1 and max(twos, fives) <= 6:
        digits = max(twos, fives)
        scaled = value * 10**digits
        text = str(scaled.numerator)
        if digits == 0:
            return text
        text = text.rjust(digits + 1, "0")
        return f"{text[:-digits]}.{text[-digits:]}".rstrip("0").rstrip(".")
    return f"{value.numerator}/{value.denominator}"
