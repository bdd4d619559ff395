"""Correcting a decision (rule 11): a decision's letters are never edited, but the president may
correct a material error of the decision. A new decision of the same sense supersedes it, with a
reason; new letters are generated; the old decision and its letters are kept, marked as superseded;
the history shows both."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import Role
from parcours.enums import CourrierKind, DecisionKind, DemandeState
from parcours.models import Courrier, Decision, Periode
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _president(demande):
    return UserFactory(organisation=demande.commission.secretariat, roles=[Role.PRESIDENT], title="Préfète")


@pytest.fixture
def decided(django_capture_on_commit_callbacks):
    demande = DemandeFactory(avis_rendu=True, beneficiaire__nationalities=["FR"])
    with django_capture_on_commit_callbacks(execute=True):
        decision = workflow.decide(
            demande,
            kind=DecisionKind.AUTORISATION,
            signataire=_president(demande),
            signataire_title="Pour la préfète, la secrétaire génrale",  # the material error
            decided_on=today(),
            start=today(),
        )
    return decision


def _correct(decision, **changes):
    values = {
        "user": decision.signataire,
        "reason": "Faute de frappe dans la qualité du signataire.",
        "decided_on": decision.decided_on,
        "signataire_title": "Pour la préfète, la secrétaire générale",
        "motifs": decision.motifs,
    }
    values.update(changes)
    return workflow.correct_decision(decision, **values)


def test_correcting_a_decision_supersedes_it_and_keeps_both_with_their_letters(
    decided, django_capture_on_commit_callbacks
):
    first_letters = set(Courrier.objects.filter(decision=decided).values_list("pk", "sha256"))
    assert first_letters

    with django_capture_on_commit_callbacks(execute=True):
        corrected = _correct(decided)

    decided.refresh_from_db()
    assert decided.superseded_at is not None
    assert (corrected.supersedes, corrected.kind, corrected.signataire_title) == (
        decided,
        DecisionKind.AUTORISATION,
        "Pour la préfète, la secrétaire générale",
    )
    assert corrected.correction_reason == "Faute de frappe dans la qualité du signataire."
    demande = decided.demande
    demande.refresh_from_db()
    assert demande.state == DemandeState.ACCEPTEE
    assert demande.decision == corrected
    # The term the decision granted now follows the correcting decision; nothing else moved.
    assert Periode.objects.get(parcours=demande.parcours).decision == corrected
    # The first letters are kept untouched; the new decision has its own.
    assert set(Courrier.objects.filter(decision=decided).values_list("pk", "sha256")) == first_letters
    assert Courrier.objects.filter(decision=corrected, kind=CourrierKind.NOTIFICATION).exists()
    event = demande.evenements.get(transition="correct_decision")
    assert (event.from_state, event.to_state, event.user) == (
        DemandeState.ACCEPTEE,
        DemandeState.ACCEPTEE,
        decided.signataire,
    )
    assert "Faute de frappe" in event.reason


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reason": " "}, "motif de la correction"),
        ({"signataire_title": "Pour la préfète, la secrétaire génrale"}, "Rien n’a changé"),
        ({"decided_on": datetime.date(2099, 1, 1)}, "futur"),
        ({"signataire_title": ""}, "qualité du signataire"),
    ],
)
def test_correcting_a_decision_needs_a_reason_and_a_real_change(decided, changes, message):
    with pytest.raises(WorkflowError, match=message):
        _correct(decided, **changes)

    assert Decision.objects.filter(demande=decided.demande).count() == 1
    assert not decided.demande.evenements.filter(transition="correct_decision").exists()


def test_correcting_a_decision_twice_goes_through_the_one_in_force(decided):
    corrected = _correct(decided)

    with pytest.raises(WorkflowError, match="déjà été corrigée"):
        _correct(decided, reason="Encore.", signataire_title="La préfète")

    again = _correct(corrected, reason="Titre complet.", signataire_title="La préfète")
    assert again.supersedes == corrected
    assert Decision.objects.filter(demande=decided.demande, superseded_at__isnull=True).get() == again


def test_correcting_a_decision_on_screen_by_the_president(
    client, decided, django_capture_on_commit_callbacks
):
    client.force_login(decided.signataire)
    url = reverse("decisions:corriger", args=[decided.pk])
    dossier = reverse("parcours:dossier", args=[decided.demande_id])
    assert url in client.get(dossier).content.decode()

    refused = client.post(
        url, {"decided_on": today().isoformat(), "signataire_title": "X", "reason": "Coquille."}
    )
    assert "Cochez la case pour confirmer la correction." in refused.content.decode()
    assert 'value="X"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decided_on": today().isoformat(),
                "signataire_title": "Pour la préfète, la secrétaire générale",
                "motifs": "",
                "reason": "Coquille dans la qualité du signataire.",
                "confirm": "on",
            },
            follow=True,
        )

    html = response.content.decode()
    assert "La décision est corrigée" in html
    assert "Corrige la décision du" in html and "Coquille dans la qualité du signataire." in html
    assert "remplacée le" in html
    assert "Remplacé" in html  # the first letters, kept and marked
    assert Decision.objects.filter(demande=decided.demande).count() == 2


def test_correcting_a_decision_on_screen_is_not_found_for_the_secretariat_or_the_association(client, decided):
    url = reverse("decisions:corriger", args=[decided.pk])
    secretariat = UserFactory(organisation=decided.demande.commission.secretariat, roles=[Role.SECRETARIAT])
    for user in (secretariat, decided.demande.referent):
        client.force_login(user)
        assert client.get(url).status_code == 404
