"""Axis labels that name a problem's measures, carried by every surface and curve family.

[`Problem.surface`][rdp.problem.Problem.surface] stores them on its
[`SurfaceResult`][rdp.result.SurfaceResult]; the plots ([`rdp.plot.style`][rdp.plot.style])
write them on the axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdp.problem import Problem


def rate_label(units: str = "bits") -> str:
    """Axis label of a rate: ``'rate R (bits)'``."""
    return f"rate R ({units})"


def distortion_label(name: str) -> str:
    """Axis label of a distortion, naming the measure: ``'distortion D (MSE)'``."""
    return f"distortion D ({name})"


def perception_label(name: str) -> str:
    """Axis label of a perception index, naming the divergence: ``'perception P (W₁)'``."""
    return f"perception P ({name})"


def axis_labels(problem: Problem, units: str = "bits") -> tuple[str, str, str]:
    """(distortion, perception, rate) axis labels naming ``problem``'s measures.

    KL perception is measured in the same unit as the rate, so its label says so.
    """
    perception = problem.perception_measure.label
    distortion = problem.distortion_measure.label
    if distortion == "distortion":  # an explicit matrix has no name of its own
        distortion = "distortion matrix Δ"
    if problem.perception_measure.information_unit:
        perception = f"{perception}, {units}"
    return distortion_label(distortion), perception_label(perception), rate_label(units)
