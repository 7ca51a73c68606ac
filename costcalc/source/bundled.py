"""The specs that ship with costcalc (the repository's ``specs/`` folder, installed as ``costcalc/specs``), found
by name: ``costcalc report mobilenet_v1``.

A bundled name is one of the ``variants`` a bundled spec declares (``efficientnet_b4`` in ``efficientnet.yaml``:
costcalc.spec.variants), or the name of a spec file without variants, without ``.yaml``. A family's file is
named by its variants (its own file stays readable as a path). A variant's path is its spec's path with ``#``
and the variant's name (``.../specs/efficientnet.yaml#efficientnet_b4``), which ``load_spec`` reads.
"""

from __future__ import annotations

import functools
import os

DEFAULT_SPEC = "mobilenet_v1"
VARIANT_MARK = "#"


def bundled_dir() -> str:
    """Installed: ``costcalc/specs`` beside the package's modules; in a source checkout: ``../specs``."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, "specs")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(package), "specs")


def bundled_files() -> dict[str, str]:
    """Bundled spec file name (without .yaml) -> path, sorted by name."""
    folder = bundled_dir()
    if not os.path.isdir(folder):
        return {}
    names = sorted(entry for entry in os.listdir(folder) if entry.endswith(".yaml"))
    return {name[: -len(".yaml")]: os.path.join(folder, name) for name in names}


def is_family(path: str) -> bool:
    """Whether a bundled spec declares variants (a top-level ``variants:`` key; no YAML is parsed)."""
    with open(path, encoding="utf-8") as handle:
        return "\nvariants:" in handle.read()


def is_bundled_file(path: str) -> bool:
    """Whether ``path`` is a spec file that ships with costcalc (in ``bundled_dir()``): only those are cached
    (``costcalc.source.spec_cache``)."""
    return os.path.dirname(os.path.abspath(path)) == os.path.abspath(bundled_dir())


@functools.lru_cache(maxsize=4)
def _variants(folder: str) -> dict[str, str]:
    """Variant name -> ``path#variant``, from the ``variants`` of every bundled family (files that ship with
    costcalc, read by the safe loader or from their cached form; their variants are checked when a spec is
    loaded)."""
    from costcalc.source.spec_cache import read_spec_tree

    found: dict[str, str] = {}
    for path in bundled_files().values():
        if not is_family(path):
            continue
        data = read_spec_tree(path, cached=True)
        for name in (data.get("variants") or {}) if isinstance(data, dict) else {}:
            found[str(name)] = f"{path}{VARIANT_MARK}{name}"
    return found


def bundled_specs() -> dict[str, str]:
    """Every bundled name -> its path (``path#variant`` for a variant), sorted by name."""
    names = {stem: path for stem, path in bundled_files().items() if not is_family(path)}
    names.update(_variants(bundled_dir()))
    return dict(sorted(names.items()))


def split_variant(path: str) -> tuple[str, str | None]:
    """``spec.yaml#name`` -> (``spec.yaml``, ``name``) when ``path`` is no file but ``spec.yaml`` is; else
    (``path``, None)."""
    file, mark, variant = path.rpartition(VARIANT_MARK)
    if mark and variant and not os.path.lexists(path) and os.path.isfile(file):
        return file, variant
    return path, None
