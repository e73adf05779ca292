"""The gallery writes each reproduced figure's data as ``rdp reproduce`` does.

``docs/gallery_conf.py`` saves the CSV tables of every figure a figure spec drew beside
the figure's image; the home page links them as the figure's data. Here the files it
writes for one figure are compared with those ``rdp reproduce`` writes for the same spec.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from rdp.reproduce import select_figures
from rdp.reproduce.runner import run_figure

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gallery_conf():
    pytest.importorskip("mkdocs_gallery", reason="needs mkdocs-gallery (docs extra)")
    spec = importlib.util.spec_from_file_location("gallery_conf", ROOT / "docs" / "gallery_conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_data_are_the_reproduce_csv_files(gallery_conf, tmp_path):
    (spec,) = select_figures(["bernoulli-tv-sections"])  # two tables
    image = tmp_path / "images" / "mkd_glr_plot_x_003.png"
    image.parent.mkdir()
    written = gallery_conf.write_figure_data(spec.make().figure, image)
    assert [p.name for p in written] == [
        "mkd_glr_plot_x_003-distortion-perception.csv",
        "mkd_glr_plot_x_003-rate-perception.csv",
    ]
    reproduced = [p for p in run_figure(spec, tmp_path).files if p.suffix == ".csv"]
    assert sorted(p.name for p in reproduced) == [
        "bernoulli-tv-sections-distortion-perception.csv",
        "bernoulli-tv-sections-rate-perception.csv",
    ]
    for mine, theirs in zip(written, sorted(reproduced), strict=True):
        assert mine.read_text() == theirs.read_text()


def test_a_figure_no_spec_drew_has_no_data(gallery_conf, tmp_path):
    """Twin: a plain figure (a recipe's) gets no data file."""
    assert gallery_conf.write_figure_data(Figure(), tmp_path / "mkd_glr_plot_y_001.png") == []
    assert list(tmp_path.iterdir()) == []
