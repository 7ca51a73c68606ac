"""Printing sympy expressions: plain (sympy syntax, which sympy's parser reads back when given these symbols
as locals; without them it takes ``N`` for its function), Unicode for the
terminal (``α``, ``ρ``, superscripts, ``·``), and LaTeX. Sums print their highest power of rho first."""

from __future__ import annotations

from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from costcalc.engine import symbols as s

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK = {"alpha": "α", "rho": "ρ"}


class PlainPrinter(StrPrinter):
    """sympy's printer, but ``1/D_K**2`` rather than ``D_K**(-2)``."""

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        if expr.exp.is_Rational and expr.exp.is_negative and expr.exp != -1 and not rational:
            return "1/" + str(self._print(sympy.Pow(expr.base, -expr.exp, evaluate=False)))
        return str(super()._print_Pow(expr, rational))


class UnicodePrinter(PlainPrinter):
    def _print_Symbol(self, expr: Any) -> str:
        return _GREEK.get(expr.name, str(expr.name))

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        if expr.exp.is_Integer and expr.exp > 1:
            return str(self.parenthesize(expr.base, 100)) + str(expr.exp).translate(_SUPERSCRIPTS)
        return str(super()._print_Pow(expr, rational))

    def _print_Mul(self, expr: Any) -> str:
        return str(super()._print_Mul(expr)).replace("*", "·")


def _terms(expr: Any) -> list[Any]:
    """Terms of a sum, by descending degree in rho (then as sympy orders them)."""
    terms = expr.as_ordered_terms() if isinstance(expr, sympy.Add) else [expr]

    def degree(term: Any) -> int:
        return sympy.degree(term, s.rho) if term.is_polynomial(s.rho) else 0

    return sorted(terms, key=lambda term: -degree(term))


def _join(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        text += f" - {part[1:]}" if part.startswith("-") else f" + {part}"
    return text


def plain(expr: Any) -> str:
    return _join([PlainPrinter().doprint(term) for term in _terms(expr)])


def unicode(expr: Any) -> str:
    return _join([UnicodePrinter().doprint(term) for term in _terms(expr)])


def latex(expr: Any) -> str:
    return str(sympy.latex(expr, symbol_names={s.alpha: r"\alpha", s.rho: r"\rho"}))
