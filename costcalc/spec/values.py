"""Field values written as arithmetic: reading them from a spec, and filling in block arguments.

A numeric field may be an expression (``filters: planes * 4``, ``stride: s``), parsed by our own
whitelisted parser (``costcalc.spec.expressions``; spec text never reaches ``eval`` or sympy). Expressions are kept
until a block is called; then those of block arguments become plain values, checked by the field's own
parser. A channel count may also read ``in`` (the channels flowing into the layer), ``block_in`` (the
channels flowing into the innermost block) and ``alpha``, which are known only when the network is
evaluated: such a value stays ``Bound`` (the expression with its arguments) until then, and the count it
gives is used as it is: alpha has already been applied to the channels it reads.

Reading (``field_value``, ``arg_value``): a layer's field or a block's argument as written, checked against
what the entry may name (its ``Scope``); a problem is reported and the value is ``FAILED``.
"""

import re
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import Location, closest, did_you_mean
from costcalc.layers import fields as f
from costcalc.source.positioned import Mapping
from costcalc.source.problems import Problems, describe

RUNTIME_NAMES = ("in", "block_in", "alpha")
CONDITION_NAMES = ("in", "block_in")  # what an if/when condition may read besides arguments (then decided at evaluation)
DEPTH_FUNCTIONS = ("round_repeats",)  # = costcalc.spec.expressions.DEPTH_FUNCTIONS (not imported at start-up)
WIDTH_FUNCTIONS = ("head", "expanded")  # = costcalc.spec.expressions.WIDTH_FUNCTIONS


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


def evaluate(expr: Any, args: dict[str, Any], scaling: Any = None, ideal: bool = False) -> Any:
    """An expression of block arguments; a bare argument name is its value, whatever its type. ``scaling``
    gives round_repeats its value (costcalc.spec.expression_values.Scaling)."""
    from costcalc.spec.expressions import ExprError

    name = expr.text.strip()
    if name in args:
        return args[name]
    try:
        return expr.evaluate(args, ideal=ideal, scaling=scaling)
    except ExprError as error:
        code = error.code if error.code not in ("E300", "") else None  # E307, E320, E422 kept; E300 is the caller's
        raise f.FieldError(f"{error.message} (in '{expr.text}')", code) from None


def reads_runtime(expr: Any) -> bool:
    """Whether an expression's value waits for the evaluation: it reads ``in``, ``block_in`` or ``alpha``, or
    calls ``head``/``expanded`` (which read alpha and the width rule)."""
    return bool(expr.variables & set(RUNTIME_NAMES)) or not expr.functions.isdisjoint(WIDTH_FUNCTIONS)


def args_key(args: dict[str, Any]) -> tuple[tuple[str, type, Any], ...] | None:
    """Block arguments as a key, when they are plain values, each with its type (1, 1.0 and True are equal,
    not the same); else None. The layer an entry makes is a function of its arguments (``bind``), so the
    copies of a repeat can share one."""
    if any(type(value) not in (bool, int, str, Fraction, float, type(None)) for value in args.values()):
        return None
    return tuple((name, type(value), value) for name, value in sorted(args.items()))


def bind(field: f.SpecField, raw: Any, args: dict[str, Any]) -> Any:
    """The field's value with block arguments filled in, checked by its parser (``FieldError``)."""
    if isinstance(raw, list):
        items = [evaluate(item, args) if is_expression(item) else item for item in raw]
        return field.parse(items)
    if not is_expression(raw):
        return raw
    if reads_runtime(raw):
        return Bound(raw, {name: args[name] for name in raw.variables if name in args})
    value = evaluate(raw, args)
    try:
        return field.parse(value)
    except f.FieldError as error:
        shown = ", ".join(f"{name} = {describe(args[name])}" for name in sorted(raw.variables))
        raise f.FieldError(f"{error} ('{raw.text}' with {shown})" if shown else str(error)) from None


# --- reading a field or an argument from a spec ----------------------------------------------------------------

_NUMBER = r"[0-9.]+\Z"  # a pattern's text: re compiles it when first used, and caches it (start-up, issue 17)


_NAME = r"[A-Za-z_][A-Za-z0-9_]*\Z"


# What YAML 1.1 would have read as a number: 0x10, 0o17, 0b101, 010, 1_000, 1:30, 1e3, 1.5e3.
_YAML11_NUMBER = (r"[-+]?(0[xob][0-9a-fA-F_]+|0[0-9_]+|[0-9][0-9_]*(:[0-5]?[0-9])+|[0-9]+_[0-9_]*"
                  r"|[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+)\Z")


FAILED: Any = object()  # a value already reported as a problem


class Scope(NamedTuple):
    """What names an entry may use: the enclosing block's arguments (None at the top level) and every
    block's declared arguments."""

    args: dict[str, Any] | None
    blocks: dict[str, dict[str, Any]]


def _at_offset(location: Location, offset: int) -> Location:
    return Location(location.path, location.line, location.column + offset) if location.line else location


def parse_expression_at(problems: Problems, text: str, location: Location, context: str,
                        allowed: set[str], runtime_hint: bool, functions: tuple[str, ...] = ()) -> Any:
    """Parse ``text`` as an expression that may read ``allowed`` names and call, of the scaling functions,
    only ``functions``; ``FAILED`` after reporting."""
    from costcalc.spec.expressions import SCALING_FUNCTIONS, ExprError, parse_expression

    try:
        expr = parse_expression(text)
    except ExprError as error:
        problems.add(_at_offset(location, error.offset), f"{context}{error.message} (in '{text[:60]}')", "E300")
        return FAILED
    misplaced = sorted(expr.functions.intersection(SCALING_FUNCTIONS) - set(functions))
    for name in misplaced:
        where = ("a repeat count (`repeat: round_repeats(n)`): it scales the count by the depth multiplier"
                 if name in DEPTH_FUNCTIONS else "a channel count (filters, units, squeeze): it reads alpha and "
                 "the width rule")
        problems.add(location, f"{context}'{name}' in '{text[:60]}' is allowed only in {where}", "E230")
    if misplaced:
        return FAILED
    unknown = sorted(expr.variables - allowed)
    for name in unknown:
        if name in RUNTIME_NAMES:
            hint = ("; it can be used only in channel counts (filters, units, groups, squeeze)" if runtime_hint
                    else "; it is known only inside a layer's channel count")
        elif allowed:
            hint = did_you_mean(name, sorted(allowed)) or f"; the names here are: {', '.join(sorted(allowed))}"
        else:
            hint = "; names in expressions are a block's arguments, or in, block_in and alpha in channel counts"
        problems.add(location, f"{context}unknown name '{name}' in '{text[:60]}'{hint}", "E301")
    return FAILED if unknown else expr


def field_value(problems: Problems, mapping: Mapping, key: str, field: f.SpecField, context: str,
                 scope: Scope) -> Any:
    raw, at = mapping[key], mapping.value_at[key]
    args = set(scope.args or ())
    label = f"{context}'{key}': "
    allowed = args | (set(RUNTIME_NAMES) if field.runtime else set())
    try:
        if field.numeric and isinstance(raw, str) and not (field.parse is f.padding and raw in ("same", "valid")):
            word = raw.strip()
            if re.match(_YAML11_NUMBER, word):
                raise f.FieldError(f"expected a whole number, got the string {raw!r} (write it in plain decimal: "
                                   "YAML 1.1 forms such as 0x10, 010, 1_000, 1:30 and 1e3 are not numbers here)")
            if re.match(_NUMBER, word):
                field.parse(raw)  # a number in quotes: the parser's own "got the string '32'"
            if re.match(_NAME, word) and word not in allowed and not closest(word, allowed):
                field.parse(raw)  # a word that is no name here, such as `stride: yes`: "got the string 'yes'"
            expr = parse_expression_at(problems, raw, at, label, allowed, not field.runtime,
                                       WIDTH_FUNCTIONS if field.runtime else ())
            if expr is FAILED or expr.variables or expr.scaled:
                return expr
            return field.parse(evaluate(expr, {}))
        if field.numeric and isinstance(raw, list) and any(isinstance(item, str) for item in raw):
            items = []
            for item in raw:
                if isinstance(item, str):
                    item = parse_expression_at(problems, item, at, label, args, False)
                    if item is FAILED:
                        return FAILED
                    if not item.variables:
                        item = evaluate(item, {})
                items.append(item)
            return items if is_deferred(items) else field.parse(items)
        if not field.numeric and isinstance(raw, str) and raw in args and field.parse is not f.text:
            return parse_expression_at(problems, raw, at, label, args, False)
        return field.parse(raw)
    except f.FieldError as error:
        problems.add(at, f"{label}{error}", error.code or "E204")
        return FAILED


def index_name(problems: Problems, raw: Any, at: Location, scope: Scope) -> str | None:
    """The name a repeat gives its copy's number: a free name (no argument, no reserved word)."""
    from costcalc.spec.expressions import FUNCTIONS

    reserved = {*RUNTIME_NAMES, "name", "and", "or", "not", "true", "false", "True", "False", *FUNCTIONS}
    if not isinstance(raw, str) or not re.match(_NAME, raw):
        problems.add(at, f"repeat: 'index' is the name the layers read the copy's number by (0, 1, ...), a name "
                         f"of letters, digits and _; got {describe(raw)}", "E231")
        return None
    if raw in reserved or raw in (scope.args or {}):
        what = "an argument here" if raw in (scope.args or {}) else "reserved"
        problems.add(at, f"repeat: 'index': '{raw}' is {what}; choose another name", "E231")
        return None
    return raw


def arg_value(problems: Problems, raw: Any, at: Location, context: str, scope: Scope) -> Any:
    """A block argument as written in a call: a number, true/false, a string, an expression of the caller's
    own arguments, or a list of numbers and such expressions (a kernel [1, 7])."""
    if isinstance(raw, list):
        # a list in a list is refused here, said once; an item that fails on its own has said why
        items = [FAILED if isinstance(item, list) else arg_value(problems, item, at, context, scope) for item in raw]
        nested = any(isinstance(item, list) for item in raw)
        if nested or not items or any(isinstance(item, str) for item in items):
            problems.add(at, f"{context}a list argument holds numbers or expressions, like [1, 7], got "
                             f"{describe(raw)}", "E306")
            return FAILED
        return FAILED if any(item is FAILED for item in items) else items
    if isinstance(raw, (bool, int)):
        return raw
    if isinstance(raw, float):
        try:
            return literal(raw)
        except f.FieldError as error:
            problems.add(at, f"{context}{error}", error.code or "E306")
            return FAILED
    if isinstance(raw, str):
        from costcalc.spec.expressions import ExprError, parse_expression

        try:
            expr = parse_expression(raw)
        except ExprError:
            return raw
        caller = set(scope.args or ())
        if expr.scaled:
            problems.add(at, f"{context}'{raw[:60]}': round_repeats, head and expanded belong in a repeat count or "
                             "a channel count, not in a block argument", "E230")
            return FAILED
        if not expr.variables:
            try:
                return evaluate(expr, {})
            except f.FieldError as error:
                problems.add(at, f"{context}{error}", error.code or "E300")
                return FAILED
        if expr.variables <= caller:
            return expr
        if len(expr.variables) == 1 and raw.strip() in expr.variables:
            match = closest(raw.strip(), caller) if caller else None
            if match:
                problems.add(at, f"{context}unknown name '{raw.strip()}' (did you mean '{match}'?)", "E301")
                return FAILED
            return raw  # a plain string, such as an activation's name
        unknown = sorted(expr.variables - caller)
        names = f"{', '.join(unknown)}, which are not arguments" if len(unknown) > 1 else f"{unknown[0]}, which is not an argument"
        problems.add(at, f"{context}'{raw}' uses {names} of the calling block; block "
                         "arguments are fixed when the block is used (in, block_in and alpha belong in a layer's "
                         "channel count)", "E306")
        return FAILED
    problems.add(at, f"{context}a block argument is a number, true/false, a name or an expression, "
                     f"got {describe(raw)}", "E306")
    return FAILED
