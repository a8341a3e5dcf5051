"""Shared test fixtures.

PyTorch is an independent reference for the engine's numbers, but not a dependency. Locally a test that needs
it is skipped with a reason when it is missing; under CI (CI=true) a missing torch is a failure, so the
cross-checks can never be skipped quietly to get a green run.
"""

import importlib.util
import os

import pytest


@pytest.fixture(scope="session")
def torch():
    if importlib.util.find_spec("torch") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PyTorch is not installed, but CI=true: the PyTorch cross-checks must run in CI")
        pytest.skip("PyTorch is not installed; run `pip install torch==2.13.0` to run the cross-checks")
    import torch as torch_module

    torch_module.set_default_dtype(torch_module.float64)
    return torch_module
