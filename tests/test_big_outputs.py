"""Big outputs (issue 17): the JSON sink writes what ``json.dumps(data, indent=2, ensure_ascii=False)`` writes,
byte for byte, without ``json``'s pure-Python indented encoder; and the separable-vs-standard table of the
terminal report is capped, with a line that says how many rows ``--all-layers`` adds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.render.report_table import MAX_PAIRS
from costcalc.render.sinks.json_text import _indented, dumps
from cli_helpers import ok

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=8))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(max_size=5), inner, max_size=4),
    st.dictionaries(st.integers(0, 9), inner, max_size=2)), max_leaves=30)


@settings(max_examples=80, deadline=None)
@given(data=documents)
def test_the_fast_encoder_writes_what_json_writes(data: Any) -> None:
    assert _indented(data, 0) == json.dumps(data, indent=2, ensure_ascii=False)


def test_a_report_is_the_same_json() -> None:
    text = ok("report", "mobilenet_v1", "--format", "json")
    assert text.rstrip("\n") == dumps(json.loads(text))  # the escaping rules of the sink apply as before
    assert text.rstrip("\n") == json.dumps(json.loads(text), indent=2, ensure_ascii=False)


MANY_PAIRS = """\
version: 1
name: many_pairs
input: {channels: 3, size: 16}
layers:
  - conv: {kernel: 3, filters: 8}
  - repeat: %d
    layers:
      - separable: {kernel: 3, filters: 8}
"""


def test_the_pairs_table_is_capped(tmp_path: Path, monkeypatch: Any) -> None:
    import costcalc.render.report_table as table

    assert MAX_PAIRS == 100
    monkeypatch.setattr(table, "MAX_PAIRS", 3)  # the same rule on a small table
    path = tmp_path / "pairs.yaml"
    path.write_text(MANY_PAIRS % 5, encoding="utf-8")
    capped = ok("report", str(path))
    assert "# 2 more rows: --all-layers" in capped
    assert "conv_dw_3 + conv_pw_3" in capped and "conv_dw_4 + conv_pw_4" not in capped
    every = ok("report", str(path), "--all-layers")
    assert "more rows: --all-layers" not in every and "conv_dw_5 + conv_pw_5" in every


def test_a_short_pairs_table_has_no_cap_line() -> None:
    assert "more rows: --all-layers" not in ok("report", "mobilenet_v1")
