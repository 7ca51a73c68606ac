"""The registry of layer kinds: spec kind name -> class, plus shorthands (``relu`` for
``activation: {function: relu}``). Kinds register themselves with ``@register``.

The transformer kinds' modules are imported when a spec first names one of their kinds (``ON_DEMAND``), not by
every report: a CNN's report never loads them (start-up, issue 17). ``KINDS`` knows their names all along, so
a spec's check, a did-you-mean and ``name in KINDS`` see every kind; ``tests/test_kind_traits.py`` checks the
table against what the modules register."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, TypeVar

from costcalc.layers.base import Layer

# Kind name -> the module of costcalc.layers that registers it, for the kinds imported on demand. The internal
# kinds of attention (scores, softmax, ...) are put in only by attention's own kinds, so they need no entry.
ON_DEMAND = {
    "tokens": "tokens", "to_map": "tokens", "class_token": "tokens", "position_embedding": "tokens",
    "parameters": "tokens", "select_token": "tokens", "linear": "tokens",
    "attention": "attention", "window_attention": "attention", "mlp": "attention", "patch_merging": "attention",
}


class KindRegistry(MutableMapping[str, "type[Layer]"]):
    """Kind name -> class: the kinds registered so far, and those of ``on_demand`` (name -> module), whose
    module is imported when one of them is first looked up. Iteration gives every name, registered ones
    first, without importing anything; ``values()`` and ``items()`` import what they reach."""

    def __init__(self, on_demand: dict[str, str]) -> None:
        self._registered: dict[str, type[Layer]] = {}
        self._on_demand = on_demand

    def __getitem__(self, name: str) -> type[Layer]:
        if name not in self._registered and name in self._on_demand:
            importlib.import_module(f"costcalc.layers.{self._on_demand[name]}")
        return self._registered[name]

    def __setitem__(self, name: str, cls: type[Layer]) -> None:
        self._registered[name] = cls

    def __delitem__(self, name: str) -> None:
        del self._registered[name]

    def __contains__(self, name: object) -> bool:
        return name in self._registered or name in self._on_demand

    def __iter__(self) -> Iterator[str]:
        yield from self._registered
        yield from (name for name in self._on_demand if name not in self._registered)

    def __len__(self) -> int:
        return len(self._registered) + sum(name not in self._registered for name in self._on_demand)

    def registered(self, name: str) -> bool:
        """Whether ``name`` is registered already (not only known by name)."""
        return name in self._registered

    def load_all(self) -> None:
        """Import every on-demand module."""
        for module in dict.fromkeys(self._on_demand.values()):
            importlib.import_module(f"costcalc.layers.{module}")


KINDS = KindRegistry(ON_DEMAND)  # the kinds a spec may write
INTERNAL_KINDS: dict[str, type[Layer]] = {}  # the kinds the network builder puts in (add, concat, scale, split)
SHORTHANDS: dict[str, tuple[str, dict[str, Any]]] = {}
L = TypeVar("L", bound=type[Layer])


def register(cls: L) -> L:
    """Register a kind a spec may write (``- conv: {...}``)."""
    if KINDS.registered(cls.kind) or cls.kind in INTERNAL_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    KINDS[cls.kind] = cls
    return cls


def register_internal(cls: L) -> L:
    """Register a kind that only the network builder puts in (where branches meet or part)."""
    if KINDS.registered(cls.kind) or cls.kind in INTERNAL_KINDS:
        raise RuntimeError(f"layer kind {cls.kind!r} registered twice")
    INTERNAL_KINDS[cls.kind] = cls
    return cls


def all_kinds() -> dict[str, type[Layer]]:
    """Every kind a report can show: those a spec writes and those the builder puts in (every module imported)."""
    KINDS.load_all()
    return {**KINDS, **INTERNAL_KINDS}


def shorthand(name: str, kind: str, **preset: Any) -> None:
    SHORTHANDS[name] = (kind, preset)
