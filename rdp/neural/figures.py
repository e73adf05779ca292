"""The neural experiments' figures, drawn from their saved results.

Each experiment writes ``results.json`` into its output directory;
[`make_figures`][rdp.neural.figures.make_figures] draws its figures there as PNG
files, [`available_figures`][rdp.neural.figures.available_figures] lists the
figures under a results tree, and [`figures`][rdp.neural.figures.figures] offers
them to ``rdp reproduce`` (through the stored-results provider of
[`rdp.reproduce.stored`][rdp.reproduce.stored]). The drawings are in
[`rdp.neural.plots`][rdp.neural.plots], the analysis behind them in
[`rdp.neural.analysis`][rdp.neural.analysis].
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdp.neural.experiments._results import RESULTS_FILE, read_results
from rdp.neural.plots import (
    SAMPLES_FILE,
    blau_michaeli_figure,
    blau_michaeli_rdp_figure,
    blau_michaeli_samples_figure,
    theory_check_figure,
    yan_figure,
    yan_samples_figure,
)
from rdp.reproduce.registry import FigureSpec
from rdp.reproduce.stored import StoredFigure, StoredResults, stored_figures, write_stored_figures

#: What to run when no neural results exist.
HOW_TO_RUN = (
    "no neural results found; make them with e.g.\n"
    "  rdp neural theory-check --preset cpu --out results/neural/theory-check\n"
    "  rdp neural yan --preset cpu --seeds 3 --out results/neural/yan\n"
    "  rdp neural blau-michaeli --preset cpu --out results/neural/blau-michaeli\n"
    "or draw the committed ones: RDP_NEURAL_RESULTS=docs/neural\n"
    "(needs the neural extra: pip install 'rdp-theory[neural]')"
)

#: Where ``figures`` looks for results (``os.pathsep``-separated; overridden by the
#: environment variable ``RDP_NEURAL_RESULTS``).
DEFAULT_RESULTS_DIRS = "results/neural"

YAN = (
    "Yan, Wen, Ying, Ma & Liu, On Perceptual Lossy Compression: The Cost of Perceptual "
    "Reconstruction and An Optimal Training Framework, ICML 2021"
)
YAN_THEORY_CHECK = (
    "Yan, Wen, Ying, Ma & Liu, ICML 2021 (the two-decoder framework on a scalar Gaussian)"
)
BLAU_MICHAELI = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception "
    "Tradeoff, ICML 2019"
)


@dataclass(frozen=True)
class NeuralFigure:
    """A figure file made from an experiment's results.

    Attributes
    ----------
    experiment : str
        ``"yan"``, ``"theory-check"`` or ``"blau-michaeli"``.
    path : Path
        The PNG file.
    title, caption : str
        Short title and a one-paragraph caption naming the paper figure.
    """

    experiment: str
    path: Path
    title: str
    caption: str


#: The figures of each experiment (``results["experiment"]``), in index order.
FIGURES: dict[str, tuple[StoredFigure, ...]] = {
    "yan": (
        StoredFigure(
            id="neural-yan",
            filename="figure-yan.png",
            title="Yan et al. 2021: cost of perfect perception",
            caption=(
                "Left: rate against the measured held-out MSE of the MSE decoder G1 (an estimate "
                "of R(D, ∞)), of the perceptual decoder G2 trained with a code-conditioned critic "
                "and no distortion term (R(D, 0)), and the theory line 2·MSE(G1) (Yan et al., "
                "ICML 2021, Fig. 2 and Theorem 2). Right: MSE(G2)/MSE(G1), which Theorem 2 puts "
                "at 2 for an MSE-optimal encoder. Error bars: standard deviation over seeds when "
                "several ran."
            ),
            paper=YAN,
            paper_figure="Fig. 2 (MNIST)",
            draw=yan_figure,
        ),
        StoredFigure(
            id="neural-yan-samples",
            filename="figure-yan-samples.png",
            title="Yan et al. 2021: reconstructions",
            caption=(
                "Fixed held-out digits, one per class, their MSE reconstructions (G1, blurry) and "
                "perceptual reconstructions (G2, sharp, further from the original) at each rate."
            ),
            paper=YAN,
            paper_figure="Fig. 2 (MNIST)",
            draw=yan_samples_figure,
            needs=(SAMPLES_FILE,),
        ),
    ),
    "theory-check": (
        StoredFigure(
            id="neural-theory-check",
            filename="figure-theory-check.png",
            title="Two-decoder framework vs theory on N(0, 1)",
            caption=(
                "X ~ N(0, 1), K-level codes (rate log₂ K bits). Left: measured MSE of G1 and G2 "
                "(exact over X by quadrature) against the Lloyd–Max D*(K) and 2·D*(K) (Yan et al. "
                "2021, Theorem 2). Middle: MSE(G1)/D*(K) and MSE(G2)/(2·D*_f), where D*_f is the "
                "least MSE of the trained encoder's own cells (the MSE of their centroids, by "
                "quadrature) and 2·D*_f the MSE of a decoder that samples p(x | code). Right: W₁ "
                "between G2's reconstructions of one held-out half and the other half, beside "
                "the W₁ between the two halves (the estimator's floor at this sample size)."
            ),
            paper=YAN_THEORY_CHECK,
            paper_figure="Theorem 2: MSE(G2) = 2·D*(K)",
            draw=theory_check_figure,
        ),
    ),
    "blau-michaeli": (
        StoredFigure(
            id="neural-blau-michaeli",
            filename="figure-blau-michaeli.png",
            title="Blau & Michaeli 2019: rate–distortion at equal perception",
            caption=(
                "Left: rate against held-out MSE of encoder/decoder pairs trained on "
                "MSE + λ·(adversarial loss): the λ = 0 (MSE-only) curve, measured, and curves of "
                "equal perception W₁, whose MSE at each rate is interpolated linearly in W₁ "
                "between the trained models of that rate (Blau & Michaeli, ICML 2019, Fig. 5); "
                "grey circles: every trained λ > 0 model. Middle and right: the perception of "
                "each model, W₁ to held-out digits by a critic trained afresh, and the Fréchet "
                "distance on the features of the library's classifier."
            ),
            paper=BLAU_MICHAELI,
            paper_figure="§5, Figs. 5–6 (MNIST)",
            draw=blau_michaeli_figure,
        ),
        StoredFigure(
            id="neural-blau-michaeli-rdp",
            filename="figure-blau-michaeli-rdp.png",
            title="Blau & Michaeli 2019: an empirical R(D, P) of MNIST",
            caption=(
                "Left: the trained models (measured) in the (D, P) plane, those of each fixed "
                "rate joined in order of λ: the distortion–perception tradeoff at that rate. "
                "Right: rate against perception at fixed distortion (Blau & Michaeli, ICML "
                "2019, Fig. 6); no trained model sits at a common distortion, so each point "
                "is interpolated linearly in D between two trained rates of one λ and drawn "
                "hollow, with dashed lines."
            ),
            paper=BLAU_MICHAELI,
            paper_figure="§5, Figs. 5–6 (MNIST)",
            draw=blau_michaeli_rdp_figure,
        ),
        StoredFigure(
            id="neural-blau-michaeli-samples",
            filename="figure-blau-michaeli-samples.png",
            title="Blau & Michaeli 2019: decoded digits",
            caption=(
                "Fixed held-out digits, one per class, decoded at each rate along the λ = 0 "
                "(MSE-only) curve and along two curves of equal perception; on these each rate "
                "shows the trained model whose measured W₁ is nearest to the level. Over "
                "several seeds: the digits of the first seed's models, the mean W₁."
            ),
            paper=BLAU_MICHAELI,
            paper_figure="§5, Figs. 5–6 (MNIST)",
            draw=blau_michaeli_samples_figure,
            needs=(SAMPLES_FILE,),
        ),
    ),
}


def _figures_of(results: dict) -> tuple[StoredFigure, ...]:
    return FIGURES.get(results.get("experiment"), ())


def _seed_under_aggregate(path: Path) -> bool:
    """A per-seed ``seed-K/results.json`` whose parent holds the aggregate."""
    return path.parent.name.startswith("seed-") and (path.parent.parent / RESULTS_FILE).is_file()


#: The results files of the experiments: ``results.json`` up to two levels down.
RESULTS = StoredResults(RESULTS_FILE, _figures_of, depth=2, skip=_seed_under_aggregate)


def make_figures(results_dir: str | os.PathLike) -> list[NeuralFigure]:
    """Draw the figures of the experiment whose ``results.json`` is in ``results_dir``.

    The figures carry no provenance stamp: the run's provenance (commit, date,
    machine, command of each seed) is in ``results.json`` beside them
    ([`provenance_note`][rdp.neural.analysis.provenance_note] writes it as one line).
    """
    results_dir = Path(results_dir)
    results = read_results(results_dir)
    declared = _figures_of(results)
    paths = write_stored_figures(declared, results, results_dir, dpi=120)
    by_path = {results_dir / figure.filename: figure for figure in declared}
    return [_neural_figure(results["experiment"], by_path[path], path) for path in paths]


def _neural_figure(experiment: str, figure: StoredFigure, path: Path) -> NeuralFigure:
    return NeuralFigure(experiment, path, figure.title, figure.caption)


def available_figures(results_dir: str | os.PathLike) -> list[NeuralFigure]:
    """Figures of every neural experiment with results under ``results_dir``.

    Looks for ``results.json`` in ``results_dir`` and in its sub-directories
    (two levels; per-seed folders ``seed-K`` are skipped when their parent holds
    the aggregate), draws any figure whose PNG is missing, and returns them all.
    Returns an empty list when there are none; ``HOW_TO_RUN`` says how to
    make them.
    """
    figures = []
    for path in RESULTS.find(Path(results_dir)):
        try:
            experiment = read_results(path).get("experiment")
        except ValueError:
            continue
        declared = FIGURES.get(experiment, ())
        if not all((path.parent / figure.filename).is_file() for figure in declared):
            make_figures(path.parent)
        for figure in declared:
            if (path.parent / figure.filename).is_file():
                figures.append(_neural_figure(experiment, figure, path.parent / figure.filename))
    return figures


def figures() -> list[FigureSpec]:
    """Figure specs for ``rdp reproduce``: one per figure of each experiment with results.

    Results are looked for (as in
    [`available_figures`][rdp.neural.figures.available_figures]) under the folders
    in ``$RDP_NEURAL_RESULTS`` (``os.pathsep``-separated), default
    ``DEFAULT_RESULTS_DIRS``; the first folder holding an experiment wins.
    Each spec redraws its figure from ``results.json`` and writes the result rows
    as its data table. Empty when no results exist (see ``HOW_TO_RUN``).
    """
    return stored_figures("RDP_NEURAL_RESULTS", DEFAULT_RESULTS_DIRS, [RESULTS])
