"""Optimal one-shot quantizers: the MSE-optimal K-level encoders behind D*(K).

- [`lloyd_max`][rdp.quantization.lloyd_max]: the optimal scalar quantizer of a 1-D distribution —
  Lloyd–Max with exact cell statistics for a continuous ``scipy.stats``
  distribution, an exact dynamic program for a finite (or empirical) source;
- [`kmeans`][rdp.quantization.kmeans]: a vector quantizer designed on samples;
- [`ScalarQuantizer`][rdp.quantization.quantizer.ScalarQuantizer],
  [`VectorQuantizer`][rdp.quantization.quantizer.VectorQuantizer]: the designed quantizers
  (cells, codepoints, cell probabilities, ``mse``, ``rate`` = log₂ K bits,
  ``encode``/``decode``);
- [`PartitionEncoder`][rdp.quantization.encoders.PartitionEncoder]: a one-shot encoder whose
  cells need not be intervals, and
  [`perfect_perception_cost`][rdp.quantization.perfect_perception.perfect_perception_cost]:
  the exact MSE of its perfect-perception decoders (sampling and optimal
  transport, Yan et al. 2021), with $W_2^2$ from
  [`rdp.quantization.wasserstein`][rdp.quantization.wasserstein].
"""

from rdp.quantization.encoders import PartitionEncoder, modulo_encoder, uniform_encoder
from rdp.quantization.kmeans import kmeans
from rdp.quantization.lloyd_max import finite_distribution, lloyd_max
from rdp.quantization.moments import cell_statistics
from rdp.quantization.perfect_perception import perfect_perception_cost
from rdp.quantization.quantizer import ScalarQuantizer, VectorQuantizer

__all__ = [
    "PartitionEncoder",
    "ScalarQuantizer",
    "VectorQuantizer",
    "cell_statistics",
    "finite_distribution",
    "kmeans",
    "lloyd_max",
    "modulo_encoder",
    "perfect_perception_cost",
    "uniform_encoder",
]
