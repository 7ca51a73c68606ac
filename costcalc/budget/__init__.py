"""Budgets for CI: the budgets file (``config``) and baselines (``baseline``); ``costcalc.analysis.check``
runs the checks and ``costcalc.render.check_formats`` reports them."""
