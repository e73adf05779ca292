"""Theorems of the rate–distortion–perception literature as executable checks.

Each check takes an instance (a source, an encoder, a :class:`~rdp.Problem`),
computes the quantities the theorem relates and returns a
:class:`~rdp.theorems.report.TheoremReport` (statement, reference, instance,
quantities, deviation, tolerance, passed). :func:`standard_checks` lists the
library's standard set, which ``rdp verify`` runs.

- :mod:`~rdp.theorems.yan2021`: the cost of perfect perception (one-shot, 2·D*(K));
- :mod:`~rdp.theorems.freirich2021`: the distortion–perception function D(P);
- :mod:`~rdp.theorems.blau_michaeli2019`: properties of R(D, P) for any problem;
- :mod:`~rdp.theorems.symbolic`: sympy derivations of the closed forms.
"""

from rdp.theorems.report import TheoremReport

__all__ = ["TheoremReport"]
