"""Renderers: a ``Report`` (data) to text. Only these modules format numbers or print."""
