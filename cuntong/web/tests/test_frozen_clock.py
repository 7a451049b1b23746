"""CUNTONG_TEST_TODAY (conftest.py) sets every test's clock to that day in Puning, and the clock ticks."""

import datetime
import os
import time

import pytest
from django.utils import timezone

TEST_TODAY = os.environ.get("CUNTONG_TEST_TODAY")


@pytest.mark.skipif(not TEST_TODAY, reason="runs when the suite runs under CUNTONG_TEST_TODAY (.ci/run)")
def test_the_suite_runs_on_the_frozen_day_with_a_ticking_clock():
    now = timezone.localtime()
    assert now.date() == timezone.localdate() == datetime.date.fromisoformat(TEST_TODAY[:10])
    assert datetime.date.today() == now.date()
    before = time.time()
    time.sleep(0.01)
    assert time.time() > before
