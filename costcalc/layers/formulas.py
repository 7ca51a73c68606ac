"""The cost formulas: one place, pure functions, the paper's symbols as argument names.

Each function is written in arithmetic that works unchanged on Python ints (exact mode: the result is an
int) and on sympy expressions (symbolic mode: calling it with ``Symbol``s *derives* the formula). So the
formula that ``costcalc formula`` prints and the integers ``costcalc report`` prints come from the same line
of code, and the report never needs to import sympy.

Convention (MobileNets, Howard et al. 2017, Section 3.1): one multiply-accumulate counts as one Mult-Add;
``D_F`` is the OUTPUT feature-map size, so a strided layer is counted at its output resolution, as the
paper's Table 1 does. Rectangular kernels and maps are ``k_h x k_w`` and ``h x w``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.layers.base import Arith


def exact_div(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` that stays an int for ints (where it must divide) and is a fraction for
    symbols. Grouped convolutions divide channels by groups; validation guarantees divisibility."""
    if isinstance(numerator, int) and isinstance(denominator, int):
        quotient, remainder = divmod(numerator, denominator)
        if remainder:
            raise ValueError(f"{numerator} is not divisible by {denominator}")
        return quotient
    return numerator / denominator


def conv_mult_adds(k_h: Any, k_w: Any, m: Any, n: Any, h: Any, w: Any, groups: Any = 1) -> Any:
    """Mult-Adds of a (grouped) convolution: ``D_K·D_K·(M/groups)·N·D_F·D_F`` (paper eq. 2 for groups = 1).

    Every output element of each of the N filters takes ``k_h·k_w·M/groups`` multiply-accumulates.
    A depthwise convolution is the case ``groups = M``, ``N = M·depth_multiplier`` (eq. 4); a pointwise
    convolution is ``k_h = k_w = 1`` (the second term of eq. 5); a fully connected layer is a 1x1
    convolution on a 1x1 map.
    """
    return k_h * k_w * exact_div(m, groups) * n * h * w


def conv_params(k_h: Any, k_w: Any, m: Any, n: Any, groups: Any = 1) -> Any:
    """Weights of a (grouped) convolution: ``D_K·D_K·(M/groups)·N`` (biases are counted apart)."""
    return k_h * k_w * exact_div(m, groups) * n


def conv_output_size(size: Any, kernel: int, stride: int, padding: str, pad: int, dilation: int,
                     arith: Arith, ceil_mode: bool = False) -> Any:
    """Output size along one axis of a convolution or pooling window.

    - ``same`` (TensorFlow): ``ceil(size / stride)``, whatever the kernel;
    - ``valid``: no padding, ``floor((size - d·(k - 1) - 1) / stride) + 1``;
    - explicit ``pad`` pixels per side (PyTorch ``Conv2d``/``MaxPool2d``):
      ``floor((size + 2·pad - d·(k - 1) - 1) / stride) + 1``, or ``ceil`` with ``ceil_mode``, where PyTorch
      drops a last window that would start in the right padding.

    ``arith`` does the division: exactly (integers, checked) or ideally (symbols, no rounding; see below).
    """
    if padding == "same":
        return arith.ceil_div(size, stride)
    pad = 0 if padding == "valid" else pad
    span = dilation * (kernel - 1) + 1
    reach = size + 2 * pad - span
    if pad:
        arith.require(reach >= 0, lambda: f"the {span}-pixel window is larger than the padded input "
                                          f"({size} pixels + {pad} of padding on each side)", "E404")
    else:
        arith.require(reach >= 0, lambda: f"the {span}-pixel window is larger than the input ({size} pixels)", "E404")
    if not arith.exact:
        # Ideal (no rounding): size / stride plus the window's and padding's whole-pixel offset, which is the
        # exact size wherever the stride divides the size (for size = s·m the floor is m + floor((2p - span)/s)),
        # and the paper's size / stride for padding that keeps the size (ResNet's 7x7/2 stem with padding 3).
        offset = 2 * pad - span
        return arith.floor_div(size, stride) + (-(-offset // stride) if ceil_mode else offset // stride) + 1
    if not ceil_mode:
        return arith.floor_div(reach, stride) + 1
    out = arith.ceil_div(reach, stride) + 1
    if arith.exact and (out - 1) * stride >= size + pad:
        out -= 1
    return out
