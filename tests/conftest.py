"""Shared fixtures."""

from pathlib import Path

import pytest

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    """The bundled sample reports."""
    return SEEDS
