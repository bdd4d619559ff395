"""Fixtures and hooks shared by the whole test tree.

Browser fixtures (Playwright, Debian's Chromium, axe) live in tests/e2e/conftest.py.

Tests marked `worker` talk to a real Celery worker through Redis: `.ci/run` starts one on the test
database (test_<name>), so such tests use `transactional_db` for the worker to see their rows.

Random data never decides a result: the factories' Faker and factory_boy draws are seeded per test
from its node id, and Hypothesis runs derandomized, so every run of a test sees the same data whatever
ran before it. `FACTORY_SEED=<n> make test` draws other data, to look for tests that depend on it.
"""

import os
import zlib

import factory.random
import pytest
from hypothesis import settings as hypothesis_settings

FACTORY_SEED = os.environ.get("FACTORY_SEED", "0")

hypothesis_settings.register_profile("deterministic", derandomize=True, print_blob=True)
hypothesis_settings.load_profile("deterministic")


def seed_factories(key):
    """Seed Faker and factory_boy from `key` (a test's or a module's node id) and FACTORY_SEED; the
    persons' names start again from the first."""
    from tests.factories import BeneficiaireFactory

    factory.random.reseed_random(zlib.crc32(f"{FACTORY_SEED}:{key}".encode()))
    BeneficiaireFactory.reset_sequence()


def pytest_runtest_setup(item):
    # Without REDIS_URL Celery runs tasks eagerly: a worker test would pass without any worker.
    if item.get_closest_marker("worker") is not None:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            pytest.fail("Worker tests need REDIS_URL and a running Celery worker (see .ci/run).")


@pytest.fixture(autouse=True)
def _seeded_factories(request):
    """Autouse fixtures run before the test's other function-scoped fixtures, which build its data."""
    seed_factories(request.node.nodeid)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the test settings keep them in memory)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
