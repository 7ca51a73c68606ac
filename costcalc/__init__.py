"""costcalc: exact Mult-Adds and parameter counts of convolutional networks from a YAML spec.

The cost of every layer is a formula in the MobileNets paper's symbols (Howard et al., 2017); the
network's totals are exact integers for any width multiplier alpha and resolution multiplier rho,
or a closed form in both.
"""

__version__ = "0.1.0"
