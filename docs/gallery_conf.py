"""mkdocs-gallery settings that need Python (``conf_script`` in mkdocs.yml).

rdp draws its figures with matplotlib's object-oriented API (``Figure()``,
never pyplot), so mkdocs-gallery's matplotlib scraper, which saves the figures
pyplot knows, would miss them. `rdp_figures` hands every figure a code block
bound to a global name (alone or in a list) to pyplot first; the scripts stay
plain Python. Figures are saved with a tight bounding box (nothing clipped, no
empty margin) at 100 dpi, the size they are drawn for, and again at 200 dpi for
screens with more pixels per CSS pixel (``image_srcset``), where they stay sharp.

A figure drawn by a figure spec's ``make`` (``rdp reproduce``'s figures) has its data
written beside its image, as ``rdp reproduce`` writes it (``<image>.csv`` for the table
``data``, ``<image>-<table>.csv`` for the others), and linked under the figure; the home
page's figure grid links the same files.

A script's last expression is not printed (``capture_repr`` is empty): the
pages show what a script prints, never an object's repr such as
``<matplotlib.legend.Legend object at 0x...>``.
"""

import weakref
from pathlib import Path

from mkdocs_gallery.scrapers import matplotlib_scraper

_SHOWN = weakref.WeakSet()

try:
    # absl (imported by JAX) binds its log handler to the sys.stderr it finds; imported
    # first inside a script it would bind to the gallery's output tee and fail closing it
    # at exit ("'_LoggingTee' object has no attribute 'close'").
    import absl.logging  # noqa: F401
except ImportError:
    pass


#: How the gallery saves a figure (``Figure.savefig`` keywords).
SAVE = {"bbox_inches": "tight", "pad_inches": 0.05, "dpi": 100}


def rdp_figures(block, script, **kwargs):
    """Adopt the block's new ``Figure`` globals into pyplot, scrape as usual, write data."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for value in list(script.run_vars.example_globals.values()):
        for figure in value if isinstance(value, list | tuple) else [value]:
            if isinstance(figure, Figure) and figure not in _SHOWN:
                _SHOWN.add(figure)
                plt.figure(figure)  # adopts a figure pyplot does not track (matplotlib >= 3.11)
    figures = [plt.figure(number) for number in plt.get_fignums()]  # the scraper's order
    paths = script.run_vars.image_path_iterator.paths
    first = len(paths)
    markdown = matplotlib_scraper(block, script, **{**SAVE, **kwargs})
    links = []
    for figure, image in zip(figures, paths[first:], strict=False):
        for path in write_figure_data(figure, Path(image)):
            table = path.stem.removeprefix(Path(image).stem).lstrip("-")
            text = f"{table.replace('-', '–')} (CSV)" if table else "CSV"
            links.append(f"[{text}](./images/{path.name})")
    if links:
        markdown += "\n\nData behind the figure: " + ", ".join(links) + "\n"
    return markdown


def data_files(image: Path, tables) -> list[Path]:
    """Where the tables of the figure saved as ``image`` go: ``rdp reproduce``'s names."""
    from rdp.reproduce.runner import table_filename

    return [image.with_name(table_filename(image.stem, name)) for name in tables]


def write_figure_data(figure, image: Path) -> list[Path]:
    """Write the data tables of ``figure`` (if a figure spec drew it) beside ``image``."""
    from rdp.reproduce import tables_of, write_table

    tables = tables_of(figure)
    if not tables:
        return []
    paths = data_files(image, tables)
    for path, columns in zip(paths, tables.values(), strict=True):
        write_table(columns, path)
    return paths


#: Order within a section (examples/papers, then examples/recipes); a script not listed
#: comes last.
ORDER = [
    "plot_closed_forms_tour.py",
    "plot_blau_michaeli_bernoulli.py",
    "plot_blau_michaeli_gaussian.py",
    "plot_yan_perfect_perception.py",
    "plot_freirich_distortion_perception.py",
    "plot_finite_families.py",
    "plot_neural_results.py",
    "plot_learned_codec.py",
    "plot_own_finite_source.py",
    "plot_custom_distortion_cost.py",
    "plot_vector_gaussian_water_filling.py",
    "plot_estimate_from_samples.py",
    "plot_estimate_digits.py",
    "plot_theorem_check_in_pytest.py",
    "plot_sweep_xarray.py",
    "plot_neural_quick_preset.py",
]


class GalleryOrder:
    """Sort key of the gallery scripts (mkdocs-gallery calls ``GalleryOrder()(path)``)."""

    def __call__(self, path):
        name = Path(path).name
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)


conf = {
    "image_scrapers": [rdp_figures],
    "within_subsection_order": GalleryOrder,
    "capture_repr": (),
    "image_srcset": ["2x"],
}
