"""Which layer rows the human-readable formats show (JSON and CSV always list every layer)."""

from __future__ import annotations

from collections import Counter

from costcalc.engine.results import Evaluation, LayerCost


def is_visible(row: LayerCost) -> bool:
    """A row is worth a line when it costs something under the convention or changes the shape."""
    return bool(row.mult_adds or row.params) or row.input_shape != row.output_shape


def hidden_summary(evaluation: Evaluation, rows: list[LayerCost] | None = None) -> str:
    """A note on the rows (of ``rows``, default all) left out of a table, or ``""``."""
    hidden = Counter(row.kind for row in (evaluation.layers if rows is None else rows) if not is_visible(row))
    if not hidden:
        return ""
    count = sum(hidden.values())
    kinds = ", ".join(f"{number} {kind}" for kind, number in hidden.most_common())
    verb = "is" if count == 1 else "are"
    return f"# counts all {len(evaluation.layers)} layers; {count} without cost {verb} hidden ({kinds}): --all-layers"
