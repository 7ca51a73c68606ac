"""Which layer rows the human-readable formats show (JSON and CSV always list every layer)."""

from __future__ import annotations

from collections import Counter

from costcalc.evaluate import Evaluation, LayerCost


def is_visible(row: LayerCost) -> bool:
    """A row is worth a line when it costs something under the convention or changes the shape."""
    return bool(row.mult_adds or row.params) or row.input_shape != row.output_shape


def hidden_summary(evaluation: Evaluation) -> str:
    """``"54 layers without cost under 'paper' hidden (27 batch_norm, 27 activation)"`` or ``""``."""
    hidden = Counter(row.kind for row in evaluation.layers if not is_visible(row))
    if not hidden:
        return ""
    count = sum(hidden.values())
    kinds = ", ".join(f"{number} {kind}" for kind, number in hidden.most_common())
    noun = "layer" if count == 1 else "layers"
    return (f"{count} {noun} without cost under '{evaluation.convention.name}' and with unchanged shape "
            f"hidden ({kinds}); --all-layers shows them")
