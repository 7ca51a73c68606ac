"""The registry of layer kinds: spec kind name -> class, plus shorthands (``relu`` for
``activation: {function: relu}``). Kinds register themselves with ``@register``."""

from __future__ import annotations

from typing import Any

from costcalc.layers.base import Layer

KINDS: dict[str, type[Layer]] = {}
SHORTHANDS: dict[str, tuple[str, dict[str, Any]]] = {}


def register(cls: type[Layer]) -> type[Layer]:
    if cls.kind in KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    KINDS[cls.kind] = cls
    return cls


def shorthand(name: str, kind: str, **preset: Any) -> None:
    SHORTHANDS[name] = (kind, preset)
