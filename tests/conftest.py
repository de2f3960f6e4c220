"""Shared fixtures and settings."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

SEEDS = Path(__file__).parent.parent / "seeds"

# speed is measured in benchmarks/; a per-example time limit would only make a busy machine flaky
settings.register_profile(
    "shenyue", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shenyue")


@pytest.fixture
def seeds_dir() -> Path:
    """The bundled sample reports."""
    return SEEDS
