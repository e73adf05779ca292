"""Discrete examples beyond the papers (need the finite-alphabet solver)."""

from __future__ import annotations

from rdp.reproduce.registry import FigureSpec


def figures() -> list[FigureSpec]:
    """Discrete-source figures."""
    return []
