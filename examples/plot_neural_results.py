"""
Neural experiments on MNIST: the committed results
==================================================

The neural experiments train encoders and decoders with JAX and compare what
they reach with the theory ([Neural experiments](../neural.md)): Yan et al.'s
factor 2 between the perfect-perception and the MSE decoder of one encoder, on
MNIST digits and on a scalar Gaussian whose optimum is known exactly. Training
takes an hour on a CPU, so the figures here are drawn from the results the
repository keeps under `docs/neural/`, through the same figure specs that
`RDP_NEURAL_RESULTS=docs/neural rdp reproduce` uses (run from a checkout; needs
the `neural` extra).
"""

import os
from pathlib import Path
from textwrap import fill

from rdp.reproduce import all_figures

here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "neural").is_dir())
os.environ["RDP_NEURAL_RESULTS"] = os.path.relpath(checkout / "docs" / "neural")

specs = [spec for spec in all_figures() if spec.id.startswith("neural-")]
for spec in specs:
    print(f"{spec.id:28} {spec.paper}, {spec.paper_figure}")

# %%
# Captions (they name the results folder and the preset that produced them)
for spec in specs:
    print(spec.id)
    print(fill(spec.caption, 88, initial_indent="    ", subsequent_indent="    "))

# %%
# The figures
figures = [spec.make().figure for spec in specs]
