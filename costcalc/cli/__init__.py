"""costcalc's command line (``costcalc`` and ``python -m costcalc``)."""

from costcalc.cli import budget, calibrate, models, report, whatifs  # noqa: F401  (each registers its commands on main)
from costcalc.cli.app import main, run
from costcalc.cli.completion import attach

attach(main)  # SPEC, --device and --convention complete to what costcalc knows (docs/output.md)

__all__ = ["main", "run"]
