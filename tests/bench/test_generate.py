"""The benchmark's generator (bench/generate.py), run small: the rows it writes hang together
as the application's own would, so that the pages `make bench` measures show what they show in use."""

import pytest
from django.db.models import Count, F

from bench import generate
from bench.measure import _fresh_decisions
from parcours.enums import DemandeKind, DemandeState
from parcours.models import Courrier, Decision, Demande, Document, Message, ObjectifInsertion

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_dataset(monkeypatch):
    monkeypatch.setattr(generate, "DEPARTEMENTS", 2)
    monkeypatch.setattr(generate, "PERSONS_PER_DEPARTEMENT", 60)
    return generate.generate()


def test_an_accepted_application_leads_to_its_pathway(small_dataset):
    accepted = Demande.objects.filter(state=DemandeState.ACCEPTEE)
    assert accepted.filter(kind=DemandeKind.INITIALE).exists()
    assert not accepted.filter(parcours__isnull=True).exists()
    assert not accepted.exclude(parcours__beneficiaire=F("beneficiaire")).exists()
    assert (
        not Demande.objects.filter(kind=DemandeKind.INITIALE, parcours__isnull=False)
        .exclude(state=DemandeState.ACCEPTEE)
        .exists()
    )


def test_one_application_in_five_is_fully_documented(small_dataset):
    documented = set(ObjectifInsertion.objects.values_list("demande_id", flat=True))
    assert documented
    assert set(Document.objects.values_list("demande_id", flat=True)) == documented
    submitted = set(
        Demande.objects.filter(pk__in=documented, submitted_at__isnull=False).values_list("pk", flat=True)
    )
    assert set(Message.objects.values_list("demande_id", flat=True)) == submitted
    # A filed application's identity document was replaced once: the page shows the former version.
    replaced = Document.objects.filter(replaced_by__isnull=False)
    assert set(replaced.values_list("demande_id", flat=True)) == submitted
    assert not replaced.exclude(kind=F("replaced_by__kind")).exists()
    # Its decision's letters, each with the production that made them.
    decided = Decision.objects.filter(demande__in=documented)
    assert decided.exists()
    assert set(Courrier.objects.values_list("decision_id", flat=True)) == set(
        decided.values_list("pk", flat=True)
    )
    assert not decided.filter(production_courriers__isnull=True).exists()
    assert not Courrier.objects.values("decision", "kind").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_decisions_without_letters_are_left_for_the_letter_measures(small_dataset):
    assert _fresh_decisions(3)
    assert not Courrier.objects.filter(decision__in=_fresh_decisions(3)).exists()
