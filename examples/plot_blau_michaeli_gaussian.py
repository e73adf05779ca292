"""
The Gaussian source with MSE: squared-W₂ and KL perception
==========================================================

The Gaussian analogue of Blau & Michaeli's Fig. 3: R(D, P) of N(0, 1) with
squared error and squared-W₂ perception in closed form (Zhang et al., NeurIPS
2021, Theorem 2), and with KL(p_X̂‖p_X) perception (jointly Gaussian channel).
The figures are `rdp reproduce`'s, drawn from the same specs.
"""

from textwrap import fill

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
spec = specs["gaussian-w2-rd"]
print(spec.command)
print(fill(spec.caption, 88))
fig = spec.make().figure

# %%
# Squared W₂: the surface
spec = specs["gaussian-w2-surface"]
fig = spec.make().figure

# %%
# Squared W₂: cross sections
spec = specs["gaussian-w2-sections"]
fig = spec.make().figure

# %%
# KL(p_X̂‖p_X): rate–distortion curves
# -----------------------------------
# KL is measured in bits, like the rate.
spec = specs["gaussian-kl-rd"]
print(fill(spec.caption, 88))
fig = spec.make().figure

# %%
# KL(p_X̂‖p_X): the surface
spec = specs["gaussian-kl-surface"]
fig = spec.make().figure

# %%
# KL(p_X̂‖p_X): cross sections
spec = specs["gaussian-kl-sections"]
fig = spec.make().figure
