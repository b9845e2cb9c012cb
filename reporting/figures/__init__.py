"""Figures about the FJC's work, one selector per theme (see base.py for their shape)."""

from reporting.figures.annual import annual_figures
from reporting.figures.base import Chapter, Column, Table, figures_checksum

__all__ = ["Chapter", "Column", "Table", "annual_figures", "figures_checksum"]
