import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English; the Spanish catalogue has its own test."""
