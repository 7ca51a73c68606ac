"""The API's arguments read exactly and within the same bounds as the command line's options.

A notebook writes ``alpha=0.75``, ``alpha=Fraction(3, 4)`` or ``alpha="3/4"``: all three are the same exact
multiplier. A float is read through its shortest text (``repr(0.75) == "0.75"``), which is the number the user
typed, never through its binary value; every value then goes through ``costcalc.quantities``, the one parser of
numbers people type, so its bounds are the command line's (docs/security.md). A value of the wrong type or out
of bounds raises ``ArgumentError``, a ``ValueError`` that names the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TypeVar, Union

Number = Union[Fraction, int, float, str]
T = TypeVar("T")

MAX_BITS = 256  # an int or a Fraction's terms: far beyond every bound, and refused before it becomes text
MAX_LIST = 10_000  # values of one list argument: costcalc.quantities.MAX_VALUES, as for a list option


class ArgumentError(ValueError):
    """An argument of the API that is not a value it takes: the message names the argument."""


def _text(value: object, name: str, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (Fraction, int, float, str)):
        raise ArgumentError(f"{name}: expected {what} (a number, a Fraction or a string), got {type(value).__name__}")
    if isinstance(value, (Fraction, int)):
        value = Fraction(value)
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
            raise ArgumentError(f"{name}: a number of more than {MAX_BITS} bits is out of any bound costcalc takes")
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    return repr(value) if isinstance(value, float) else value


def _read(value: object, name: str, what: str, parse: Callable[[str], T]) -> T:
    text = _text(value, name, what)
    try:
        return parse(text)
    except ValueError as error:
        raise ArgumentError(f"{name}: {error}") from None


def multiplier(value: Number, name: str) -> Fraction:
    """A width, depth or resolution multiplier: ``0.75``, ``"3/4"``, ``Fraction(3, 4)``."""
    from costcalc.quantities import parse_multiplier

    return _read(value, name, "a multiplier", parse_multiplier)


def resolution(value: Number, name: str = "resolution") -> int:
    """A resolution in whole pixels."""
    from costcalc.quantities import parse_resolution

    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _read(value, name, "a resolution in pixels", parse_resolution)


def whole(value: Number, name: str) -> int:
    """A whole number from 0 (levels of blocks, ...)."""
    from costcalc.quantities import parse_whole

    return _read(value, name, "a whole number", parse_whole)


def count(value: Number, name: str) -> int:
    """A count: ``300_000_000``, ``"300M"``, ``"4.2e6"``."""
    from costcalc.quantities import parse_count

    return _read(value, name, "a count", parse_count)


def duration(value: Number, name: str) -> Fraction:
    """A latency: ``"20ms"``, or a number of seconds."""
    from costcalc.quantities import parse_duration

    text = _text(value, name, "a duration")
    return _read(text if isinstance(value, str) else text + "s", name, "a duration", parse_duration)


def size(value: Number, name: str) -> int:
    """A memory size: ``"4MB"``, ``"4MiB"``, or a number of bytes."""
    from costcalc.quantities import parse_size

    return _read(value, name, "a size", parse_size)


def values(given: Number | Iterable[Number], name: str, read: Callable[[Number, str], T]) -> list[T]:
    """One value or several (a list, a tuple, a range): each read by ``read``, at most ``MAX_LIST``; a string
    is one value (``"0.75"``), or a list or range as the command line writes it (``"0.25:1:0.05"``)."""
    if isinstance(given, str) and any(mark in given for mark in ",:"):
        from costcalc.quantities import parse_values

        try:
            return parse_values(given, lambda text: read(text, name))
        except ValueError as error:
            raise ArgumentError(str(error) if str(error).startswith(name) else f"{name}: {error}") from None
    if isinstance(given, (str, int, float, Fraction)):
        return [read(given, name)]
    found: list[T] = []
    for index, value in enumerate(given):
        if index >= MAX_LIST:
            raise ArgumentError(f"{name}: more than {MAX_LIST:,} values")
        found.append(read(value, f"{name}[{index}]"))
    if not found:
        raise ArgumentError(f"{name}: no value")
    return found


def choice(value: object, name: str, allowed: Iterable[str]) -> str:
    """One of ``allowed``, with a suggestion for a misspelt one."""
    options = list(allowed)
    if isinstance(value, str) and value in options:
        return value
    from costcalc.errors import did_you_mean

    hint = did_you_mean(value, options) if isinstance(value, str) else ""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise ArgumentError(f"{name}: {shown} is not one of {', '.join(options)}{hint}")
