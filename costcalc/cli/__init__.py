"""costcalc's command line (``costcalc`` and ``python -m costcalc``).

Each command's module is imported when that command runs (``app.CommandsOnDemand``), not here: a bundled
spec's ``report`` loads no other command's code (start-up, issue 17).
"""

from costcalc.cli.app import main, run

__all__ = ["main", "run"]
