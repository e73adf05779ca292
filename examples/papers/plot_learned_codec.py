"""
A learned codec: the committed HiFiC-style run
==============================================

The learned codec trains an entropy-coded autoencoder with a perception loss,
encodes real bit streams and places its operating points next to the theory
([Learned codec](../../results/codec.md)). Its figures are drawn from the run
the repository keeps under `docs/codec/`, through the same figure specs that
`rdp reproduce` uses (run from a checkout; needs the `codec` extra).
"""

import os
from pathlib import Path

from rdp.reproduce import all_figures

here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "codec").is_dir())
os.environ["RDP_CODEC_RESULTS"] = os.path.relpath(checkout / "docs" / "codec")
# the Blau–Michaeli MNIST results that codec-vs-blau-michaeli draws beside the codec
os.environ["RDP_BLAU_MICHAELI_RESULTS"] = os.path.relpath(
    checkout / "docs" / "neural" / "blau-michaeli"
)

specs = {spec.id: spec for spec in all_figures() if spec.id.startswith("codec-")}
for spec in specs.values():
    print(f"{spec.id:24} {spec.title}")

# %%
# Operational rate–distortion–perception
# --------------------------------------
# Payload bits per pixel of the real bit streams (the range coder's output; each
# file adds a fixed header) against MSE and against the Fréchet distance of
# classifier features, one curve per adversarial weight β (β = 0, the MSE-only
# baseline, in black; dotted: β = 0 trained as long as β > 0; hollow markers:
# ablations).
fig = specs["codec-rd"].make().figure

# %%
# The same codec on a Gaussian source
# -----------------------------------
# On i.i.d. N(0, I₁₆) vectors: coded bits per coordinate against MSE with
# Shannon's D(R), and the gap in dB of each point to D(R) and (β > 0) to
# D(R, P) at its measured W₂².
fig = specs["codec-gaussian"].make().figure

# %%
# Reconstructions
# ---------------
# Held-out digits and their reconstructions at the lowest and the highest rate
# of the sweep, MSE-only (β = 0) and with the adversarial loss (β > 0).
fig = specs["codec-samples"].make().figure

# %%
# The codec beside the Blau–Michaeli models
# -----------------------------------------
# Top: the codec's payload bits per pixel. Bottom: the fixed-rate codes of the
# Blau–Michaeli experiment on the same MNIST digits, about 1.5 decades fewer
# bits, on their own rate axis; the MSE axes are shared. The two W₁ estimates
# use critics of different budgets, so compare their trends, not their
# absolute values.
fig = specs["codec-vs-blau-michaeli"].make().figure

# %%
# Deterministic and dithered codecs against the Gaussian bounds
# -------------------------------------------------------------
# Coded bits per coordinate against MSE on i.i.d. N(0, I₁₆), with Shannon's
# D(R) and D(R, 0) with and without common randomness; right, each point's gap
# in dB to the closed-form D(R, P) at its measured P (a lower bound on W₂², so
# the gap is if anything understated).
fig = specs["codec-gaussian-dither"].make().figure
