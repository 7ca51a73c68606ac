"""The names PyTorch (``torch.nn``) and Keras give costcalc's kinds and fields, for "did you mean" (issue 18).

A user coming from a framework writes ``dense``, ``bn``, ``Conv2d`` or ``out_channels``; a typo matcher cannot
find ``fc`` in ``dense`` or ``filters`` in ``out_channels``. These tables can: they are the mapping that
docs/kinds.md ("Names from PyTorch and Keras") prints, and ``tests/test_framework_habits.py`` checks that every
kind and field they point to exists and that the page lists every row. Sources: the class and argument names
of ``torch.nn`` (PyTorch 2.x docs) and ``keras.layers`` (Keras 3 docs).
"""

from __future__ import annotations

from costcalc.errors import closest

# A framework's layer name (compared without case, ``_`` or a trailing ``2d``) -> costcalc's kind, and where it
# comes from.
KIND_NAMES: dict[str, tuple[str, str]] = {
    "conv": ("conv", "PyTorch nn.Conv2d, Keras Conv2D"),
    "convolution": ("conv", "Keras Convolution2D"),
    "depthwiseconv": ("depthwise", "Keras DepthwiseConv2D"),
    "separableconv": ("separable", "Keras SeparableConv2D"),
    "linear": ("linear", "PyTorch nn.Linear on every token (a classifier on a flat input is an fc)"),
    "dense": ("fc", "Keras Dense"),
    "fullyconnected": ("fc", "a fully connected layer"),
    "bn": ("batch_norm", "batch norm, often written bn"),
    "batchnorm": ("batch_norm", "PyTorch nn.BatchNorm2d"),
    "batchnormalization": ("batch_norm", "Keras BatchNormalization"),
    "layernorm": ("layer_norm", "PyTorch nn.LayerNorm"),
    "layernormalization": ("layer_norm", "Keras LayerNormalization"),
    "maxpool": ("max_pool", "PyTorch nn.MaxPool2d"),
    "maxpooling": ("max_pool", "Keras MaxPooling2D"),
    "avgpool": ("avg_pool", "PyTorch nn.AvgPool2d"),
    "averagepooling": ("avg_pool", "Keras AveragePooling2D"),
    "adaptiveavgpool": ("adaptive_avg_pool", "PyTorch nn.AdaptiveAvgPool2d"),
    "globalaveragepooling": ("global_avg_pool", "Keras GlobalAveragePooling2D"),
    "globalavgpool": ("global_avg_pool", "Keras GlobalAvgPool2D"),
    "globalmaxpooling": ("global_max_pool", "Keras GlobalMaxPooling2D"),
    "activation": ("activation", "Keras Activation"),
    "hardswish": ("hard_swish", "PyTorch nn.Hardswish"),
    "hardsigmoid": ("hard_sigmoid", "PyTorch nn.Hardsigmoid"),
    "leakyrelu": ("leaky_relu", "PyTorch nn.LeakyReLU"),
    "multiheadattention": ("attention", "PyTorch nn.MultiheadAttention, Keras MultiHeadAttention"),
    "stochasticdepth": ("stochastic_depth", "torchvision.ops.StochasticDepth"),
    "squeezeexcitation": ("squeeze_excite", "torchvision.ops.SqueezeExcitation"),
    "channelshuffle": ("channel_shuffle", "PyTorch nn.ChannelShuffle"),
}

# A framework's argument name -> costcalc's field ("" when costcalc has no such field, with why in the note).
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "out_channels": ("filters", "PyTorch nn.Conv2d"),
    "kernel_size": ("kernel", "PyTorch nn.Conv2d, Keras Conv2D"),
    "strides": ("stride", "Keras Conv2D"),
    "use_bias": ("bias", "Keras"),
    "dilation_rate": ("dilation", "Keras Conv2D"),
    "pool_size": ("kernel", "Keras MaxPooling2D"),
    "out_features": ("units", "PyTorch nn.Linear"),
    "num_heads": ("heads", "PyTorch nn.MultiheadAttention, Keras MultiHeadAttention"),
    "output_size": ("size", "PyTorch nn.AdaptiveAvgPool2d"),
    "p": ("rate", "PyTorch nn.Dropout"),
    "ceil": ("ceil_mode", "PyTorch nn.MaxPool2d"),
    "in_channels": ("", "costcalc takes a layer's input channels from the layer before it: leave it out"),
    "in_features": ("", "costcalc takes a layer's input size from the layer before it: leave it out"),
    "num_features": ("", "costcalc takes batch norm's channels from the layer before it: leave it out"),
    "normalized_shape": ("", "costcalc takes layer norm's channels from the layer before it: leave it out"),
    "embed_dim": ("", "costcalc takes the width from the tokens flowing in: leave it out"),
    "eps": ("", "it changes no count: leave it out"),
    "momentum": ("", "it changes no count: leave it out"),
    "inplace": ("", "costcalc knows which layers run in place: leave it out"),
    "padding_mode": ("", "it changes no count: leave it out"),
}


def _normal(name: str) -> str:
    key = name.lower().replace("_", "")
    return key[:-2] if key.endswith("2d") and len(key) > 2 else key


def kind_hint(name: str, kinds: object) -> str:
    """`` (did you mean 'fc'? Keras Dense is costcalc's fc)`` when ``name`` is a framework's name of one of
    ``kinds``; else an empty string."""
    found = KIND_NAMES.get(_normal(name))
    if found is None or found[0] not in kinds or closest(name, kinds) == found[0]:  # type: ignore[operator]
        return ""  # a typo ('strides', 'conv2') keeps the plain "did you mean"
    kind, source = found
    return f" (did you mean '{kind}'? costcalc's {kind} is {source}; docs/kinds.md lists the names)"


def field_hint(name: str, fields: object) -> str:
    """`` (did you mean 'filters'? ...)`` when ``name`` is a framework's name of one of ``fields``, or why costcalc
    needs no such field; else an empty string."""
    found = FIELD_NAMES.get(name)
    if found is None:
        return ""
    field, note = found
    if not field:
        return f" ({note})"
    if field not in fields or closest(name, fields) == field:  # type: ignore[operator]
        return ""
    return f" (did you mean '{field}'? costcalc's {field} is {name} in {note}; docs/kinds.md lists the names)"
