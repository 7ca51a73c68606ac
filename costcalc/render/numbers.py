"""Number formatting shared by the renderers: exact, no floats on the way to a count."""

from __future__ import annotations

from fractions import Fraction

from costcalc.quantities import format_fraction, round_half_up

BAR_BLOCKS = " ▏▎▍▌▋▊▉█"


def thousands(value: int) -> str:
    return f"{value:,}"


def rounded(value: Fraction, places: int) -> str:
    """``value`` to ``places`` decimals, halves away from zero, from the exact fraction."""
    scaled = round_half_up(abs(value) * 10**places)
    sign = "-" if value < 0 and scaled else ""
    whole, part = divmod(scaled, 10**places)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def percent(value: Fraction, places: int = 2) -> str:
    return f"{rounded(value * 100, places)}%"


def compact(value: int) -> str:
    """``568740352`` -> ``568.7M``; ``4209088`` -> ``4.2M`` (one decimal, exact rounding)."""
    for size, suffix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
        if abs(value) >= size:
            return f"{rounded(Fraction(value, size), 1)}{suffix}"
    return str(value)


def times(value: Fraction) -> str:
    """``8.56×``; small ratios keep two significant digits (``0.0021×``) instead of showing ``0.00×``."""
    places = 2
    while value and abs(value) * 10**places < 10 and places < 12:
        places += 1
    return f"{rounded(value, places)}×"


def plural(count: int, noun: str) -> str:
    """``1 pair``, ``13 pairs``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def bar(value: Fraction, width: int = 10) -> str:
    """A horizontal bar of ``value`` (0..1) of ``width`` cells, in eighths of a cell."""
    eighths = round_half_up(max(Fraction(0), min(Fraction(1), value)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BAR_BLOCKS[rest] if rest else "")


def shape_text(shape: object, separator: str = "×") -> str:
    """``14×14×768`` for a feature map, ``197×768 tokens`` for tokens (costcalc.layers.base.Tokens)."""
    label = getattr(shape, "label", None)
    if label is not None:
        return str(label(separator))
    return separator.join(str(part) for part in shape)  # type: ignore[attr-defined]


def multiplier(value: Fraction) -> str:
    return format_fraction(value)


def duration(seconds: Fraction) -> str:
    """``12.35 ms``, ``345.6 µs``, ``1.235 s``: four significant figures or so, for a reader (JSON keeps the
    exact fraction)."""
    value = float(seconds)
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3f} ms"
    return f"{value * 1e6:.1f} µs"


def metric_value(metric: str, value: object, exact: bool = False) -> str:
    """A sweep cell: a count (compact, or in full when ``exact``), a duration, or a size in bytes."""
    if metric == "latency":
        return duration(value)  # type: ignore[arg-type]
    if metric == "peak-memory":
        return thousands(value) if exact else byte_size(value)  # type: ignore[arg-type]
    return thousands(value) if exact else compact(value)  # type: ignore[arg-type]


def byte_size(count: int) -> str:
    """``16.8 MB`` (decimal units: 1 MB = 10⁶ bytes), ``512 B``."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            return f"{rounded(Fraction(count, size), 1)} {unit}"
    return f"{count} B"


def scaling_shown(evaluation: object) -> list[tuple[str, str]]:
    """The scaling a text header shows beyond alpha and rho: the depth multiplier when it is not 1 or the spec
    scales depth, and the width rule when it is a named preset (a spec's, a variant's or --width-rule's). A
    spec that declares neither shows neither: its header is what it was."""
    spec = evaluation.spec  # type: ignore[attr-defined]
    shown = []
    depth = evaluation.depth_multiplier  # type: ignore[attr-defined]
    if depth != 1 or spec.scales_depth:
        shown.append(("depth", multiplier(depth)))
    if spec.width.preset is not None:
        shown.append(("width rule", spec.width.preset))
    return shown
