"""``costcalc formula``: the per-kind formulas and the separable/standard ratio, derived at run time
(``costcalc.engine.symbolic.derive``), as text, LaTeX or JSON."""

from __future__ import annotations

from costcalc.engine.symbolic import Derivation
from costcalc.render import sympy_text as m
from costcalc.render.sinks.json_text import dumps
from costcalc.render.view import View

SYMBOLS = {
    "D_K": "kernel size (D_K x D_K)",
    "M": "input channels",
    "N": "output channels",
    "D_F": "output feature-map size (D_F x D_F): strided layers are counted at their output",
    "alpha": "width multiplier: channels alpha*M, alpha*N",
    "rho": "resolution multiplier: feature maps rho*D_F",
}
SOURCE = "Howard et al. 2017, MobileNets (arXiv:1704.04861), section 3"


def _equations(derivation: Derivation) -> list[tuple[str, str, object]]:
    return [
        ("separable", "depthwise separable Mult-Adds (eq. 5)", derivation.separable),
        ("ratio", "depthwise separable / standard convolution Mult-Adds (section 3.1)", derivation.ratio),
        ("separable_alpha", "separable Mult-Adds with width multiplier alpha (eq. 6)", derivation.separable_alpha),
        ("separable_alpha_rho", "separable Mult-Adds with alpha and resolution multiplier rho (eq. 7)",
         derivation.separable_alpha_rho),
        ("ratio_alpha_rho", "separable / standard with alpha and rho", derivation.ratio_alpha_rho),
    ]


def to_json(derivation: Derivation, view: View = View()) -> str:
    data = {
        "source": SOURCE,
        "symbols": SYMBOLS,
        "kinds": {
            kind.kind: {"title": kind.title, "source": kind.source,
                        "mult_adds": m.plain(kind.mult_adds), "params": m.plain(kind.params)}
            for kind in derivation.kinds
        },
        **{key: m.plain(expr) for key, _title, expr in _equations(derivation)},
    }
    return dumps(data)


def to_text(derivation: Derivation, view: View = View()) -> str:
    lines = [f"Cost formulas, derived with sympy from costcalc's layer kinds ({SOURCE}).", ""]
    width = max(len(kind.title) for kind in derivation.kinds)
    lines.append(f"{'':{width}}  {'Mult-Adds':<28}  {'params':<16}  source")
    for kind in derivation.kinds:
        lines.append(f"{kind.title:<{width}}  {m.unicode(kind.mult_adds):<28}  {m.unicode(kind.params):<16}"
                     f"  {kind.source}")
    lines.append("")
    for _key, title, expr in _equations(derivation)[1:]:
        lines.append(f"{title}:")
        lines.append(f"    {m.unicode(expr)}")
    lines.append("")
    lines.append("Symbols:")
    lines += [f"  {name:<6} {meaning}" for name, meaning in SYMBOLS.items()]
    return "\n".join(lines)


def to_latex(derivation: Derivation, view: View = View()) -> str:
    lines = [f"% {SOURCE}; derived by costcalc with sympy", r"\begin{align*}"]
    rows = [(rf"\text{{{kind.title}}}", kind.mult_adds) for kind in derivation.kinds]
    rows += [(rf"\text{{{title}}}", expr) for _key, title, expr in _equations(derivation)[1:]]
    lines += [rf"  {label} &= {m.latex(expr)} \\" for label, expr in rows]
    lines.append(r"\end{align*}")
    return "\n".join(lines)
