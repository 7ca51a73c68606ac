"""costcalc's Python API: the public, typed surface the command line is built on (docs/api.md).

    >>> from costcalc import api
    >>> result = api.report("mobilenet_v1", alpha=0.75, resolution=192)
    >>> result.mult_adds, result.params
    (239273472, 2568144)

- ``load(spec, width_rule=None) -> Model``: a bundled spec's name, a spec file's path or an ONNX model's;
- ``report(spec, alpha=, rho=, resolution=, depth_multiplier=, width_rule=, convention=, unit=, dtype=,
  device=, symbolic=, depth=, all_layers=) -> Report`` (also ``Model.report``);
- ``sweep(...) -> Sweep``, ``solve(...) -> Solution``, ``compare([...]) -> Comparison``.

Every result has ``to_dict()`` and ``to_json()``, equal to the command's ``--format json`` (docs/json.md), and
shows its table in a notebook (``_repr_html_``) or through ``rich.print``. Numbers are exact (``int``,
``Fraction``); a float argument is read as its shortest text (``0.75`` is 3/4). Bad arguments raise
``ArgumentError`` (a ``ValueError``); bad files raise ``costcalc.errors.CostcalcError`` with the command line's
located diagnostics; a budget nothing meets raises ``Unreachable`` (``solve``).

Importing this package loads neither click nor rich nor sympy, and nothing of costcalc beyond these small
modules: the work is imported when it is asked for (tests/test_api.py checks the modules an import loads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costcalc.api.inputs import ArgumentError
from costcalc.api.model import Model, load, report
from costcalc.api.results import Comparison, Report, Result, Solution, Sweep

if TYPE_CHECKING:
    from costcalc.analysis.solve import Unreachable
    from costcalc.api.whatifs import GridTooLarge, compare, solve, sweep

__all__ = ["ArgumentError", "Comparison", "GridTooLarge", "Model", "Report", "Result", "Solution", "Sweep",
           "Unreachable", "compare", "load", "report", "solve", "sweep"]


_WHATIFS = ("GridTooLarge", "compare", "solve", "sweep")


def __getattr__(name: str) -> Any:
    """The what-ifs (``sweep``, ``solve``, ``compare``, ``GridTooLarge``) and ``Unreachable`` (solve: no design on
    the grid meets the budget), imported when first named: a report needs none of them (start-up)."""
    if name in _WHATIFS:
        from costcalc.api import whatifs

        return getattr(whatifs, name)
    if name == "Unreachable":
        from costcalc.analysis.solve import Unreachable

        return Unreachable
    raise AttributeError(f"module 'costcalc.api' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
