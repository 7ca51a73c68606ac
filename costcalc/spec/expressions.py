"""Safe arithmetic expressions for spec field values: ``in * 4``, ``make_divisible(c * alpha, 8)``.

Spec text comes from strangers, so this is a small hand-written tokenizer and recursive-descent
(precedence-climbing) parser; nothing here uses ``eval``, ``compile`` or ``ast``. Grammar, lowest
precedence first (like Python's)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?      # no chains: a < b < c
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/" | "//" | "%") unary)*
    unary      := ("-" | "+") unary | atom
    atom       := NUMBER | "true" | "false" | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"
    NUMBER     := [0-9]+ ("." [0-9]+)?          # no exponents, no underscores
    NAME       := [A-Za-z_][A-Za-z0-9_]*         # ``in`` is a variable (input channels)

Calls are limited to ``FUNCTIONS``. Numbers are ``int`` or ``fractions.Fraction``, never float: ``0.25``
is ``Fraction(1, 4)`` and ``7 / 2`` is ``Fraction(7, 2)``; a whole Fraction result becomes an ``int``.
Values are computed by costcalc.spec.expression_values (exactly, or with sympy for the closed form), every
intermediate value bounded. Three functions read how the network is scaled and so are evaluated only where
that is known (``SCALING_FUNCTIONS``): ``round_repeats`` (a repeat count under the depth multiplier),
``head`` and ``expanded`` (channel counts under the width rule).

Limits against hostile text: 500 characters, 200 tokens, 32 levels of nesting (parentheses, calls,
unary operators), 30 digits a number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import did_you_mean

MAX_LENGTH, MAX_DEPTH, MAX_TOKENS, MAX_DIGITS = 500, 32, 200, 30

_ARITY = {"ceil": (1, 1), "floor": (1, 1), "round": (1, 1), "int": (1, 1),
          "min": (1, None), "max": (1, None), "make_divisible": (2, 3), "pow": (2, 2), "log": (2, 2),
          "round_repeats": (1, 1), "head": (1, 1), "expanded": (2, 2)}
FUNCTIONS: tuple[str, ...] = tuple(_ARITY)
DEPTH_FUNCTIONS = ("round_repeats",)  # the spec's depth rule: known when the network is built at a depth multiplier
WIDTH_FUNCTIONS = ("head", "expanded")  # the width rule: known when a channel count is evaluated at an alpha
SCALING_FUNCTIONS = (*DEPTH_FUNCTIONS, *WIDTH_FUNCTIONS)
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False}
_COMPARE, _NOT, _UNARY = 4, 3, 7
_BINARY = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6}
_OPERATORS = ("==", "!=", "<=", ">=", "//", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",")
_UNSUPPORTED = {"**": "'**' is not supported (there is no power operator)",
                ".": "'.' attribute access is not supported", "[": "'[' subscripts are not supported",
                "'": "strings are not supported", '"': "strings are not supported",
                "=": "'=' is not supported (use '==' to compare)", "!": "'!' is not supported (use 'not')",
                "&": "'&' is not supported (use 'and')", "|": "'|' is not supported (use 'or')"}
_DIGITS, _SPACE = "0123456789", " \t\r\n"
_NAME_START = "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME_CHARS = _NAME_START + _DIGITS


class ExprError(ValueError):
    """A bad expression: ``message`` says what is wrong, ``offset`` (0-based) where in the text, ``code`` its
    code in costcalc.errors.CODES (E307: a value beyond ``expression_values.MAX_BITS``; E300: anything else)."""

    def __init__(self, message: str, offset: int = 0, code: str = "E300"):
        super().__init__(message, offset)
        self.message, self.offset, self.code = message, offset, code

    def __str__(self) -> str:
        return self.message


class Token(NamedTuple):
    kind: str  # "num", "name", "op" or "end"
    text: str
    offset: int


class Node(NamedTuple):
    kind: str  # "const", "var", "call", "unary" or "binary"
    value: Any  # the constant, the variable or function name, or the operator
    args: tuple[Node, ...]
    offset: int  # where to point at the node: its start, or its operator
    start: int
    end: int


def _at(text: str, i: int, chars: str) -> bool:
    return i < len(text) and text[i] in chars


def _skip(text: str, i: int, chars: str) -> int:
    while _at(text, i, chars):
        i += 1
    return i


def _tokenize(text: str) -> Iterator[Token]:
    """Tokens left to right, then ``end`` forever; raises at the first bad character."""
    i, count = 0, 0
    while i < len(text):
        ch, start = text[i], i
        if ch in _SPACE:
            i += 1
            continue
        count += 1
        if count > MAX_TOKENS:
            raise ExprError(f"expression has more than {MAX_TOKENS} tokens", start)
        if ch in _DIGITS:
            i = _skip(text, i, _DIGITS)
            if _at(text, i, "."):
                if not _at(text, i + 1, _DIGITS):
                    raise ExprError("expected digits after '.'", i + 1)
                i = _skip(text, i + 1, _DIGITS)
            if len(text[start:i].replace(".", "")) > MAX_DIGITS:
                raise ExprError(f"number is longer than {MAX_DIGITS} digits", start)
            if _at(text, i, _NAME_CHARS):
                follow = text[i]
                raise ExprError("underscores in numbers are not supported" if follow == "_" else
                                "exponents like '1e3' are not supported" if follow in "eE" else
                                f"expected an operator after the number, got '{follow}'", i)
            yield Token("num", text[start:i], start)
        elif ch in _NAME_START:
            i = _skip(text, i, _NAME_CHARS)
            yield Token("name", text[start:i], start)
        elif text.startswith("**", i):
            raise ExprError(_UNSUPPORTED["**"], i)
        elif ch == "." and _at(text, i + 1, _DIGITS):
            raise ExprError("a decimal needs a digit before '.' (write 0.5, not .5)", i)
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise ExprError(_UNSUPPORTED.get(ch, f"unexpected character {ch!r}"), i)
            i += len(op)
            yield Token("op", op, start)
    while True:
        yield Token("end", "", len(text))


def _describe(token: Token) -> str:
    return "the end" if token.kind == "end" else f"'{token.text}'"


def _number(text: str) -> int | Fraction:
    whole, _, decimals = text.partition(".")
    return _normal(Fraction(int(whole + decimals), 10 ** len(decimals))) if decimals else int(whole)


def _normal(value: Any) -> Any:
    """A whole Fraction as an int; anything else unchanged."""
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value


class _Parser:
    def __init__(self, text: str):
        self.tokens, self.depth = _tokenize(text), 0
        self.names: set[str] = set()
        self.functions: set[str] = set()
        self.token = next(self.tokens)

    def take(self) -> Token:
        token, self.token = self.token, next(self.tokens)
        return token

    def enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression is nested more than {MAX_DEPTH} levels deep", offset)

    def close(self, message: str) -> Token:
        if self.token.text != ")":
            raise ExprError(message, self.token.offset)
        self.depth -= 1
        return self.take()

    def parse(self) -> Node:
        tree = self.binary(1)
        if self.token.kind != "end":
            message = "unexpected ')'" if self.token.text == ")" else f"expected an operator, got {_describe(self.token)}"
            raise ExprError(message, self.token.offset)
        return tree

    def binary(self, min_level: int) -> Node:
        left, compared = self.unary(min_level), False
        while _BINARY.get(self.token.text, 0) >= min_level:
            op = self.take()
            level = _BINARY[op.text]
            if level == _COMPARE:
                if compared:
                    raise ExprError("comparisons cannot be chained (write 'a < b and b < c')", op.offset)
                compared = True
            right = self.binary(level + 1)
            left = Node("binary", op.text, (left, right), op.offset, left.start, right.end)
        return left

    def unary(self, min_level: int) -> Node:
        op = self.token
        if op.text == "not":
            if min_level > _NOT:
                raise ExprError("'not' needs parentheses here: write (not ...)", op.offset)
            level = _NOT
        elif op.text in ("-", "+"):
            level = _UNARY
        else:
            return self.atom()
        self.take()
        self.enter(op.offset)
        operand = self.binary(level)
        self.depth -= 1
        return Node("unary", op.text, (operand,), op.offset, op.offset, operand.end)

    def atom(self) -> Node:
        token = self.token
        if token.kind == "num":
            self.take()
            return Node("const", _number(token.text), (), token.offset, token.offset, token.offset + len(token.text))
        if token.kind == "name" and token.text not in ("and", "or", "not"):
            self.take()
            end = token.offset + len(token.text)
            if token.text in _CONSTANTS:
                return Node("const", _CONSTANTS[token.text], (), token.offset, token.offset, end)
            if self.token.text == "(":
                return self.call(token)
            self.names.add(token.text)
            return Node("var", token.text, (), token.offset, token.offset, end)
        if token.text == "(":
            self.enter(self.take().offset)
            inner = self.binary(1)
            end = self.close("expected a closing ')'").offset + 1
            return inner._replace(start=token.offset, end=end)
        raise ExprError(f"expected a value, got {_describe(token)}", token.offset)

    def call(self, name: Token) -> Node:
        if name.text not in _ARITY:
            raise ExprError(f"unknown function '{name.text}'{did_you_mean(name.text, FUNCTIONS)}", name.offset)
        self.enter(self.take().offset)
        args = []
        if self.token.text != ")":
            args.append(self.binary(1))
            while self.token.text == ",":
                self.take()
                args.append(self.binary(1))
        end = self.close("expected ',' or a closing ')'").offset + 1
        low, high = _ARITY[name.text]
        if not low <= len(args) <= (high or len(args)):
            wanted = (f"at least {low}" if high is None else f"{low}" if low == high else f"{low} or {high}")
            plural = "" if (high or low) == 1 else "s"
            raise ExprError(f"'{name.text}' takes {wanted} argument{plural}, got {len(args)}", name.offset)
        self.functions.add(name.text)
        return Node("call", name.text, tuple(args), name.offset, name.offset, end)


class Expr:
    """A parsed expression: ``text``, the ``variables`` it reads, the ``functions`` it calls, and
    ``evaluate(env)``. Equal when the text and the variables are (a plain class rather than a dataclass: this
    module is imported at start-up)."""

    __slots__ = ("text", "variables", "functions", "_tree")

    def __init__(self, text: str, variables: frozenset[str], tree: Node, functions: frozenset[str] = frozenset()):
        self.text, self.variables, self.functions, self._tree = text, variables, functions, tree

    @property
    def scaled(self) -> bool:
        """Whether it calls a function of the depth or width rule (``SCALING_FUNCTIONS``): its value waits
        for the depth multiplier or alpha even when it reads no variable."""
        return not self.functions.isdisjoint(SCALING_FUNCTIONS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and (self.text, self.variables) == (other.text, other.variables)

    def __hash__(self) -> int:
        return hash((self.text, self.variables))

    def __repr__(self) -> str:
        return f"Expr(text={self.text!r}, variables={self.variables!r})"

    def evaluate(self, env: Mapping[str, Any], ideal: bool = False, scaling: Any = None) -> Any:
        """The value with ``env``'s variables: int, Fraction or bool (or a sympy object when ``ideal``); every
        value along the way and the result have at most ``expression_values.MAX_BITS`` bits (``ExprError``, code E307).
        ``scaling`` (``expression_values.Scaling``) gives ``SCALING_FUNCTIONS`` their values."""
        from costcalc.spec.expression_values import _Evaluator

        evaluator = _Evaluator(self.text, env, ideal, scaling)
        return evaluator.bounded(evaluator.compute(self._tree), self._tree)


def parse_expression(text: str) -> Expr:
    """Parse ``text`` into an ``Expr``; raises ``ExprError`` with what is wrong and where."""
    if not isinstance(text, str):
        raise TypeError(f"expected an expression string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip(_SPACE):
        raise ExprError("empty expression", 0)
    parser = _Parser(text)
    tree = parser.parse()
    return Expr(text, frozenset(parser.names), tree, frozenset(parser.functions))
