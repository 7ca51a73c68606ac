"""The value of a parsed expression (costcalc.spec.expressions): exact ints and Fractions, or sympy values for
the ideal (unrounded) closed form, every intermediate value bounded.

``evaluate(env, ideal=True)`` accepts sympy values: rounding functions return their first argument, ``//`` is
``/``, ``%`` is an error, min/max become ``sympy.Min``/``sympy.Max`` and pow/log ``sympy.Pow``/``sympy.log``.
A product can grow: ``a * a * a * a`` passed down as the next block's ``a`` through a few levels of blocks
has billions of digits. So every value computed (each operation's and each call's result, and the
expression's value) is bounded: integers, and the numerator and denominator of fractions, have at most
``MAX_BITS`` bits, or the evaluation stops at that operation with ``ExprError`` (code E307). ``pow`` is
refused before it computes a power beyond that bound.

``pow(a, k)`` takes a whole exponent ``k`` (a fractional power is irrational in general). ``log(x, b)`` is
exact or refused: its value is kept only when it is a whole number (``log(8, 2)`` is 3); otherwise it must be
rounded where it is written, ``floor(log(x, b))``, ``ceil(...)`` or ``round(...)`` (half to even, as Python
and ``torch.round`` round), which costcalc decides exactly by comparing powers of ``b`` with ``x`` (RegNet's
``round(log(w / w0) / log(wm))`` is ``round(log(w / w0, wm))``). No float is ever part of a value.

The scaling functions (``expressions.SCALING_FUNCTIONS``) take their values from a ``Scaling``: the network
builder gives ``round_repeats``, the arithmetic of an evaluation gives ``head`` and ``expanded``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, Protocol

from costcalc.errors import did_you_mean
from costcalc.layers.width import make_divisible
from costcalc.spec.expressions import ExprError, Node, _normal

MAX_BITS = 128  # values below 2**128 (~3.4e38): far above any channel count, far below a slow one
MAX_LOG = 1024  # |log(x, b)| costcalc computes exactly (by powers of b): far beyond any network's need


class Scaling(Protocol):
    """What the scaling functions of an expression read. Each method may raise ``ExprError`` when the
    function is not known where it is evaluated (``round_repeats`` outside a repeat count)."""

    def repeats(self, count: Any) -> Any:
        """``round_repeats(count)``: the spec's depth rule applied to ``depth_multiplier · count``."""
        ...

    def head(self, count: Any) -> Any:
        """``head(count)``: a head's channels under the width rule (kept below alpha 1 by some rules)."""
        ...

    def expanded(self, count: Any, ratio: Any, channels_in: Any) -> Any:
        """``expanded(count, ratio)``: an expansion's channels under the width rule, from the table's width
        ``count`` or from the channels flowing in times ``ratio``."""
        ...


_ROUNDING: dict[str, Callable[[Any], int]] = {"ceil": math.ceil, "floor": math.floor, "round": round,
                                              "int": math.trunc}


_COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
                ">": operator.gt, ">=": operator.ge}


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv,
               "%": operator.mod}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return repr(value) if isinstance(value, str) else str(value)


class _Evaluator:
    def __init__(self, text: str, env: Mapping[str, Any], ideal: bool, scaling: Scaling | None = None):
        self.text, self.env, self.ideal, self.scaling = text, env, ideal, scaling
        self.sympy: Any = None
        if ideal:
            import sympy  # only symbolic evaluation loads sympy

            self.sympy = sympy

    def is_symbolic(self, value: Any) -> bool:
        return self.sympy is not None and isinstance(value, self.sympy.Basic)

    def to_sympy(self, value: Any) -> Any:
        if isinstance(value, Fraction):
            return self.sympy.Rational(value.numerator, value.denominator)
        return self.sympy.Integer(value) if isinstance(value, int) else value

    def number(self, value: Any, node: Node) -> Any:
        numeric = isinstance(value, (int, Fraction)) or self.is_symbolic(value) and isinstance(value, self.sympy.Expr)
        if isinstance(value, bool) or not numeric:
            raise ExprError(f"expected a number, got {_show(value)}", node.start)
        return value

    def truth(self, value: Any, node: Node) -> bool:
        if not isinstance(value, bool):
            raise ExprError(f"expected true or false, got {_show(value)}", node.start)
        return value

    def bounded(self, value: Any, node: Node) -> Any:
        """``value``, unless it (or its numerator or denominator) has more than ``MAX_BITS`` bits."""
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            parts: tuple[int, ...] = (value,)
        elif isinstance(value, Fraction):
            parts = (value.numerator, value.denominator)
        elif self.is_symbolic(value) and value.is_Rational:
            parts = (int(value.p), int(value.q))
        else:
            return value  # a symbolic expression: its size is bounded by the text's
        if any(part.bit_length() > MAX_BITS for part in parts):
            from costcalc.quantities import shown_integer

            largest = max(parts, key=lambda part: part.bit_length())
            raise ExprError(f"'{self.text[node.start:node.end]}' gives {shown_integer(abs(largest))}; an expression's "
                            f"values stay below 2^{MAX_BITS} (about 3.4e38), numerators and denominators too",
                            node.offset, "E307")
        return value

    def compute(self, node: Node) -> Any:
        kind = node.kind
        if kind in ("const", "var"):
            return node.value if kind == "const" else self.variable(node)
        return self.bounded(self.operate(node), node)

    def operate(self, node: Node) -> Any:
        kind, op, args = node.kind, node.value, node.args
        if kind == "call":
            return self.call(node)
        if op == "not":
            return not self.truth(self.compute(args[0]), args[0])
        if kind == "unary":
            value = self.number(self.compute(args[0]), args[0])
            return -value if op == "-" else value
        left, right = args
        if op in ("and", "or"):  # short-circuit, like Python: ``b != 0 and a / b > 1`` is safe
            first = self.truth(self.compute(left), left)
            return first if first == (op == "or") else self.truth(self.compute(right), right)
        a, b = self.compute(left), self.compute(right)
        if op in ("==", "!=") and isinstance(a, bool):
            return (a == self.truth(b, right)) == (op == "==")
        a, b = self.number(a, left), self.number(b, right)
        if self.is_symbolic(a) or self.is_symbolic(b):
            a, b = self.to_sympy(a), self.to_sympy(b)
        if op in _COMPARISONS:
            try:
                return bool(_COMPARISONS[op](a, b))
            except TypeError:
                raise ExprError(f"cannot decide '{self.text[node.start:node.end]}' symbolically", node.offset) from None
        if self.ideal and op == "%":
            raise ExprError("'%' has no ideal (unrounded) value", node.offset)
        if op in ("/", "//", "%") and b == 0:
            raise ExprError(f"division by zero in '{self.text[node.start:node.end]}'", node.offset)
        if op == "/" or self.ideal and op == "//":
            return _normal(a / b if self.is_symbolic(a) else Fraction(a) / b)
        return _normal(_ARITHMETIC[op](a, b))

    def variable(self, node: Node) -> Any:
        name = node.value
        if name not in self.env:
            raise ExprError(f"unknown variable '{name}'{did_you_mean(name, list(self.env))}", node.offset)
        return self.env[name]  # any type: operators and functions accept only numbers and bools

    def call(self, node: Node) -> Any:
        if node.value in _ROUNDING and node.args[0].kind == "call" and node.args[0].value == "log" and not self.ideal:
            inner = node.args[0]
            x, base = (self.number(self.compute(arg), arg) for arg in inner.args)
            return rounded_log(Fraction(x), Fraction(base), node.value, self.text[inner.start:inner.end], inner.offset)
        name, args = node.value, [self.number(self.compute(arg), arg) for arg in node.args]
        if name in ("pow", "log"):
            return self.power(node, args) if name == "pow" else self.log(node, args)
        if name in ("round_repeats", "head", "expanded"):
            return self.scaled(node, args)
        if name in ("min", "max"):
            if any(self.is_symbolic(arg) for arg in args):
                return getattr(self.sympy, name.capitalize())(*(self.to_sympy(arg) for arg in args))
            return min(args) if name == "min" else max(args)
        if name == "make_divisible":
            for arg, value in zip(node.args[1:], args[1:]):
                if type(value) is not int or value <= 0:
                    raise ExprError(f"'make_divisible' needs a positive whole number here, got {_show(value)}",
                                    arg.start)
            return args[0] if self.ideal else make_divisible(Fraction(args[0]), *args[1:])
        return args[0] if self.ideal else _ROUNDING[name](args[0])

    def scaled(self, node: Node, args: list[Any]) -> Any:
        name = node.value
        if self.scaling is None:
            where = "a repeat count" if name == "round_repeats" else "a channel count (filters, units, squeeze)"
            raise ExprError(f"'{name}' is known only in {where}", node.offset)
        if name == "round_repeats":
            return self.scaling.repeats(args[0])
        if name == "head":
            return self.scaling.head(args[0])
        return self.scaling.expanded(args[0], args[1], self.env.get("in"))

    def power(self, node: Node, args: list[Any]) -> Any:
        """``pow(a, k)``: a whole exponent; refused before computing a power beyond ``MAX_BITS``."""
        base, exponent = args
        if self.is_symbolic(base) or self.is_symbolic(exponent):
            return self.sympy.Pow(self.to_sympy(base), self.to_sympy(exponent))
        if not isinstance(exponent, int):
            raise ExprError(f"'pow' takes a whole exponent, got {_show(exponent)} (a fractional power is not "
                            "rational in general)", node.args[1].start, "E320")
        value = Fraction(base)
        if value == 0 and exponent < 0:
            raise ExprError(f"division by zero in '{self.text[node.start:node.end]}'", node.offset)
        size = max(value.numerator.bit_length(), value.denominator.bit_length())
        if size > 1 and (size - 1) * abs(exponent) + 1 > MAX_BITS:
            raise ExprError(f"'{self.text[node.start:node.end]}' would have more than {MAX_BITS} bits; an "
                            f"expression's values stay below 2^{MAX_BITS} (about 3.4e38)", node.offset, "E307")
        if abs(value) == 1:
            return _normal(value ** (exponent % 2))
        return _normal(value ** exponent)

    def log(self, node: Node, args: list[Any]) -> Any:
        """``log(x, b)`` when it is a whole number; an irrational logarithm must be rounded where written."""
        if self.ideal or any(self.is_symbolic(arg) for arg in args):
            return self.sympy.log(self.to_sympy(args[0]), self.to_sympy(args[1]))
        text = self.text[node.start:node.end]
        x, base = Fraction(args[0]), Fraction(args[1])
        floor = rounded_log(x, base, "floor", text, node.offset)
        if _power(base, floor, text, node.offset) != x:
            raise ExprError(f"'{text}' is not a whole number, and costcalc keeps a logarithm only when it is one; "
                            f"round it where it is written: floor({text}), ceil({text}) or round({text})", node.offset, "E320")
        return floor


def _power(base: Fraction, exponent: int, text: str, offset: int) -> Fraction:
    if abs(exponent) > MAX_LOG:
        raise ExprError(f"'{text}' is beyond {MAX_LOG}: costcalc computes logarithms exactly only up to there",
                        offset, "E320")
    return base ** exponent


def rounded_log(x: Fraction, base: Fraction, mode: str, text: str, offset: int) -> int:
    """``floor``, ``ceil``, ``round`` (half to even) or ``int`` (towards zero) of ``log(x, base)``, exactly:
    the float estimate only says where to start; powers of ``base`` compared with ``x`` decide."""
    if x <= 0 or base <= 0 or base == 1:
        raise ExprError(f"'{text}' needs x > 0 and a base > 0 other than 1", offset, "E320")
    if base < 1:  # log_b(x) = -log_(1/b)(x): floor becomes ceil and the other way round
        flipped = {"floor": "ceil", "ceil": "floor"}.get(mode, mode)
        return -rounded_log(x, 1 / base, flipped, text, offset)
    if mode == "round":  # k - 1/2 <= log_b(x) < k + 1/2, decided on x squared; a tie goes to the even k
        twice = rounded_log(x * x, base, "floor", text, offset)
        if twice % 2 == 0:
            return twice // 2
        half = twice // 2
        tie = _power(base, twice, text, offset) == x * x
        return half + (0 if tie and half % 2 == 0 else 1)
    estimate = (math.log(x.numerator) - math.log(x.denominator)) / (math.log(base.numerator) - math.log(base.denominator))
    k = math.floor(max(-MAX_LOG - 2, min(MAX_LOG + 2, estimate)))
    while _power(base, k, text, offset) > x:
        k -= 1
    while _power(base, k + 1, text, offset) <= x:
        k += 1
    if mode == "ceil" or (mode == "int" and k < 0):
        return k if _power(base, k, text, offset) == x else k + 1
    return k
