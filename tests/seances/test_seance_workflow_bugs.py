"""Bugs found in commission.workflow while building the session screens (issue 5).

Each test states the behaviour the procedure needs; the fixes are in commission/workflow.py."""

import contextlib
import datetime

import pytest
from django.utils import timezone

from commission.seances import workflow as seances
from commission.seances.enums import SeanceState
from commission.seances.models import Convocation, ProcesVerbal
from parcours.enums import DemandeState
from tests.seances.test_seance_views import World, _at

pytestmark = pytest.mark.django_db


def test_removing_a_postponed_item_leaves_the_dossier_on_the_later_agenda():
    world = World()
    first = world.seance()
    point = first.points.get()
    seances.postpone_point(point, user=world.secretariat, reason="Pièce à vérifier")
    later = world.seance(points=0, days=20, convene=False)
    seances.add_point(later, demande=point.demande, user=world.secretariat)
    # Refusing is fine too: what matters is that the dossier stays on the later agenda.
    with contextlib.suppress(seances.WorkflowError):
        seances.remove_point(point, user=world.secretariat)
    point.demande.refresh_from_db()
    assert point.demande.state == DemandeState.INSCRITE


def test_cancelling_a_session_with_a_postponed_item_keeps_that_dossier_where_it_is():
    world = World()
    first = world.seance(points=2)
    postponed, other = first.points.order_by("order")
    seances.postpone_point(postponed, user=world.secretariat, reason="Pièce à vérifier")
    later = world.seance(points=0, days=20, convene=False)
    seances.add_point(later, demande=postponed.demande, user=world.secretariat)
    seances.cancel(first, user=world.secretariat, reason="Salle indisponible")
    postponed.demande.refresh_from_db()
    other.demande.refresh_from_db()
    assert postponed.demande.state == DemandeState.INSCRITE  # still on the later agenda
    assert other.demande.state == DemandeState.RECEVABLE


def test_a_session_closed_for_lack_of_quorum_gets_its_minutes(django_capture_on_commit_callbacks):
    world = World(size=5)
    seance = world.opened(present=1)
    with django_capture_on_commit_callbacks(execute=True):
        seances.reconvene(seance, user=world.secretariat, starts_at=_at(15))
    seance.refresh_from_db()
    assert seance.state == SeanceState.CLOSE
    # CRPA R133-13: the minutes record who was there and that the quorum was not reached.
    assert ProcesVerbal.objects.filter(seance=seance).exists()


def test_convening_again_drops_members_whose_mandate_ended_before_the_session():
    world = World()
    seance = world.seance()
    leaving = world.members[3]
    leaving.end = timezone.localdate(seance.starts_at) - datetime.timedelta(days=1)
    leaving.save(update_fields=["end"])
    seances.convene(seance, user=world.secretariat)
    assert not Convocation.objects.filter(seance=seance, mandat=leaving).exists()
    assert seances.quorum(seance).members == 3
