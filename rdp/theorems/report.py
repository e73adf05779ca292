"""The structured result of a theorem check: ``TheoremReport``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rdp.result import to_jsonable


@dataclass(frozen=True)
class TheoremReport:
    """What a theorem check computed and whether the theorem held on the instance.

    Attributes
    ----------
    name : str
        Short identifier, e.g. ``'yan2021/cost-of-perfect-perception[gaussian]'``.
    statement : str
        The theorem, in words and symbols.
    reference : str
        Authors, title, venue, year and theorem/equation.
    instance : str
        The source, encoder and parameters checked.
    quantities : dict
        The computed numbers (JSON-serialisable after
        [`to_dict`][rdp.theorems.report.TheoremReport.to_dict]).
    deviation : float
        The largest discrepancy from the theorem's claim (a relative error, a
        number of standard errors, or the largest violation of an inequality,
        as ``tolerance`` states).
    tolerance : float
        The check passes when ``deviation <= tolerance`` (strict ``<`` for strict
        inequalities, see ``strict``).
    passed : bool
        Whether the theorem held on the instance.
    strict : bool
        True when ``passed`` means ``deviation < tolerance``.
    """

    name: str
    statement: str
    reference: str
    instance: str
    quantities: dict[str, Any] = field(default_factory=dict)
    deviation: float = 0.0
    tolerance: float = 0.0
    passed: bool = False
    strict: bool = False

    @classmethod
    def from_deviation(
        cls,
        *,
        name: str,
        statement: str,
        reference: str,
        instance: str,
        quantities: dict[str, Any],
        deviation: float,
        tolerance: float,
        strict: bool = False,
    ) -> TheoremReport:
        """Build a report; ``passed`` is ``deviation <= tolerance`` (``<`` if ``strict``).

        A NaN deviation fails.
        """
        deviation = float(deviation)
        ok = deviation < tolerance if strict else deviation <= tolerance
        return cls(
            name=name,
            statement=statement,
            reference=reference,
            instance=instance,
            quantities=quantities,
            deviation=deviation,
            tolerance=float(tolerance),
            passed=bool(ok and not np.isnan(deviation)),
            strict=strict,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        return {
            "name": self.name,
            "statement": self.statement,
            "reference": self.reference,
            "instance": self.instance,
            "quantities": to_jsonable(self.quantities),
            "deviation": self.deviation,
            "tolerance": self.tolerance,
            "strict": self.strict,
            "passed": self.passed,
        }

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        relation = "<" if self.strict else "<="
        return (
            f"[{verdict}] {self.name}: deviation {self.deviation:.3e} {relation} "
            f"{self.tolerance:.3e} ({self.instance})"
        )
