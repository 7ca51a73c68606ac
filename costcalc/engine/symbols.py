"""The paper's symbols, defined once with their assumptions (sympy's best-practice advice).

Importing this module imports sympy (~0.4 s): only symbolic commands (``--symbolic``, ``formula``) do.
"""

from __future__ import annotations

import sympy

D_K = sympy.Symbol("D_K", positive=True, integer=True)  # kernel size (square)
M = sympy.Symbol("M", positive=True, integer=True)  # input channels
N = sympy.Symbol("N", positive=True, integer=True)  # output channels
D_F = sympy.Symbol("D_F", positive=True, integer=True)  # output feature-map size (square)
alpha = sympy.Symbol("alpha", positive=True)  # width multiplier
rho = sympy.Symbol("rho", positive=True)  # resolution multiplier
depth = sympy.Symbol("d", positive=True)  # depth multiplier (EfficientNet's d): round_repeats(n) is d·n ideally
