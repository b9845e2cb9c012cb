"""Figures about the FJC's work, one selector per theme (see base.py for their shape)."""
