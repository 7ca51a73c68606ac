"""Counting conventions: what counts as a Mult-Add and as a parameter. The built-ins are data
(``builtin``); a user's come from a YAML file (``files``)."""

from costcalc.conventions.builtin import CONVENTIONS, PAPER, TORCHVISION, UNITS, Convention, Term

__all__ = ["CONVENTIONS", "PAPER", "TORCHVISION", "UNITS", "Convention", "Term"]
