"""Field values written as arithmetic: reading them from a spec, and filling in block arguments.

A numeric field may be an expression (``filters: planes * 4``, ``stride: s``), parsed by our own
whitelisted parser (``costcalc.spec.expressions``; spec text never reaches ``eval`` or sympy). Expressions are kept
until a block is called; then those of block arguments become plain values, checked by the field's own
parser. A channel count may also read ``in`` (the channels flowing into the layer), ``block_in`` (the
channels flowing into the innermost block) and ``alpha``, which are known only when the network is
evaluated: such a value stays ``Bound`` (the expression with its arguments) until then, and the count it
gives is used as it is: alpha has already been applied to the channels it reads.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from costcalc.layers import fields as f

RUNTIME_NAMES = ("in", "block_in", "alpha")


class Bound(NamedTuple):
    """A channel-count expression that reads ``in``/``block_in``/``alpha``, with its block arguments."""

    expr: Any  # costcalc.spec.expressions.Expr
    args: dict[str, Any]

    def __repr__(self) -> str:
        return f"Bound({self.expr.text!r})"


def is_expression(value: Any) -> bool:
    return hasattr(value, "variables") and hasattr(value, "evaluate")


def is_deferred(value: Any) -> bool:
    """A raw field value that waits for block arguments or for evaluation."""
    if isinstance(value, list):
        return any(is_expression(item) for item in value)
    return is_expression(value)


def literal(value: Any) -> Any:
    """A YAML number as an exact value: a float becomes a Fraction through its decimal text, read by costcalc's
    one number parser (``costcalc.quantities``); ``FieldError`` when it is inf, nan or beyond its bounds."""
    if isinstance(value, float):
        from costcalc.quantities import exact_number

        try:
            return exact_number(value)
        except ValueError as error:
            raise f.FieldError(str(error)) from None
    return value


def evaluate(expr: Any, args: dict[str, Any]) -> Any:
    """An expression of block arguments; a bare argument name is its value, whatever its type."""
    from costcalc.spec.expressions import ExprError

    name = expr.text.strip()
    if name in args:
        return args[name]
    try:
        return expr.evaluate(args)
    except ExprError as error:
        code = error.code if error.code != "E300" else None  # E307 (a value too large) is kept; E300 is the caller's
        raise f.FieldError(f"{error.message} (in '{expr.text}')", code) from None


def bind(field: f.SpecField, raw: Any, args: dict[str, Any]) -> Any:
    """The field's value with block arguments filled in, checked by its parser (``FieldError``)."""
    if isinstance(raw, list):
        items = [evaluate(item, args) if is_expression(item) else item for item in raw]
        return field.parse(items)
    if not is_expression(raw):
        return raw
    if raw.variables & set(RUNTIME_NAMES):
        return Bound(raw, {name: args[name] for name in raw.variables if name in args})
    value = evaluate(raw, args)
    try:
        return field.parse(value)
    except f.FieldError as error:
        shown = ", ".join(f"{name} = {f.describe(args[name])}" for name in sorted(raw.variables))
        raise f.FieldError(f"{error} ('{raw.text}' with {shown})" if shown else str(error)) from None
