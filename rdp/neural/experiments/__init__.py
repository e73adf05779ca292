"""The neural experiments, each a function ``run_*(out, preset, ...)`` and a command
``rdp neural EXPERIMENT``; ``run_experiment`` adds ``seeds``."""

from rdp.neural.experiments.blau_michaeli import run_blau_michaeli
from rdp.neural.experiments.presets import PRESET_NAMES, PRESETS, preset
from rdp.neural.experiments.seeds import EXPERIMENTS, run_experiment
from rdp.neural.experiments.theory_check import run_theory_check
from rdp.neural.experiments.yan import run_yan

__all__ = [
    "EXPERIMENTS",
    "PRESETS",
    "PRESET_NAMES",
    "preset",
    "run_blau_michaeli",
    "run_experiment",
    "run_theory_check",
    "run_yan",
]
