"""Optimal one-shot quantizers: the MSE-optimal K-level encoders behind D*(K).

- [`lloyd_max`][rdp.quantization.lloyd_max]: the optimal scalar quantizer of a 1-D distribution —
  Lloyd–Max with exact cell statistics for a continuous ``scipy.stats``
  distribution, an exact dynamic program for a finite (or empirical) source;
- [`kmeans`][rdp.quantization.kmeans]: a vector quantizer designed on samples;
- [`ScalarQuantizer`][rdp.quantization.quantizer.ScalarQuantizer],
  [`VectorQuantizer`][rdp.quantization.quantizer.VectorQuantizer]: the designed quantizers
  (cells, codepoints, cell probabilities, ``mse``, ``rate`` = log₂ K bits,
  ``encode``/``decode``).
"""

from rdp.quantization.kmeans import kmeans
from rdp.quantization.lloyd_max import finite_distribution, lloyd_max
from rdp.quantization.moments import cell_statistics
from rdp.quantization.quantizer import ScalarQuantizer, VectorQuantizer

__all__ = [
    "ScalarQuantizer",
    "VectorQuantizer",
    "cell_statistics",
    "finite_distribution",
    "kmeans",
    "lloyd_max",
]
