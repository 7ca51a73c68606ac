"""The notes ``costcalc export`` writes in a node's ``doc_string`` (docs/onnx.md, "Export"), read back: what an
ONNX graph cannot say by itself.

A note is ``costcalc:`` followed by words: a tag or a field (``key=value``). The tags:

- ``adaptive_avg_pool``, ``stochastic_depth``, ``implicit``, ``parameters``: the kind of a node that ONNX has
  no op for (an ``AveragePool`` that is PyTorch's adaptive pool, an ``Identity`` that is a stochastic depth,
  a reshape the exporter added, a learned tensor used outside a module);
- ``params_only``: a node of a branch whose parameters count and which never runs (its outputs go nowhere);
- ``attention``, ``window_attention``, ``patch_merging``: a node of that construct, whose fields the note
  carries (``heads=12``, ``window=7``, ``shift=true``...) and whose ``instance=N`` tells one construct from the
  next: ``costcalc.onnx.constructs`` folds the nodes of one instance into the construct.

A field of a plain layer is its ``call`` (``call=functional``: how the model invokes it, docs/spec-format.md
"call:"), which counting tools see and the graph does not show. The exporter writes a layer's note on every
node it writes for the layer, so that a pattern of several nodes carries it whichever node stands for it.

A note is untrusted text: a word is one of ``TAGS``, a field one of ``FIELDS``, its value a short word or a
whole number (``true``/``false`` are booleans), which the kind's own parser checks again when the imported
spec is read, so that nothing but a value the spec language accepts reaches the imported spec's text;
anything else is a located error (E574). A graph from another exporter has no notes and imports as what its
ops are.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from costcalc.onnx.model import Node

PREFIX = "costcalc:"
CONSTRUCTS = frozenset({"attention", "window_attention", "patch_merging"})
TAGS = frozenset({"adaptive_avg_pool", "stochastic_depth", "implicit", "params_only", "parameters"}) | CONSTRUCTS
FIELDS = frozenset({"call", "count", "instance", "heads", "head_dim", "window", "shift", "partition",
                    "position_bias", "cosine", "qkv_bias", "proj_bias", "norm"})
_WORD = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
_WHOLE = re.compile(r"[1-9][0-9]{0,15}\Z")
MAX_WORDS = 16


class Note(NamedTuple):
    tags: frozenset[str]
    fields: dict[str, Any]


EMPTY = Note(frozenset(), {})


def read_note(node: Node) -> Note:
    """The note in ``node``'s doc_string (``EMPTY`` when it has none); ValueError when it is not one costcalc
    writes."""
    text = node.doc.strip()
    if not text.startswith(PREFIX):
        return EMPTY
    words = text[len(PREFIX):].split()
    if len(words) > MAX_WORDS:
        raise ValueError(f"its costcalc note has more than {MAX_WORDS} words")
    tags: set[str] = set()
    fields: dict[str, Any] = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals:
            if key not in TAGS:
                raise ValueError(f"its costcalc note has the word {key!r:.40}, which costcalc does not write")
            tags.add(key)
        elif key not in FIELDS or not (_WORD.match(value) or _WHOLE.match(value)):
            raise ValueError(f"its costcalc note has {word!r:.60}, which costcalc does not write")
        else:
            fields[key] = int(value) if value.isdigit() else {"true": True, "false": False}.get(value, value)
    return Note(frozenset(tags), fields)


def merged(nodes: tuple[Node, ...] | list[Node]) -> Note:
    """The notes of the nodes that make one layer, the first node's value of a field first."""
    tags: set[str] = set()
    fields: dict[str, Any] = {}
    for node in nodes:
        note = read_note(node)
        tags |= note.tags
        for key, value in note.fields.items():
            fields.setdefault(key, value)
    return Note(frozenset(tags), fields)


def write_note(tags: tuple[str, ...] = (), fields: dict[str, Any] | None = None) -> str:
    """The doc_string of a node with these tags and fields (the exporter's side)."""
    words = list(tags) + [f"{key}={_text(value)}" for key, value in (fields or {}).items()]
    return f"{PREFIX} {' '.join(words)}" if words else ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
