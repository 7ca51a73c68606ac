"""`python -m costcalc` runs the command-line interface."""

from costcalc.cli import main

if __name__ == "__main__":
    main()
