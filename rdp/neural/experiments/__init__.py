"""The neural experiments, each a function ``run_*(out, preset, ...)`` and a command
``rdp neural EXPERIMENT``; ``run_experiment`` adds ``seeds``."""

from rdp.neural.experiments.blau_michaeli import run_blau_michaeli
from rdp.neural.experiments.presets import PRESET_NAMES, PRESETS, preset
from rdp.neural.experiments.seeds import run_experiment
from rdp.neural.experiments.theory_check import run_theory_check
from rdp.neural.experiments.yan import run_yan

#: Experiment name (as on the command line) -> runner of one seed.
EXPERIMENTS = {
    "blau-michaeli": run_blau_michaeli,
    "yan": run_yan,
    "theory-check": run_theory_check,
}

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
