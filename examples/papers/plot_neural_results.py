"""
Neural experiments on MNIST: the committed results
==================================================

The neural experiments train encoders and decoders with JAX and compare what
they reach with the theory ([Neural experiments](../../results/neural.md)):
Blau & Michaeli's rate–distortion–perception tradeoff on MNIST, and Yan et
al.'s factor 2 between the perfect-perception and the MSE decoder of one
encoder, on MNIST digits and on a scalar Gaussian whose optimum is known
exactly. Training takes an hour on a CPU, so the figures here are drawn from
the results the repository keeps under `docs/neural/`, through the same figure
specs that `RDP_NEURAL_RESULTS=docs/neural rdp reproduce` uses (run from a
checkout; needs the `neural` extra).
"""

import os
from pathlib import Path

from rdp.reproduce import all_figures

here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "neural").is_dir())
os.environ["RDP_NEURAL_RESULTS"] = os.path.relpath(checkout / "docs" / "neural")

specs = {spec.id: spec for spec in all_figures() if spec.id.startswith("neural-")}
for spec in specs.values():
    print(f"{spec.id:28} {spec.paper_figure}")

# %%
# Blau & Michaeli: rate–distortion at equal perception
# ----------------------------------------------------
# Encoder–decoder pairs trained on MSE + λ·(adversarial loss) at several rates
# and weights λ. Left: rate against held-out MSE; the λ = 0 (MSE-only) curve is
# measured, and the curves of equal perception W₁ are interpolated linearly in
# W₁ between the trained models of each rate (Blau & Michaeli, Fig. 5); grey
# circles are the trained λ > 0 models. Middle and right: the perception of each
# model, W₁ to held-out digits by a critic trained afresh, and the Fréchet
# distance on the features of the library's classifier.
fig = specs["neural-blau-michaeli"].make().figure

# %%
# Blau & Michaeli: an empirical R(D, P) of MNIST
# ----------------------------------------------
# Left: the trained models in the (D, P) plane, those of each fixed rate joined
# in order of λ, the distortion–perception tradeoff at that rate (measured).
# Right: the rate against perception at fixed distortion (Blau & Michaeli,
# Fig. 6). No two trained models share a distortion, so each point there is
# interpolated linearly in D between two trained rates of one λ: hollow
# markers and dashed lines, not measurements.
fig = specs["neural-blau-michaeli-rdp"].make().figure

# %%
# Blau & Michaeli: decoded digits
# -------------------------------
# Fixed held-out digits, one per class, decoded at each rate along the λ = 0
# curve and along two curves of equal perception; on these each rate shows the
# trained model whose measured W₁ is nearest to the level.
fig = specs["neural-blau-michaeli-samples"].make().figure

# %%
# Yan et al.: the two-decoder framework on N(0, 1)
# ------------------------------------------------
# A K-level encoder (rate log₂ K bits) with an MSE decoder G1 and a
# perfect-perception decoder G2 on X ~ N(0, 1), measured exactly over X by
# quadrature, against the Lloyd–Max optimum D*(K) and 2·D*(K) (Yan et al. 2021,
# Theorem 2). D*_f is the least MSE of the trained encoder's own cells, so
# 2·D*_f is what a decoder sampling p(x | code) reaches with that encoder.
fig = specs["neural-theory-check"].make().figure

# %%
# Yan et al.: the cost of perfect perception on MNIST
# ---------------------------------------------------
# Rate against the held-out MSE of the MSE decoder G1 (an estimate of
# R(D, ∞)), of the perceptual decoder G2 trained with a code-conditioned critic
# (R(D, 0)), and the theory line 2·MSE(G1); right, the ratio MSE(G2)/MSE(G1),
# which Theorem 2 puts at 2 for an MSE-optimal encoder.
fig = specs["neural-yan"].make().figure

# %%
# Yan et al.: reconstructions
# ---------------------------
# Fixed held-out digits, their MSE reconstructions (G1, blurry) and perceptual
# reconstructions (G2, sharp, further from the original) at each rate.
fig = specs["neural-yan-samples"].make().figure
