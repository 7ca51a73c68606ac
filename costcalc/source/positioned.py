"""Parsed data that knows where each part was written: what ``positioned_yaml`` returns, and what the cached
form of a bundled spec (``spec_cache``) gives back, without importing PyYAML.

Every later stage reports its problems at these locations (``path:line:col``), so both ways of reading a
spec give the same diagnostics.
"""

from __future__ import annotations

from typing import Any

from costcalc.errors import Location


class Mapping(dict[Any, Any]):
    """A YAML mapping with ``location`` (of the mapping) and per-key ``key_at`` / ``value_at``."""

    location: Location
    key_at: dict[Any, Location]
    value_at: dict[Any, Location]


class Sequence(list[Any]):
    """A YAML sequence with ``location`` and per-item ``item_at``."""

    location: Location
    item_at: list[Location]
