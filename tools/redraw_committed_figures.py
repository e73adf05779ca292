"""Redraw the committed PNG figures of the neural and codec runs from their stored results.

The figures under ``docs/neural/*/`` and ``docs/codec/`` are drawn from the
``results.json`` (and ``samples.npz``, ``gaussian-dither.json``) beside them,
never retrained; run this after a change to their drawing code::

    python tools/redraw_committed_figures.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from rdp.codec.figures import GAUSSIAN_CHECK_FILE, write_figures, write_gaussian_check_figure
    from rdp.neural.figures import make_figures

    os.environ["RDP_BLAU_MICHAELI_RESULTS"] = str(ROOT / "docs" / "neural" / "blau-michaeli")
    written = []
    for experiment in ("theory-check", "yan", "blau-michaeli"):
        written += [f.path for f in make_figures(ROOT / "docs" / "neural" / experiment)]
    codec = ROOT / "docs" / "codec"
    written += write_figures(json.loads((codec / "results.json").read_text()), codec)
    dither = json.loads((codec / GAUSSIAN_CHECK_FILE).read_text())
    written.append(write_gaussian_check_figure(dither, codec))
    for path in written:
        print(Path(path).relative_to(ROOT))


if __name__ == "__main__":
    main()
