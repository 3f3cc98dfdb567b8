"""Hypothesis profiles ('ci' default, 'dev' faster, chosen by HYPOTHESIS_PROFILE) and one OpenMP thread."""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _one_openmp_thread():
    # pytest-xdist already runs one worker per core: OpenMP threads in model training on top of that
    # only oversubscribe the cores (training slows down many times over).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield
