"""mkdocs-gallery settings that need Python (``conf_script`` in mkdocs.yml).

rdp draws its figures with matplotlib's object-oriented API (``Figure()``,
never pyplot), so mkdocs-gallery's matplotlib scraper, which saves the figures
pyplot knows, would miss them. `rdp_figures` hands every figure a code block
bound to a global name (alone or in a list) to pyplot first; the scripts stay
plain Python. Figures are saved with a tight bounding box (nothing clipped, no
empty margin) at 100 dpi, the size they are drawn for, and again at 200 dpi for
screens with more pixels per CSS pixel (``image_srcset``), where they stay sharp.

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
    """Adopt the block's new ``Figure`` globals into pyplot, then scrape as usual."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for value in list(script.run_vars.example_globals.values()):
        for figure in value if isinstance(value, list | tuple) else [value]:
            if isinstance(figure, Figure) and figure not in _SHOWN:
                _SHOWN.add(figure)
                plt.figure(figure)  # adopts a figure pyplot does not track (matplotlib >= 3.11)
    return matplotlib_scraper(block, script, **{**SAVE, **kwargs})


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
