"""Tests of ``costcalc.spec.expressions``: the safe expression language of spec field values.

Precedence, exact arithmetic, the whitelisted functions, every error message and offset, attack strings,
ideal (sympy) mode, and hypothesis properties: random text parses or raises ExprError, and random
arithmetic trees evaluate to what an independent int/Fraction computation gives.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.layers import width
from costcalc.spec.expression_values import MAX_BITS
from costcalc.spec.expressions import FUNCTIONS, Expr, ExprError, parse_expression


def value(text: str, **env: Any) -> Any:
    return parse_expression(text).evaluate(env)


def error(text: str, env: dict[str, Any] | None = None, ideal: bool = False) -> ExprError:
    with pytest.raises(ExprError) as info:
        expr = parse_expression(text)
        if env is not None:
            expr.evaluate(env, ideal=ideal)
    return info.value


# --- values ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("10 - 3 - 2", 5), ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("-2 * 3", -6), ("2 * -3", -6), ("- -3", 3),
    ("+4", 4), ("7 // 2", 3), ("-7 // 2", -4), ("7 % 3", 1), ("-7 % 3", 2), ("7 / 2", Fraction(7, 2)),
    ("24 / 4 / 2", 3), ("2 * 3 // 4", 1), ("2 - 3 + 4", 3), ("1 + 2 == 3", True), ("1 < 2 == true", None),
    ("0.1 + 0.2", Fraction(3, 10)), ("0.25", Fraction(1, 4)), ("1.50 * 2", 3), ("007", 7),
])
def test_arithmetic_and_precedence(text: str, expected: Any) -> None:
    if expected is None:  # "1 < 2 == true" is a chained comparison
        assert error(text).message.startswith("comparisons cannot be chained")
        return
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


def test_whole_results_are_ints_and_no_float_appears() -> None:
    for text in ("4 / 2", "0.5 * 4", "1.0", "0.75 + 0.25", "7.5 // 2", "ceil(0.5)", "max(0.5, 2)"):
        result = value(text)
        assert type(result) is int, text
    assert type(value("7.5 % 2")) is Fraction


@pytest.mark.parametrize(("text", "expected"), [
    ("ceil(2.1)", 3), ("ceil(-2.1)", -2), ("floor(2.9)", 2), ("floor(-2.1)", -3), ("ceil(4)", 4),
    ("round(2.5)", 2), ("round(3.5)", 4), ("round(-2.5)", -2), ("round(2.51)", 3), ("round(7 / 3)", 2),
    ("int(2.5)", 2), ("int(-2.5)", -2), ("int(-7 / 2)", -3), ("int(5)", 5),
    ("min(3)", 3), ("min(3, 1, 2)", 1), ("max(1, 2.5)", Fraction(5, 2)), ("max(-1, -2)", -1),
    ("make_divisible(32 * 0.75, 8)", 24), ("make_divisible(96 * 0.35, 8)", 32), ("make_divisible(3, 8)", 8),
    ("make_divisible(3, 8, 1)", 9), ("make_divisible(1, 8, 2)", 2), ("make_divisible(16 * 0.25, 2, 6)", 6),
])
def test_functions(text: str, expected: Any) -> None:
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


@given(channels=st.integers(1, 2048), hundredths=st.integers(1, 400), divisor=st.sampled_from([1, 2, 4, 8, 16]),
       min_value=st.one_of(st.none(), st.integers(1, 64)))
def test_make_divisible_calls_the_width_rule(channels: int, hundredths: int, divisor: int, min_value: int | None) -> None:
    alpha = Fraction(hundredths, 100)
    extra = "" if min_value is None else f", {min_value}"
    text = f"make_divisible(c * {hundredths // 100}.{hundredths % 100:02d}, {divisor}{extra})"
    assert value(text, c=channels) == width.make_divisible(channels * alpha, divisor, min_value)


def test_torchvision_make_divisible_values() -> None:
    assert width.make_divisible(Fraction(32) * Fraction("0.75"), 8) == 24
    assert width.make_divisible(Fraction(96) * Fraction("0.35"), 8) == 32


def test_variables_including_in() -> None:
    expr = parse_expression("make_divisible(in * alpha, 8) + max(1, block_in // 4) - in")
    assert isinstance(expr, Expr)
    assert expr.text == "make_divisible(in * alpha, 8) + max(1, block_in // 4) - in"
    assert expr.variables == frozenset({"in", "alpha", "block_in"})
    assert expr.evaluate({"in": 32, "alpha": Fraction(3, 4), "block_in": 16}) == 24 + 4 - 32
    assert value("in * 4", **{"in": 3}) == 12
    assert parse_expression("true and max(1, 2) > 0").variables == frozenset()
    assert parse_expression("x * x + _y2").variables == frozenset({"x", "_y2"})


@pytest.mark.parametrize(("stride", "project", "expected"), [(1, False, True), (1, True, False), (2, False, False)])
def test_boolean_logic(stride: int, project: bool, expected: bool) -> None:
    assert value("stride == 1 and not project", stride=stride, project=project) is expected


def test_boolean_operators() -> None:
    assert value("true or false and false") is True  # and binds tighter than or
    assert value("not true or true") is True  # not binds tighter than or
    assert value("not 1 == 2") is True  # ... and looser than ==
    assert value("True and not False") is True
    assert value("(1 < 2) == (3 < 4)") is True
    assert value("(1 < 2) != true") is False
    assert value("1 != 2 and 2 <= 2 and 3 >= 3 and 1 < 2 and 2 > 1") is True
    assert value("b != 0 and a / b > 1", a=1, b=0) is False  # short-circuits like Python
    assert value("b == 0 or a / b > 1", a=1, b=0) is True
    assert value("0.5 == 1 / 2") is True


# --- errors: what and where -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message", "offset"), [
    ("", "empty expression", 0),
    ("  \t", "empty expression", 0),
    ("1 +", "expected a value, got the end", 3),
    ("(1 + 2", "expected a closing ')'", 6),
    ("1 + 2)", "unexpected ')'", 5),
    (")", "expected a value, got ')'", 0),
    ("1 2", "expected an operator, got '2'", 2),
    ("a < b < c", "comparisons cannot be chained (write 'a < b and b < c')", 6),
    ("a == not b", "'not' needs parentheses here: write (not ...)", 5),
    ("2 ** 3", "'**' is not supported (there is no power operator)", 2),
    ("x.y", "'.' attribute access is not supported", 1),
    ("x[0]", "'[' subscripts are not supported", 1),
    ("'a'", "strings are not supported", 0),
    ('1 + "a"', "strings are not supported", 4),
    ("a = 1", "'=' is not supported (use '==' to compare)", 2),
    ("max(a=1, b=2)", "'=' is not supported (use '==' to compare)", 5),
    ("!a", "'!' is not supported (use 'not')", 0),
    ("a && b", "'&' is not supported (use 'and')", 2),
    ("a || b", "'|' is not supported (use 'or')", 2),
    ("a ^ b", "unexpected character '^'", 2),
    ("lambda: 1", "unexpected character ':'", 6),
    ("α", "unexpected character 'α'", 0),
    ("1e3", "exponents like '1e3' are not supported", 1),
    ("1_000", "underscores in numbers are not supported", 1),
    ("3x", "expected an operator after the number, got 'x'", 1),
    (".5", "a decimal needs a digit before '.' (write 0.5, not .5)", 0),
    ("1.", "expected digits after '.'", 2),
    ("1.x", "expected digits after '.'", 2),
    ("1" * 31, "number is longer than 30 digits", 0),
    ("0." + "1" * 30, "number is longer than 30 digits", 0),
    ("eval(1)", "unknown function 'eval'", 0),
    ("flor(2.5)", "unknown function 'flor' (did you mean 'floor'?)", 0),
    ("x + Max(1, 2)", "unknown function 'Max' (did you mean 'max'?)", 4),
    ("ceil(1, 2)", "'ceil' takes 1 argument, got 2", 0),
    ("round()", "'round' takes 1 argument, got 0", 0),
    ("min()", "'min' takes at least 1 argument, got 0", 0),
    ("make_divisible(1)", "'make_divisible' takes 2 or 3 arguments, got 1", 0),
    ("make_divisible(1, 2, 3, 4)", "'make_divisible' takes 2 or 3 arguments, got 4", 0),
    ("max(1 2)", "expected ',' or a closing ')'", 6),
    ("max(1,)", "expected a value, got ')'", 6),
    ("true(1)", "expected an operator, got '('", 4),
    ("and", "expected a value, got 'and'", 0),
    ("1 + not x", "'not' needs parentheses here: write (not ...)", 4),
    ("x" * 501, "expression is longer than 500 characters", 500),
    ("(" * 33 + "1" + ")" * 33, "expression is nested more than 32 levels deep", 32),
    ("-" * 33 + "1", "expression is nested more than 32 levels deep", 32),
    ("+".join(["1"] * 101), "expression has more than 200 tokens", 200),
])
def test_parse_errors(text: str, message: str, offset: int) -> None:
    err = error(text)
    assert (err.message, err.offset) == (message, offset)
    assert str(err) == message
    assert isinstance(err, ValueError)


def test_limits_are_inclusive() -> None:
    assert value("(" * 32 + "1" + ")" * 32) == 1
    assert value("-" * 32 + "1") == 1
    assert value("+".join(["1"] * 100)) == 100
    assert value("1" * 30) == int("1" * 30)
    assert parse_expression(" " * 499 + "1").evaluate({}) == 1


@pytest.mark.parametrize(("text", "env", "message", "offset"), [
    ("1 / 0", {}, "division by zero in '1 / 0'", 2),
    ("a // (b - b)", {"a": 1, "b": 2}, "division by zero in 'a // (b - b)'", 2),
    ("1 + a % 0.0", {"a": 1}, "division by zero in 'a % 0.0'", 6),
    ("true + 1", {}, "expected a number, got true", 0),
    ("1 + (2 < 3)", {}, "expected a number, got true", 4),
    ("-flag", {"flag": False}, "expected a number, got false", 1),
    ("ceil(true)", {}, "expected a number, got true", 5),
    ("1 == true", {}, "expected a number, got true", 5),
    ("true == 1", {}, "expected true or false, got 1", 8),
    ("1 and true", {}, "expected true or false, got 1", 0),
    ("true and 0.5", {}, "expected true or false, got 1/2", 9),
    ("not x", {"x": 3}, "expected true or false, got 3", 4),
    ("1 + channels", {"chanels": 1}, "unknown variable 'channels' (did you mean 'chanels'?)", 4),
    ("nope", {"in": 1}, "unknown variable 'nope'", 0),
    ("make_divisible(3, 0.5)", {}, "'make_divisible' needs a positive whole number here, got 1/2", 18),
    ("make_divisible(3, 8, 0)", {}, "'make_divisible' needs a positive whole number here, got 0", 21),
    ("make_divisible(3, -8)", {}, "'make_divisible' needs a positive whole number here, got -8", 18),
    ("make_divisible(3, d)", {"d": True}, "expected a number, got true", 18),
])
def test_evaluate_errors(text: str, env: dict[str, Any], message: str, offset: int) -> None:
    err = error(text, env)
    assert (err.message, err.offset) == (message, offset)


def test_other_types_in_env_are_refused_when_used() -> None:
    env = {"act": "relu", "x": 0.5, "n": 3, "sizes": [1, 2]}
    assert parse_expression("act").evaluate(env) == "relu"  # a bare name is its value
    assert parse_expression("n + 1").evaluate(env) == 4  # unused values are not checked
    assert error("act + 1", env).message == "expected a number, got 'relu'"
    assert error("act == act", env).message == "expected a number, got 'relu'"
    assert error("not act", env).message == "expected true or false, got 'relu'"
    assert error("ceil(x)", env).message == "expected a number, got 0.5"  # never float arithmetic
    assert error("max(n, sizes)", env).message == "expected a number, got [1, 2]"


def test_functions_list() -> None:
    assert FUNCTIONS == ("ceil", "floor", "round", "int", "min", "max", "make_divisible", "pow", "log",
                         "round_repeats", "head", "expanded")


ATTACKS = [
    "__import__('os').system('x')", "().__class__", "().__class__.__bases__[0].__subclasses__()", "lambda: 1",
    "x[0]", "10**10**10", "'a'*10", "x" * 100_000, "(" * 1000 + "1" + ")" * 1000, "(" * 250, "-" * 499 + "1",
    "not " * 100 + "true", "max(" * 100, "9" * 400, "1" + "*9" * 150, "open('/etc/passwd')", "exec('1')",
    "globals()", "x.__dict__", "f'{x}'", "b'x'", "1 if x else 2", "[x for x in y]", "{}", "\\x00", "\x00",
    "a; b", "import os", "a\nb", "# comment", "...", "@x", "~1", "1 << 64", "$x", "`x`",
]


@pytest.mark.parametrize("text", ATTACKS, ids=range(len(ATTACKS)))
def test_attack_strings_raise_expr_error(text: str) -> None:
    # How long a refusal takes is bounded by the parser's limits on length, tokens and depth (tested above),
    # not timed here: a test never reads the clock.
    err = error(text, {"x": 1, "y": 1, "a": 1, "b": 1})
    assert err.message and 0 <= err.offset <= len(text)


def test_largest_values_stay_small_and_exact() -> None:
    # no power operator, and every value below 2**128 (MAX_BITS): a 30-digit number times 10**8 is the most a
    # product of two literals gives; one more digit and the evaluation stops, at the operator (issue 12)
    big = "9" * 30
    assert value(f"{big} * 100000000") == int(big) * 10**8
    err = error(f"{big} * 1000000000", {})
    assert err.code == "E307" and err.offset == len(big) + 1


def test_exact_mode_does_not_import_sympy() -> None:
    code = ("import sys; from costcalc.spec.expressions import parse_expression as p; "
            "assert p('make_divisible(in * 0.75, 8) // 2 + max(1, in // 3)').evaluate({'in': 32}) == 22; "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- ideal (symbolic) mode ------------------------------------------------------------------------------------


def test_ideal_mode_with_sympy_symbols() -> None:
    sympy = pytest.importorskip("sympy")
    channels, alpha = sympy.Symbol("in", positive=True), sympy.Symbol("alpha", positive=True)
    env = {"in": channels, "alpha": alpha, "n": 10}

    def ideal(text: str) -> Any:
        return parse_expression(text).evaluate(env, ideal=True)

    assert ideal("make_divisible(in * 6, 8)") == 6 * channels
    assert ideal("in // 4") == channels / 4
    assert ideal("7 // 2") == Fraction(7, 2)  # // is / in ideal mode, even for numbers
    assert ideal("ceil(in * 0.25) + floor(in) + round(in) + int(in)") == channels / 4 + 3 * channels
    assert ideal("make_divisible(in * alpha, 8, 16)") == channels * alpha
    assert ideal("max(1, in // 4)") == sympy.Max(1, channels / 4)
    assert ideal("min(n, 2)") == 2
    result = ideal("in * 0.1 + 1 / 3 + alpha / 3")
    assert result == channels * sympy.Rational(1, 10) + sympy.Rational(1, 3) + alpha / 3
    assert not result.atoms(sympy.Float)
    assert ideal("in > 0") is True  # decidable from the symbol's assumptions
    assert ideal("n == 10 and in == in") is True
    err = error("in % 2", env, ideal=True)
    assert (err.message, err.offset) == ("'%' has no ideal (unrounded) value", 3)
    err = error("in < 8 or true", env, ideal=True)
    assert (err.message, err.offset) == ("cannot decide 'in < 8' symbolically", 3)
    err = error("in / (n - 10)", env, ideal=True)
    assert err.message == "division by zero in 'in / (n - 10)'"
    assert error("in + 1", env).message == "expected a number, got in"  # exact mode refuses sympy values


# --- properties -----------------------------------------------------------------------------------------------

WORDS = ["in", "x", "alpha", "1", "0", "2.5", "0.75", "+", "-", "*", "/", "//", "%", "**", "(", ")", ",", ".", "[",
         "and", "or", "not", "==", "!=", "<", "<=", ">", ">=", "true", "False", "max", "min", "make_divisible",
         "round", "ceil", "int", "floor", "foo", "'", "=", " "]
ENVS = [{"in": 32, "x": 3, "alpha": Fraction(3, 4)}, {"in": True, "x": False, "alpha": 0}]


def _parse_or_error(text: str) -> None:
    try:
        expr = parse_expression(text)
    except ExprError as err:
        assert err.message and 0 <= err.offset <= len(text)
        return
    for env in ENVS:
        try:
            result = expr.evaluate({**env, "foo": 1})
        except ExprError as err:
            assert err.message and 0 <= err.offset <= len(text)
        else:
            assert type(result) in (int, Fraction, bool)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_random_ascii_parses_or_raises_expr_error(text: str) -> None:
    _parse_or_error(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_random_token_soup_parses_or_raises_expr_error(text: str) -> None:
    _parse_or_error(text)


LEVELS = {"+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6}
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(lambda n: (str(n), n)),
    st.tuples(st.integers(0, 99), st.integers(0, 999)).map(
        lambda t: (f"{t[0]}.{t[1]:03d}", t[0] + Fraction(t[1], 1000))),
)
TREES = st.recursive(
    NUMBERS.map(lambda leaf: ("leaf", *leaf)),
    lambda children: st.one_of(
        children.map(lambda child: ("neg", child)),
        st.tuples(st.sampled_from(sorted(LEVELS)), children, children),
    ),
    max_leaves=12,
)


def render(tree: tuple, parens: bool) -> tuple[str, int]:
    """Source text with as few parentheses as Python's precedence needs (or all of them), and its level."""
    if tree[0] == "leaf":
        return tree[1], 9
    if tree[0] == "neg":
        text, level = render(tree[1], parens)
        return ("-" + text if level >= 7 and not parens else f"-({text})"), 7
    op, left, right = tree
    (left_text, left_level), (right_text, right_level) = render(left, parens), render(right, parens)
    if parens or left_level < LEVELS[op]:
        left_text = f"({left_text})"
    if parens or right_level <= LEVELS[op]:  # left-associative
        right_text = f"({right_text})"
    return f"{left_text} {op} {right_text}", LEVELS[op]


def compute(tree: tuple) -> int | Fraction:
    """The value with Python's own int/Fraction arithmetic."""
    if tree[0] == "leaf":
        return tree[2]
    if tree[0] == "neg":
        return -compute(tree[1])
    op, a, b = tree[0], compute(tree[1]), compute(tree[2])
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise ZeroDivisionError
    return Fraction(a) / b if op == "/" else a // b if op == "//" else a % b


@settings(max_examples=300)
@given(TREES)
def test_random_arithmetic_matches_python(tree: tuple) -> None:
    for parens in (False, True):
        text = render(tree, parens)[0]
        if len(text) > 500:
            continue
        try:
            expected = compute(tree)
        except ZeroDivisionError:
            assert error(text, {}).message.startswith("division by zero in ")
            continue
        result = value(text)
        assert result == expected, text
        assert type(result) is (int if Fraction(expected).denominator == 1 else Fraction), text


@given(st.integers(-50, 50), st.integers(-50, 50), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
def test_comparisons_match_python(a: int, b: int, op: str) -> None:
    expected = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    assert value(f"a {op} b", a=a, b=b) is expected
    assert value(f"not a {op} b", a=a, b=b) is (not expected)


# --- every value bounded as it is computed (issue 12) -----------------------------------------------------------
#
# No power operator, yet a product passed down through blocks grows as a tower; so every value the evaluator
# computes, each operation's and each call's and the expression's own, is at most MAX_BITS bits, numerator and
# denominator alike, or the evaluation stops there with code E307.

LIMIT = 2**MAX_BITS  # the first value over the bound


@pytest.mark.parametrize("text, env, at", [
    ("a * a", {"a": 2**64}, 2),  # 2**128: one bit too many, at the operator
    ("a + a", {"a": 2**127}, 2),
    ("a - b", {"a": -(2**127), "b": 2**127}, 2),
    ("-a - 1", {"a": LIMIT - 1}, 3),
    ("1 / a", {"a": LIMIT}, 2),  # a fraction's denominator
    ("a / 3", {"a": Fraction(1, LIMIT)}, 2),
    ("a // 1", {"a": LIMIT}, 2),
    ("x * 2 + 1", {"x": 2**127}, 2),  # the first operation over the bound is the one named
    ("min(a, 1) + max(a)", {"a": LIMIT}, 12),  # a call's result
    ("ceil(a)", {"a": Fraction(LIMIT * 3, 2)}, 0),
    ("floor(a)", {"a": Fraction(LIMIT * 3, 2)}, 0),
    ("round(a)", {"a": Fraction(LIMIT * 3, 2)}, 0),
    ("int(a)", {"a": Fraction(LIMIT * 3, 2)}, 0),
    ("make_divisible(a, 8)", {"a": LIMIT - 1}, 0),  # rounds up to 2**128
    ("a", {"a": LIMIT}, 0),  # the expression's own value, a bare variable too
])
def test_values_over_the_bound_stop_the_evaluation_where_they_appear(text: str, env: dict[str, Any], at: int) -> None:
    err = error(text, env)
    assert err.code == "E307"
    assert err.offset == at
    assert "an expression's values stay below 2^128" in err.message


def test_values_at_the_bound_are_exact() -> None:
    assert value("a * a - 1", a=2**64 - 1) == (2**64 - 1) ** 2 - 1
    assert value("a + a", a=2**127 - 1) == 2**128 - 2
    assert value("1 / a", a=LIMIT - 1) == Fraction(1, LIMIT - 1)
    assert value("make_divisible(a, 8)", a=LIMIT - 8) == LIMIT - 8
    assert value("a > b", a=2**1000, b=1) is True  # comparisons give true or false: nothing to bound


@settings(max_examples=300, deadline=None)
@given(a=st.integers(-(2**129), 2**129), b=st.integers(-(2**129), 2**129).filter(bool),
       op=st.sampled_from(["+", "-", "*", "/", "//", "%"]))
def test_an_operation_is_exact_or_refused_at_the_bound(a: int, b: int, op: str) -> None:
    exact = {"+": a + b, "-": a - b, "*": a * b, "/": Fraction(a, b), "//": a // b, "%": a % b}[op]
    parts = (exact.numerator, exact.denominator) if isinstance(exact, Fraction) else (exact,)
    fits = all(part.bit_length() <= MAX_BITS for part in parts)
    operands_fit = a.bit_length() <= MAX_BITS and b.bit_length() <= MAX_BITS
    if fits and operands_fit:
        assert value(f"a {op} b", a=a, b=b) == exact
    elif not fits:
        assert error(f"a {op} b", {"a": a, "b": b}).code == "E307"


def test_a_tower_of_products_stops_at_once() -> None:
    # a * a * a * a at each of 32 levels would have 4**32 times the digits of a; the bound stops it at the
    # first product over 2**128, having built nothing larger than two 128-bit numbers multiplied
    expr = parse_expression("a * a * a * a")
    a: Any = 99
    for _level in range(32):
        try:
            a = expr.evaluate({"a": a})
        except ExprError as caught:
            assert caught.code == "E307"
            break
    else:
        pytest.fail("the tower never reached the bound")
    assert a.bit_length() <= MAX_BITS


def test_the_bound_holds_in_ideal_mode() -> None:
    sympy = pytest.importorskip("sympy")
    assert error("a * a", {"a": sympy.Integer(2**64)}, ideal=True).code == "E307"
    assert error("a / 3", {"a": sympy.Rational(1, 2**130)}, ideal=True).code == "E307"
    alpha = sympy.Symbol("alpha", positive=True)
    assert parse_expression("a * alpha").evaluate({"a": 2**100, "alpha": alpha}, ideal=True) == 2**100 * alpha
