"""Blau & Michaeli (ICML 2019) figures: Bernoulli/Hamming/TV, and the Gaussian analogues.

The Bernoulli(1/10) source with Hamming distortion and total-variation
perception has the closed form of Blau & Michaeli's Theorem 2; their Fig. 3
shows its rate–distortion curves at several P, the R(D, P) surface with
equi-rate lines, and its cross sections. The same views for the Gaussian
source with MSE use the closed forms of Zhang et al. (NeurIPS 2021, Thm 2)
for squared-W₂ perception, and for KL(p_X̂‖p_X) perception the same jointly
Gaussian form with the least admissible reconstruction deviation, a Lambert-W
expression (``rdp.closed_forms.gaussian``; see docs/references.md).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rdp.perceptions import KL
from rdp.problem import Problem
from rdp.reproduce.family import FamilyGrids, rdp_family
from rdp.reproduce.registry import FigureSpec
from rdp.sources import Bernoulli, Gaussian

BLAU_MICHAELI = (
    "Y. Blau and T. Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception "
    "Tradeoff, ICML 2019"
)
ZHANG = (
    "G. Zhang, J. Qian, J. Chen and A. Khisti, Universal Rate-Distortion-Perception "
    "Representations for Lossy Compression, NeurIPS 2021"
)

BERNOULLI_GRIDS = FamilyGrids(
    D=np.linspace(0.0, 0.2, 201),
    P=np.linspace(0.0, 0.1, 201),
    perception_levels=[0.0, 0.02, 0.04, 0.06, 0.08],
    rates=[0.05, 0.1, 0.2, 0.3],
    distortions=[0.02, 0.05, 0.08, 0.12],
    surface_D=np.linspace(0.0, 0.2, 81),
    surface_P=np.linspace(0.0, 0.1, 61),
    levels=[0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4],
)

GAUSSIAN_W2_GRIDS = FamilyGrids(
    D=np.linspace(0.005, 2.0, 400),
    P=np.linspace(0.0, np.sqrt(0.3), 201) ** 2,
    perception_levels=[0.0, 0.01, 0.04, 0.1, 0.25],
    rates=[0.25, 0.5, 1.0, 2.0],
    distortions=[0.2, 0.5, 0.8, 1.1],
    surface_D=np.linspace(0.02, 2.0, 81),
    surface_P=np.linspace(0.0, 0.5, 61),
    max_rate=3.0,
    levels=[0.1, 0.25, 0.5, 1.0, 1.5, 2.0],
)

# The KL views share the W₂ grids; only the perception levels of the R(D) curves differ.
GAUSSIAN_KL_GRIDS = replace(GAUSSIAN_W2_GRIDS, perception_levels=[0.0, 0.01, 0.05, 0.15, 0.4])


def bernoulli_problem() -> Problem:
    """Bernoulli(1/10), Hamming distortion, TV perception (Blau & Michaeli 2019, §4)."""
    return Problem(Bernoulli(0.1), "hamming", "tv")


def gaussian_w2_problem() -> Problem:
    """N(0, 1), MSE, squared-W₂ perception."""
    return Problem(Gaussian(0.0, 1.0), "mse", "w2")


def gaussian_kl_problem() -> Problem:
    """N(0, 1), MSE, KL(p_X̂ ‖ p_X) perception (in bits)."""
    return Problem(Gaussian(0.0, 1.0), "mse", KL("reconstruction||source"))


def figures() -> list[FigureSpec]:
    """The Bernoulli and Gaussian R(D, P) families."""
    return [
        *rdp_family(
            "bernoulli-tv",
            "Bernoulli(1/10), Hamming distortion, TV perception",
            bernoulli_problem(),
            BERNOULLI_GRIDS,
            paper=BLAU_MICHAELI,
            paper_figure="Fig. 3 (closed form of Theorem 2)",
            note="Closed form: Blau & Michaeli 2019, Theorem 2.",
        ),
        *rdp_family(
            "gaussian-w2",
            "Gaussian N(0, 1), MSE, squared-W₂ perception",
            gaussian_w2_problem(),
            GAUSSIAN_W2_GRIDS,
            paper=f"{BLAU_MICHAELI} (views of Fig. 3); closed form from {ZHANG}",
            paper_figure="Fig. 3 analogue (Zhang et al. 2021, Theorem 2)",
            note=(
                "Closed form: Zhang et al. 2021, Theorem 2; P ≥ σ² = 1 is Shannon's "
                "R(D) = ½ log₂(1/D)."
            ),
        ),
        *rdp_family(
            "gaussian-kl",
            "Gaussian N(0, 1), MSE, KL(p_X̂‖p_X) perception",
            gaussian_kl_problem(),
            GAUSSIAN_KL_GRIDS,
            paper=f"{BLAU_MICHAELI} (views of Fig. 3); {ZHANG}, Thm 2 form with a KL ball",
            paper_figure="Fig. 3 analogue (jointly Gaussian channel, Lambert-W KL ball)",
            note="KL in bits; the least admissible reconstruction deviation is a Lambert-W "
            "expression (Corless et al. 1996; derived in rdp.closed_forms.gaussian).",
        ),
    ]
