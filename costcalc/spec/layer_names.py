"""Generated layer names (docs/spec-format.md, "Layer names"): a layer without a given name is named by its
kind, counted per block instance (``conv_1``, ``conv_2``), or after the layer it follows (``conv_1_relu``), and
never takes a name already given in the same block instance."""

from __future__ import annotations

from costcalc.layers.base import Layer


def generated_name(layer: Layer, owner: str | None, counters: dict[str, int], taken: set[str],
                   path: tuple[str, ...], attempts: dict[str, int]) -> str:
    """The layer's default name, or the next free variant: counted names move on (conv_2 -> conv_3), and a
    follower's name gets _2, _3, ... (conv_1_relu_2). ``attempts`` remembers where each follower's search
    stopped, so that ten thousand ReLUs after one conv take linear time, not quadratic."""
    first = candidate = layer.default_name(owner, counters)
    full = ".".join((*path, first))
    attempt = attempts.get(full, 1)
    if attempt > 1:
        candidate = f"{first}_{attempt}"
    while ".".join((*path, candidate)) in taken:
        attempt += 1
        retry = layer.default_name(owner, counters)
        candidate = retry if retry != first else f"{first}_{attempt}"
    attempts[full] = attempt
    return candidate
