"""Output sinks: one small module per place costcalc's output goes, each with the one escaping function that
every string read from a file (a spec, a budgets file, a convention or device file) goes through on its way
there — ``terminal`` (a terminal, and stderr), ``github`` (GitHub Actions workflow commands), ``spreadsheet``
(CSV cells), ``markup`` (SVG and HTML documents), ``markdown`` (Markdown text, table cells and code spans) and
``json_text`` (JSON documents). docs/security.md states what each guarantees.

Importing a sink loads no third-party module (``terminal.text`` imports rich when it is called).
"""
