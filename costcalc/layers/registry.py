"""The registry of layer kinds: spec kind name -> class, plus shorthands (``relu`` for
``activation: {function: relu}``). Kinds register themselves with ``@register``."""

from __future__ import annotations

from typing import Any, TypeVar

from costcalc.layers.base import Layer

KINDS: dict[str, type[Layer]] = {}  # the kinds a spec may write
INTERNAL_KINDS: dict[str, type[Layer]] = {}  # the kinds the network builder puts in (add, concat, scale, split)
SHORTHANDS: dict[str, tuple[str, dict[str, Any]]] = {}
L = TypeVar("L", bound=type[Layer])


def register(cls: L) -> L:
    """Register a kind a spec may write (``- conv: {...}``)."""
    if cls.kind in KINDS or cls.kind in INTERNAL_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    KINDS[cls.kind] = cls
    return cls


def register_internal(cls: L) -> L:
    """Register a kind that only the network builder puts in (where branches meet or part)."""
    if cls.kind in KINDS or cls.kind in INTERNAL_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    INTERNAL_KINDS[cls.kind] = cls
    return cls


def all_kinds() -> dict[str, type[Layer]]:
    """Every kind a report can show: those a spec writes and those the builder puts in."""
    return {**KINDS, **INTERNAL_KINDS}


def shorthand(name: str, kind: str, **preset: Any) -> None:
    SHORTHANDS[name] = (kind, preset)
