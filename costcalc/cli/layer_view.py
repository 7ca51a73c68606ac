"""``report``'s torchinfo-like options (issue 18): ``--batch N`` (counts and activations per batch),
``--columns`` (the layer table's columns), ``--sort`` and ``--top N`` (which rows, the largest first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from costcalc.cli.options import WHOLE, Choice
from costcalc.render.layer_rows import COLUMNS, SORTS

F = TypeVar("F", bound=Callable[..., Any])


def layer_view_options(command: F) -> F:
    options = [
        click.option("--batch", type=WHOLE, default=1, show_default=True,
                     help="Images at once: Mult-Adds and activations per batch (parameters once); the header says "
                          "'per image' or 'per batch of N'."),
        click.option("--columns", metavar="KEY,...", default=None,
                     help=f"Table and Markdown: the layer table's columns, of {', '.join(COLUMNS)} (time and bound "
                          "need --device); a narrow terminal stacks them rather than hide one."),
        click.option("--sort", type=Choice(list(SORTS)), default=None,
                     help="Table, Markdown and CSV: layers by Mult-Adds or params (largest first) or by name; JSON "
                          "keeps network order."),
        click.option("--top", type=WHOLE, default=None, metavar="N",
                     help="Table, Markdown and CSV: only the N layers with the most Mult-Adds (or of --sort)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def read_layer_view(batch: int, columns: str | None, sort: str | None, top: int | None, symbolic: bool,
                    depth: int | None, device: str | None = None) -> dict[str, Any]:
    """The View fields these options set; bad combinations are usage errors (exit 2)."""
    from costcalc.analysis.batch import MAX_BATCH
    from costcalc.errors import did_you_mean

    if not 1 <= batch <= MAX_BATCH:
        raise click.BadParameter(f"{batch} is not a batch of 1 to {MAX_BATCH:,} images", param_hint="'--batch'")
    if batch != 1 and symbolic:
        raise click.UsageError("--symbolic gives the closed form per image: leave out --batch")
    if top is not None and top < 1:
        raise click.BadParameter("0 layers shows nothing: give 1 or more", param_hint="'--top'")
    if (sort is not None or top is not None) and depth is not None:
        raise click.UsageError("--sort and --top order layers, --depth folds blocks: use one of them")
    chosen: tuple[str, ...] = ()
    if columns is not None:
        keys = [key.strip().lower() for key in columns.split(",") if key.strip()]
        for key in keys:
            if key not in COLUMNS:
                raise click.BadParameter(f"no column {key!r}{did_you_mean(key, COLUMNS)}; the columns are: "
                                         f"{', '.join(COLUMNS)}", param_hint="'--columns'")
        if not keys:
            raise click.BadParameter("name at least one column", param_hint="'--columns'")
        chosen = tuple(keys)
    return {"columns": chosen, "sort": sort, "top": top}
