"""What the API returns: a result per command that holds the analysis and how it was asked for, and gives it
in every form the command line writes.

``to_dict()`` is ``json.loads`` of ``costcalc <command> --format json``'s output and ``to_json()`` is that output
itself: both come from the command's renderer (``costcalc.render.<command>_formats``), so the API and the
command line cannot drift apart. In a notebook a result shows the command's table: ``_repr_html_`` (Jupyter)
exports the same rich table as ``--format html`` does, its names escaped by rich, and ``__rich_console__`` lets
``rich.print(result)`` render it at the console's width. rich is imported only when a table is shown.

A result is immutable and compares by its two fields, as a frozen dataclass would (``Frozen``); it is written
by hand because ``dataclasses`` builds each class by compiling code, about half a millisecond a class on
every start-up of every command (issue 17).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

_HTML_PAGE = '<pre style="font-family:Menlo,\'DejaVu Sans Mono\',consolas,\'Courier New\',monospace">{code}</pre>'


class Frozen:
    """An immutable value with slots, compared, hashed and shown by its ``_fields``, as a frozen dataclass is:
    the base of the results and of ``costcalc.api.model.Model``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a {type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a {type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self._values()))
        return f"{type(self).__name__}({shown})"


class Result(Frozen):
    """The result of one command: ``analysis`` (the record the command's renderers take: a
    ``costcalc.analysis`` record) and ``view`` (how the specs were named: ``costcalc.render.view.View``)."""

    command: ClassVar[str] = ""
    __slots__ = ("analysis", "view")
    _fields = ("analysis", "view")
    analysis: Any
    view: Any

    def __init__(self, analysis: Any, view: Any) -> None:
        object.__setattr__(self, "analysis", analysis)
        object.__setattr__(self, "view", view)

    def _formats(self) -> Any:
        import importlib

        return importlib.import_module(f"costcalc.render.{self.command}_formats")

    def to_json(self) -> str:
        """The text of ``costcalc <command> --format json`` (docs/json.md)."""
        text: str = self._formats().to_json(self.analysis, self.view)
        return text

    def to_dict(self) -> dict[str, Any]:
        """The document of ``--format json`` as Python data: exact integers for counts, as the command writes."""
        import json

        data: dict[str, Any] = json.loads(self.to_json())
        return data

    def _renderable(self, width: int) -> Any:
        """The command's rich table (``costcalc.render.<command>_table``), or its text when it has none."""
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"costcalc.render.{self.command}_table") is None:
            from rich.text import Text

            return Text(self._formats().to_text(self.analysis, self.view))
        return importlib.import_module(f"costcalc.render.{self.command}_table").render(self.analysis, self.view, width)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        """rich's protocol: ``rich.print(result)`` shows the command's table at the console's width."""
        yield self._renderable(options.max_width)

    def _repr_html_(self) -> str:
        """Jupyter's protocol: the command's table as HTML, as ``--format html`` exports it (inline styles, every
        name escaped by rich)."""
        import io

        from rich.console import Console

        from costcalc.render.sections import natural_width

        renderable = self._renderable(132)
        console = Console(file=io.StringIO(), width=max(80, natural_width(renderable)), record=True,
                          highlight=False, force_terminal=True, color_system="truecolor")
        console.print(renderable)
        return console.export_html(inline_styles=True, code_format=_HTML_PAGE)

    def __str__(self) -> str:
        """The table as plain text, as ``--format table`` writes it to a file."""
        import io

        from rich.console import Console

        from costcalc.render.sections import natural_width

        renderable = self._renderable(132)
        console = Console(file=io.StringIO(), width=max(132, natural_width(renderable)), highlight=False,
                          color_system=None)
        with console.capture() as capture:
            console.print(renderable)
        return "\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n"


class Tabular(Result):
    """A result with rows, which Markdown and CSV also carry (report, sweep, compare)."""

    __slots__ = ()

    def to_markdown(self) -> str:
        """The text of ``--format markdown``, every name escaped for Markdown."""
        text: str = self._formats().to_markdown(self.analysis, self.view)
        return text

    def to_csv(self) -> str:
        """The text of ``--format csv``: a row per layer, point or network, every cell escaped for spreadsheets."""
        text: str = self._formats().to_csv(self.analysis, self.view)
        return text


class Report(Tabular):
    """``costcalc report``: one network at one design point (``analysis``: ``costcalc.analysis.report.Report``)."""

    __slots__ = ()

    command: ClassVar[str] = "report"

    @property
    def mult_adds(self) -> int:
        """The total in the convention's unit (Mult-Adds, or FLOPs with ``unit="flops"``)."""
        value: int = self.analysis.evaluation.mult_adds
        return value

    @property
    def params(self) -> int:
        value: int = self.analysis.evaluation.params
        return value

    @property
    def alpha(self) -> Fraction:
        value: Fraction = self.analysis.evaluation.alpha
        return value

    @property
    def rho(self) -> Fraction:
        value: Fraction = self.analysis.evaluation.rho
        return value

    @property
    def resolution(self) -> int:
        value: int = self.analysis.evaluation.resolution
        return value

    @property
    def depth_multiplier(self) -> Fraction:
        value: Fraction = self.analysis.evaluation.depth_multiplier
        return value

    @property
    def layers(self) -> list[dict[str, Any]]:
        """Every layer in order, as the JSON's ``layers``."""
        rows: list[dict[str, Any]] = self.to_dict()["layers"]
        return rows


class Sweep(Tabular):
    """``costcalc sweep``: a grid of design points (``analysis``: ``costcalc.analysis.sweep.Sweep``)."""

    __slots__ = ()

    command: ClassVar[str] = "sweep"

    @property
    def points(self) -> list[dict[str, Any]]:
        """Every point of the grid, as the JSON's ``points``."""
        rows: list[dict[str, Any]] = self.to_dict()["points"]
        return rows


class Solution(Result):
    """``costcalc solve``: the largest design that meets a budget (``analysis``: ``costcalc.analysis.solve.Solved``)."""

    __slots__ = ()

    command: ClassVar[str] = "solve"

    @property
    def solutions(self) -> list[Any]:
        """The exact answers (``costcalc.analysis.solve.Solution``: alpha, rho, resolution, depth multiplier,
        mult_adds, params): one, or the frontier's points."""
        found: list[Any] = self.analysis.solutions
        return found

    def to_text(self) -> str:
        """The text of ``costcalc solve --format text``."""
        text: str = self._formats().to_text(self.analysis, self.view)
        return text if text.endswith("\n") else text + "\n"

    def __str__(self) -> str:
        return self.to_text()


class Comparison(Tabular):
    """``costcalc compare``: two or more networks against the first (``analysis``:
    ``costcalc.analysis.compare.Comparison``)."""

    __slots__ = ()

    command: ClassVar[str] = "compare"

