"""The fields of layer kinds, which are also their spec schema: each ``SpecField`` has a parser (takes a YAML
value and returns it checked, or raises ``FieldError`` saying what was expected), a default (or none: the
field is required) and a one-line doc."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from costcalc.source.problems import describe

Parser = Callable[[Any], Any]

REQUIRED: Any = object()  # the default of a field that a spec must give

ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "swish", "silu", "hard_swish",
               "hard_sigmoid", "gelu", "mish")


class FieldError(ValueError):
    """A field value of the wrong type or range. ``code``: when set, the code to report it with instead of the
    caller's own (E307: an expression's value beyond its bound, costcalc.spec.expression_values.MAX_BITS)."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


def positive_int(value: Any) -> int:
    """A whole number from 1 to ``MAX_WHOLE`` (docs/spec-format.md: bounded, so that every count prints and
    computes at once)."""
    return _whole(value, 1)


def non_negative_int(value: Any) -> int:
    """A whole number from 0 to ``MAX_WHOLE``."""
    return _whole(value, 0)


def _whole(value: Any, least: int) -> int:
    from costcalc.quantities import MAX_WHOLE

    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"expected a whole number, got {describe(value)}")
    if value < least:
        raise FieldError(f"expected a whole number of at least {least}, got {describe(value)}")
    if value > MAX_WHOLE:
        raise FieldError(f"expected a whole number of at most {MAX_WHOLE:,} (2^53 - 1), got {describe(value)}")
    return value


def _pair_of(item: Parser, what: str) -> Parser:
    def parse(value: Any) -> tuple[int, int]:
        if isinstance(value, list):
            if len(value) != 2:
                raise FieldError(f"expected {what} or a list [height, width], got a list of {len(value)}")
            return (item(value[0]), item(value[1]))
        return (item(value), item(value))

    return parse


pair = _pair_of(positive_int, "a whole number")
pair.__doc__ = "A size that is square (``3``) or rectangular (``[3, 1]``, height then width)."


def padding(value: Any) -> str | tuple[int, int]:
    """``same`` (output = ceil(input / stride), TF), ``valid`` (no padding), or explicit pixels per side
    (``1`` or ``[1, 2]``, PyTorch's ``padding``)."""
    if isinstance(value, str):
        if value in ("same", "valid"):
            return value
        raise FieldError(f"expected 'same', 'valid' or a number of pixels, got {describe(value)}")
    pair_of_pixels: tuple[int, int] = _pair_of(non_negative_int, "'same', 'valid', a number of pixels")(value)
    return pair_of_pixels


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {describe(value)}")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FieldError(f"expected a non-empty string, got {describe(value)}")
    return value


def choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        if value not in options:
            from costcalc.errors import did_you_mean

            hint = did_you_mean(value, options) if isinstance(value, str) else ""
            listed = ", ".join(repr(o) for o in options)
            raise FieldError(f"expected one of {listed}, got {describe(value)}{hint}")
        return str(value)

    return parse


def probability(value: Any) -> Fraction:
    """A rate in [0, 1), kept exact (``0.2`` is ``Fraction(1, 5)``), read by costcalc's one number parser
    (``costcalc.quantities.exact_number``: inf, nan and numbers beyond its bounds are refused)."""
    from costcalc.quantities import NotANumber, exact_number

    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise FieldError(f"expected a number from 0 to 1, got {describe(value)}")
    try:
        rate = exact_number(value)
    except NotANumber:  # inf, nan
        raise FieldError(f"expected a number from 0 to 1, got {describe(value)}") from None
    except ValueError as error:
        raise FieldError(f"expected a number from 0 to 1: {error}") from None
    if not 0 <= rate < 1:
        raise FieldError(f"expected a number from 0 up to (not including) 1, got {describe(value)}")
    return rate


# Parsers of numbers: a spec may give their fields as arithmetic (``"planes * 4"``, costcalc.spec.expressions).
NUMERIC: set[Parser] = {positive_int, non_negative_int, pair, padding, probability}


class SpecField:
    """One field of a layer kind: its name (set by the kind), parser, default and documentation.

    ``runtime``: the field is a channel count whose expression may read the channels flowing in (``in``,
    ``block_in``) and ``alpha``, known only when the network is evaluated."""

    __slots__ = ("name", "parse", "default", "doc", "runtime")

    def __init__(self, parse: Parser, default: Any, doc: str, runtime: bool = False):
        self.name = ""
        self.parse, self.default, self.doc, self.runtime = parse, default, doc, runtime

    @property
    def numeric(self) -> bool:
        return self.parse in NUMERIC

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def __repr__(self) -> str:
        return f"SpecField({self.name!r}{', required' if self.required else f', default={self.default!r}'})"


def spec_field(parse: Parser, default: Any = REQUIRED, doc: str = "", runtime: bool = False) -> Any:
    """Declare a field of a layer kind (and so a key of its spec entry)."""
    return SpecField(parse, default, doc, runtime)


CALLS = ("module", "functional", "method", "subclass")


def call_field(*calls: str) -> Any:
    """How the model's code invokes the layer (costcalc.layers.components, "How a component is done"):
    ``module`` (an nn.Module of the standard type, the default), ``functional`` (``F.relu``, ``F.avg_pool2d``),
    ``method`` (``x.mean()``, ``torch.sigmoid``) or ``subclass`` (a module whose type counters do not match,
    such as ConvNeXt's ``LayerNorm2d``). Counting tools that hook modules or patch functions see these differently."""
    return spec_field(choice(*calls), "module", "how the model invokes it: " + " | ".join(calls) +
                      " (counting tools see each differently; docs/conventions.md)")


def name_field() -> Any:
    return spec_field(text, None, "layer name; generated when absent (conv_dw_3, conv_dw_3_bn, ...)")
