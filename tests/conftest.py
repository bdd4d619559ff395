"""Fixtures and hooks shared by the whole test tree.

Browser fixtures (Playwright, Debian's Chromium, axe) live in tests/e2e/conftest.py.

Tests marked `worker` talk to a real Celery worker through Redis: `.ci/run` starts one on the test
database (test_<name>), so such tests use `transactional_db` for the worker to see their rows.
"""

import pytest


def pytest_runtest_setup(item):
    # Without REDIS_URL Celery runs tasks eagerly: a worker test would pass without any worker.
    if item.get_closest_marker("worker") is not None:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            pytest.fail("Worker tests need REDIS_URL and a running Celery worker (see .ci/run).")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the test settings keep them in memory)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
