"""The value of a parsed expression (costcalc.spec.expressions): exact ints and Fractions, or sympy values for
the ideal (unrounded) closed form, every intermediate value bounded.

``evaluate(env, ideal=True)`` accepts sympy values: rounding functions return their first argument, ``//`` is
``/``, ``%`` is an error and min/max become ``sympy.Min``/``sympy.Max``. There is no power operator, but a
product can still grow: ``a * a * a * a`` passed down as the next block's ``a`` through a few levels of blocks
has billions of digits. So every value computed (each operation's and each call's result, and the
expression's value) is bounded: integers, and the numerator and denominator of fractions, have at most
``MAX_BITS`` bits, or the evaluation stops at that operation with ``ExprError`` (code E307).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from costcalc.errors import did_you_mean
from costcalc.layers.width import make_divisible
from costcalc.spec.expressions import ExprError, Node, _normal

MAX_BITS = 128  # values below 2**128 (~3.4e38): far above any channel count, far below a slow one


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
    def __init__(self, text: str, env: Mapping[str, Any], ideal: bool):
        self.text, self.env, self.ideal = text, env, ideal
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
        name, args = node.value, [self.number(self.compute(arg), arg) for arg in node.args]
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
