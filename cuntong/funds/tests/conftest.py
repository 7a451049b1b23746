import pytest

from .factories import Cast


@pytest.fixture
def cast(base_data):
    return Cast()
