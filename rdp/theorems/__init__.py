"""Theorems of the rate–distortion–perception literature as executable checks.

Each check takes an instance (a source, an encoder, a [`Problem`][rdp.problem.Problem]),
computes the quantities the theorem relates and returns a
[`TheoremReport`][rdp.theorems.report.TheoremReport] (statement, reference, instance,
quantities, deviation, tolerance, passed).
[`standard_checks`][rdp.theorems.standard.standard_checks] lists the
library's standard set, which ``rdp verify`` runs.

- [`yan2021`][rdp.theorems.yan2021]: the cost of perfect perception (one-shot, 2·D*(K));
- [`freirich2021`][rdp.theorems.freirich2021]: the distortion–perception function D(P);
- [`blau_michaeli2019`][rdp.theorems.blau_michaeli2019]: properties of R(D, P) for any problem;
- [`symbolic`][rdp.theorems.symbolic]: sympy derivations of the closed forms.
"""

from rdp.theorems import blau_michaeli2019, freirich2021, symbolic, yan2021
from rdp.theorems.report import TheoremReport
from rdp.theorems.standard import run_standard_checks, standard_checks

__all__ = [
    "TheoremReport",
    "blau_michaeli2019",
    "freirich2021",
    "run_standard_checks",
    "standard_checks",
    "symbolic",
    "yan2021",
]
