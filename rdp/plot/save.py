"""Write a figure as vector PDF and raster PNG."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

#: Resolution of the PNG output.
PNG_DPI = 150


def save_figure(fig: Figure, path_stem: str | Path, *, dpi: int = PNG_DPI) -> list[Path]:
    """Save ``fig`` as ``<path_stem>.pdf`` (vector) and ``<path_stem>.png``.

    Parameters
    ----------
    fig : Figure
        The figure (built with the object-oriented API).
    path_stem : str or Path
        Output path without extension; missing parent folders are created.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    list of Path
        The PDF and PNG paths written.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".png")]
    fig.savefig(paths[0], bbox_inches="tight", metadata={"CreationDate": None})
    fig.savefig(paths[1], dpi=dpi, bbox_inches="tight")
    return paths
