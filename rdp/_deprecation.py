"""Deprecated names: each warns once per use, naming its replacement, and still works."""

from __future__ import annotations

import warnings
from typing import Any


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Issue a ``DeprecationWarning``: ``old`` is deprecated, use ``new``."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=stacklevel)


def forwarding(old: str, new: str, target: Any) -> Any:
    """A function that warns (``old`` → ``new``) and calls ``target`` with its arguments."""

    def forward(*args: Any, **kwargs: Any) -> Any:
        deprecated(old, new)
        return target(*args, **kwargs)

    forward.__name__ = old.rsplit(".", 1)[-1]
    forward.__qualname__ = forward.__name__
    forward.__doc__ = f"Deprecated: use {new}."
    return forward


def problem_method(old: str, method: str) -> Any:
    """A deprecated function ``old(problem, *args, **kwargs)`` → ``problem.<method>(...)``."""

    def call(problem: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(problem, method)(*args, **kwargs)

    return forwarding(old, f"Problem.{method}", call)
