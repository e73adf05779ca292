"""
Freirich et al.: the distortion–perception function D(P)
========================================================

Freirich, Michaeli & Meir (NeurIPS 2021, Theorems 3–4): for MSE and squared-W₂
perception, the least distortion of an estimator of X from noisy
observations is D(P) = D* + [(W₂(p_X, p_X*) − √P)₊]², with D* the MMSE and X*
the MMSE estimate. The figure is `rdp reproduce freirich-distortion-perception`,
for Gaussian denoising at three noise levels.
"""

from rdp.reproduce import select_figures
from rdp.theorems import freirich2021, run_standard_checks

(spec,) = select_figures(["freirich-distortion-perception"])

# %%
# The closed form for X ~ N(0, 1) observed as Y = X + N, N ~ N(0, 1/2): the MMSE is
# D* = 1/3 and the MMSE estimate has W₂²(p_X, p_X*) = (1 − √(2/3))².
print(
    "D(P) at P = 0, 0.01, 0.1:",
    freirich2021.distortion_perception_function(1 / 3, (1 - (2 / 3) ** 0.5) ** 2, [0, 0.01, 0.1]),
)

# %%
# The theorem checked against the geodesic estimator, on the instances
# `rdp verify --only freirich2021` runs
for report in run_standard_checks(["freirich2021"]):
    print(report)

# %%
# The figure
# ----------
# The least MSE of an estimator of X ~ N(0, 1) from Y = X + N under
# W₂²(p_X, p_X̂) ≤ P, at three noise levels. Each curve falls from
# D(0) = D* + W₂²(p_X, p_X*) to the MMSE D* (dotted) at √P = W₂(p_X, p_X*) and
# is flat beyond. Against √P (right) it is a parabola, the quadratic shape of
# the theorem. Dots mark D(0) and the point where the perception constraint
# stops binding.
fig = spec.make().figure
