"""
A learned codec: the committed HiFiC-style run
==============================================

The learned codec trains an entropy-coded autoencoder with a perception loss,
encodes real bit streams and places its operating points next to the theory
([Learned codec](../codec.md)). Its figures are drawn from the run the
repository keeps under `docs/codec/`, through the same figure specs that
`rdp reproduce` uses (run from a checkout; needs the `codec` extra).
"""

import os
from pathlib import Path
from textwrap import fill

from rdp.reproduce import all_figures

here = Path.cwd()
checkout = next(p for p in (here, *here.parents) if (p / "docs" / "codec").is_dir())
os.environ["RDP_CODEC_RESULTS"] = os.path.relpath(checkout / "docs" / "codec")
# the Blau–Michaeli MNIST results that codec-vs-blau-michaeli draws beside the codec
os.environ["RDP_BLAU_MICHAELI_RESULTS"] = os.path.relpath(
    checkout / "docs" / "neural" / "blau-michaeli"
)

specs = [spec for spec in all_figures() if spec.id.startswith("codec-")]
for spec in specs:
    print(spec.id)
    print(fill(spec.caption, 88, initial_indent="    ", subsequent_indent="    "))

# %%
# The figures
figures = [spec.make().figure for spec in specs]
