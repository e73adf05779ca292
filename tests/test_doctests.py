"""The Examples sections of the public docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "rdp.problem",
    "rdp.units",
    "rdp.grids",
    "rdp.closed_forms.bernoulli",
    "rdp.closed_forms.gaussian",
    "rdp.closed_forms.gaussian_fdivergence",
    "rdp.closed_forms.gaussian_vector",
    "rdp.closed_forms.water_filling",
    "rdp.estimate.estimator",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
