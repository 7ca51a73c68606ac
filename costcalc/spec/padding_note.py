"""A note when a convolution's padding default is not PyTorch's (issue 18, item 4).

costcalc pads a convolution ``same`` when the spec says nothing (TensorFlow's and Keras's padding, the MobileNets
paper's sizes); ``torch.nn.Conv2d`` pads 0 by default (``valid``). A spec written from PyTorch code gives
``padding: 1`` where the code does and nothing where it does not, so a convolution left without padding in
such a spec is likely meant as PyTorch's 0 — and would get ``same`` here, with other output sizes and counts.
When a spec gives more of its convolutions pixels (not all 0) than it leaves without padding (with a kernel
larger than 1), the first it leaves out gets warning W103. A spec that never writes pixels (the Keras style) gets
none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from costcalc.errors import warn
from costcalc.spec.model import BlockDef, LayerEntry


def _layers(entries: Iterable[Any]) -> Iterator[LayerEntry]:
    for entry in entries:
        if isinstance(entry, LayerEntry):
            yield entry
        for part in ("body", "shortcut", "orelse"):
            yield from _layers(getattr(entry, part, ()) or ())
        for branch in getattr(entry, "branches", ()) or ():
            yield from _layers(branch)


def _pads_same_by_default(entry: LayerEntry) -> bool:
    return any(field.name == "padding" and field.default == "same" for field in entry.kind.fields)


def _pixels(padding: Any) -> bool:
    """Padding written in pixels, some of them not 0 (``padding: 1``, as nn.Conv2d is given for a 3x3)."""
    return isinstance(padding, tuple) and any(isinstance(side, int) and side > 0 for side in padding)


def _larger_than_one(kernel: Any) -> bool:
    if isinstance(kernel, int):
        return kernel > 1
    if isinstance(kernel, tuple) and all(isinstance(side, int) for side in kernel):
        return bool(max(kernel) > 1)
    return False


def note_padding(body: Iterable[Any], blocks: dict[str, BlockDef]) -> None:
    """Warn (W103) at the first convolution left to pad ``same`` in a spec that gives most others pixels."""
    layers = [entry for entry in _layers([*body, *(entry for block in blocks.values() for entry in block.body)])
              if _pads_same_by_default(entry)]
    padded = sum(_pixels(entry.values.get("padding", "same")) for entry in layers)
    unpadded = [entry for entry in layers
                if "padding" not in entry.values and _larger_than_one(entry.values.get("kernel", 1))]
    # written the PyTorch way (pixels on most convolutions) but for a few; padding: 0 alone says the author knows
    # the default is not PyTorch's, and a spec in costcalc's own style pads most of its convolutions 'same'
    if unpadded and padded > len(unpadded):
        first = unpadded[0]
        others = f" (and {len(unpadded) - 1} more)" if len(unpadded) > 1 else ""
        warn(first.location, f"{first.kind.kind}{others} has no padding, so costcalc pads it 'same' (Keras, "
                             "TensorFlow); PyTorch's nn.Conv2d pads 0 by default, and this spec gives most other "
                             "convolutions padding in pixels: write padding: 0 (PyTorch's default) or same", "W103")
