"""Renderers: results (data) to text. Only these modules format numbers for people.

One naming scheme (costcalc.render.view): ``<command>_formats.py`` holds ``to_<format>(result, view)`` for each
text format of a command (json, csv, markdown, text, github, latex), and ``<command>_table.py`` holds
``render(result, view, width)``, the rich renderable of its terminal table (and of its SVG and HTML exports).
Shared once: ``numbers`` (counts, shares, durations, sizes), ``json_fields`` (exact numbers, multipliers,
what a convention counts), ``sections`` (the look of rich tables), ``markdown_tables``, ``shown_rows`` (which
layer rows the human formats show), ``sympy_text`` (closed forms), and ``sinks`` (escaping for each place
output goes)."""
