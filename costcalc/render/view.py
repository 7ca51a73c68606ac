"""What a renderer needs beyond the result it renders: how the user asked for it.

Every renderer has one of two signatures, by one naming scheme (docs/architecture.md): in
``costcalc.render.<command>_formats``, ``to_<format>(result, view) -> str`` for each text format; in
``costcalc.render.<command>_table``, ``render(result, view, width) -> rich renderable`` for the terminal table
and its SVG and HTML exports. The command line picks the module and the function from the command and
``--format`` alone (``costcalc.cli.output.show``).
"""

from typing import NamedTuple


class View(NamedTuple):
    specs: tuple[str, ...] = ()  # how the user named each spec (a path, or a bundled spec's name), for JSON
    all_layers: bool = False  # report: also list the layers without cost (batch norm, activations)
    layers_shown: int = 10  # explain: how many of the layers that differ most to list
    columns: tuple[str, ...] = ()  # report --columns: the layer table's columns, by key (render/layer_rows.py)
    sort: str | None = None  # report --sort: mult-adds, params or name (None: network order)
    top: int | None = None  # report --top N: only the first N rows after sorting

    @property
    def spec(self) -> str | None:
        """The first (or only) spec as the user named it."""
        return self.specs[0] if self.specs else None
