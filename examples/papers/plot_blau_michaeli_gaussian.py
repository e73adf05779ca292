"""
The Gaussian source with MSE: squared-W₂ and KL perception
==========================================================

The Gaussian analogue of Blau & Michaeli's Fig. 3: R(D, P) of N(0, 1) with
squared error and squared-W₂ perception in closed form (Zhang et al., NeurIPS
2021, Theorem 2), and with KL(p_X̂‖p_X) perception (jointly Gaussian channel).
The figures are those of `rdp reproduce gaussian-w2-rd ...`, drawn from the
same specs.
"""

from rdp import KL, Gaussian, Problem
from rdp.reproduce import select_figures

ids = [f"gaussian-{kind}-{view}" for kind in ("w2", "kl") for view in ("rd", "surface", "sections")]
specs = {spec.id: spec for spec in select_figures(ids)}

# %%
# Two closed-form values: at P = 0 the reconstruction must have the source's
# law, and the distortion at rate R is 2(1 − √(1 − 2^(−2R))), twice Shannon's
# at high rate.
w2 = Problem(Gaussian(), "mse", "w2")
print("D(R = 1, P = 0) =", w2.distortion(1.0, 0.0).distortion)
print("D(R = 1, P = ∞) =", w2.distortion(1.0).distortion)
kl = Problem(Gaussian(), "mse", KL("reconstruction||source"))
print("R(0.3, KL ≤ 0.05 bits) =", kl.rate(0.3, 0.05).rate)

# %%
# Squared W₂: rate–distortion curves
# ----------------------------------
# R(D, P) against D at five perception bounds (darker: stricter) and Shannon's
# R(D) = ½ log₂(1/D) dashed in black. From P ≥ σ² = 1 on, the perception bound
# is never active and R(D, P) is Shannon's R(D).
fig = specs["gaussian-w2-rd"].make().figure

# %%
# Squared W₂: the surface
# -----------------------
# Left: R(D, P) over the (D, P) plane with its equi-rate lines. Right: the same
# lines in the (D, P) plane; the shaded region is where the rate is 0.
fig = specs["gaussian-w2-surface"].make().figure

# %%
# Squared W₂: cross sections
# --------------------------
# Left: D(R, P) against P at fixed rates, the distortion–perception tradeoff.
# Right: R(D, P) against P at fixed distortions.
fig = specs["gaussian-w2-sections"].make().figure

# %%
# KL(p_X̂‖p_X): rate–distortion curves
# -----------------------------------
# The same views with the KL divergence of the reconstruction's law from the
# source's, in bits like the rate. The least reconstruction deviation the KL
# ball admits is a Lambert-W expression (Corless et al. 1996).
fig = specs["gaussian-kl-rd"].make().figure

# %%
# KL(p_X̂‖p_X): the surface
# ------------------------
fig = specs["gaussian-kl-surface"].make().figure

# %%
# KL(p_X̂‖p_X): cross sections
# ---------------------------
fig = specs["gaussian-kl-sections"].make().figure
