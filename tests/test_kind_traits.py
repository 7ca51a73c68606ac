"""Every layer kind declares every fact the engine and the analyses ask of it (costcalc.layers.base.TRAITS):
whether it works in place, whether its channels follow the resolution, whether its output size is fixed, what
a spec entry of it stands for, and what it is as a convolution. ``Layer`` itself declares none of them, so a
new kind that forgets one fails here, by name, instead of being counted with a default nobody chose.
"""

from __future__ import annotations

import pytest

from costcalc.layers import all_kinds
from costcalc.layers.base import TRAITS, ConvView, Layer, not_a_convolution

EXPANSIONS = ("itself", "chain", "graph")


def undeclared(kind: type[Layer]) -> list[str]:
    """The traits that neither ``kind`` nor a family base class of it (below ``Layer``) declares."""
    families = [cls for cls in kind.__mro__ if cls not in (Layer, object)]
    return [trait for trait in TRAITS if not any(trait.rstrip("()") in vars(cls) for cls in families)]


@pytest.mark.parametrize("name", sorted(all_kinds()))
def test_every_kind_declares_every_trait(name: str) -> None:
    kind = all_kinds()[name]
    assert undeclared(kind) == [], f"layer kind '{name}' ({kind.__name__}) does not declare {undeclared(kind)}"
    assert isinstance(kind.in_place, bool)
    assert isinstance(kind.channels_follow_resolution, bool)
    assert isinstance(kind.fixed_output_size, bool)
    assert kind.expansion in EXPANSIONS
    if kind.expansion == "graph":
        assert kind.expand_graph is not Layer.expand_graph, f"'{name}' expands to a graph but has no expand_graph"


def test_a_kind_that_forgets_a_trait_is_caught() -> None:
    """The check above can fail: this kind decides everything but whether it works in place."""

    class Forgetful(Layer):
        kind = "forgetful"
        summary = "a kind for this test"
        name_prefix = "forgetful"
        channels_follow_resolution = False
        fixed_output_size = False
        expansion = "itself"
        conv_view = not_a_convolution

    assert undeclared(Forgetful) == ["in_place"]
    with pytest.raises(AttributeError):
        Forgetful().in_place  # noqa: B018  (used undeclared, it fails loudly too)


def test_a_kind_without_a_conv_view_fails_loudly_where_it_is_asked() -> None:
    class Silent(Layer):
        kind = "silent"
        summary = "a kind for this test"
        name_prefix = "silent"

    assert undeclared(Silent) == list(TRAITS)
    with pytest.raises(NotImplementedError, match="does not declare its conv_view"):
        Silent().conv_view()


def test_the_conv_views_of_the_convolutions() -> None:
    from costcalc.layers.conv import Conv, Depthwise, Pointwise

    assert Conv(kernel=(3, 3), filters=8, stride=(2, 2), groups=2).conv_view() == ConvView((3, 3), (2, 2), "same", (1, 1), 2)
    assert Depthwise(kernel=(5, 5), depth_multiplier=2).conv_view() == ConvView((5, 5), (1, 1), "same", (1, 1), None, 2)
    assert Depthwise(kernel=(3, 3)).conv_view().depthwise  # type: ignore[union-attr]
    assert Pointwise(filters=8).conv_view() == ConvView((1, 1), (1, 1), "same", (1, 1), 1)


def test_the_on_demand_table_names_exactly_what_its_modules_register() -> None:
    """``registry.ON_DEMAND`` (kind -> module, imported when a spec names the kind) says where every kind of the
    on-demand modules lives, and only those: a kind added to tokens.py or attention.py without an entry, or an
    entry whose kind moved, fails here by name."""
    from costcalc.layers.registry import KINDS, ON_DEMAND

    modules = set(ON_DEMAND.values())
    every = all_kinds()
    spec_kinds = {name: cls for name, cls in every.items() if name in KINDS}
    placed = {name: cls.__module__.rsplit(".", 1)[-1] for name, cls in spec_kinds.items()}
    assert {name: module for name, module in placed.items() if module in modules} == ON_DEMAND
    assert set(ON_DEMAND) <= set(spec_kinds)


def test_a_convolutional_spec_never_imports_the_transformer_kinds() -> None:
    """Reading and building MobileNet imports no on-demand module; naming one of their kinds imports it."""
    import json
    import subprocess
    import sys

    probe = ("import json, sys\n"
             "from costcalc.spec.loading import load_network\n"
             "load_network('mobilenet_v1')\n"
             "from costcalc.layers.registry import KINDS\n"
             "before = sorted(m for m in sys.modules if m.startswith('costcalc.layers.'))\n"
             "known = 'attention' in KINDS and 'linear' in KINDS\n"
             "KINDS['linear']\n"
             "print(json.dumps([before, known, 'costcalc.layers.tokens' in sys.modules]))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    before, known, loaded = json.loads(done.stdout)
    assert not {"costcalc.layers.tokens", "costcalc.layers.attention", "costcalc.layers.attention_parts"} & set(before)
    assert known and loaded
