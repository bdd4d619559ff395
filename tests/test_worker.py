"""Tests that need a real Celery worker listening on Redis (`.ci/run` starts one; `make test` skips them)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from commission.tasks import ping
from parcours.enums import ParcoursEndReason, ParcoursState
from parcours.tasks import end_lapsed_pathways
from tests.factories import ParcoursFactory

pytestmark = pytest.mark.worker


@pytest.fixture(autouse=True)
def _real_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("Worker tests need REDIS_URL and a running worker (see .ci/run).")


def test_a_task_sent_through_redis_is_answered_by_a_worker():
    assert ping.delay().get(timeout=30) == "pong"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_daily_job_on_the_worker_ends_a_lapsed_pathway_once():
    today = timezone.localdate()
    lapsed = ParcoursFactory(started_on=today - datetime.timedelta(days=200))
    assert lapsed.current_term_end < today
    first = end_lapsed_pathways.delay().get(timeout=60)
    second = end_lapsed_pathways.delay().get(timeout=60)
    lapsed.refresh_from_db()
    assert first == [lapsed.pk]
    assert second == []
    assert lapsed.state == ParcoursState.TERMINE
    assert lapsed.end_reason == ParcoursEndReason.ECHEANCE
    assert lapsed.evenements.filter(transition="end").count() == 1
