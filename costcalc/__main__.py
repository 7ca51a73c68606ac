"""`python -m costcalc` runs the command-line interface."""

from costcalc.cli import run

if __name__ == "__main__":
    run()
