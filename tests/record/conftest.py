import pytest

from tests.record.sitting import make_sitting


@pytest.fixture
def sitting(db):
    return make_sitting()
