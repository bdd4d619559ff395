"""Minors (rule 12): a person under 18 on the filing day is flagged at filing — a warning, not a
refusal (an open legal question, see the domain document) — and on the secretariat's and the
president's screens of the dossier."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commission.dates import add_months
from commission.enums import Role
from parcours.enums import DemandeState
from parcours.workflow import demandes as workflow
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db

FLAG = "Personne mineure à la date du dépôt"


def _seventeen():
    """Born seventeen years and a half ago: a minor today, an adult in six months."""
    return add_months(timezone.localdate(), -(17 * 12 + 6))


def _staff(demande, role):
    return UserFactory(organisation=demande.commission.secretariat, roles=[role])


def test_minors_are_flagged_at_filing_not_refused():
    demande = DemandeFactory(complete=True, beneficiaire__birth_date=_seventeen())

    workflow.submit(demande, user=demande.referent)

    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE
    assert demande.minor_at_filing
    assert FLAG in demande.evenements.get(transition="submit").reason


def test_minors_the_filing_day_counts_not_the_day_the_dossier_is_read():
    demande = DemandeFactory(
        complete=True,
        state=DemandeState.DEPOSEE,
        beneficiaire__birth_date=add_months(timezone.localdate(), -(18 * 12 + 1)),
        submitted_at=timezone.now() - datetime.timedelta(days=62),
    )

    assert demande.minor_at_filing
    assert demande.age_at_filing == 17


def test_minors_an_adult_is_not_flagged():
    demande = DemandeFactory(complete=True)

    workflow.submit(demande, user=demande.referent)

    assert not demande.minor_at_filing
    assert demande.evenements.get(transition="submit").reason == ""


def test_minors_on_screen_the_caseworker_is_warned_when_filing(client):
    demande = DemandeFactory(complete=True, beneficiaire__birth_date=_seventeen())
    client.force_login(demande.referent)

    response = client.post(
        reverse("parcours:dossier_submit", args=[demande.pk]), {"confirmed": "1"}, follow=True
    )

    html = response.content.decode()
    assert "Le dossier est déposé" in html
    assert FLAG in html
    assert "question juridique ouverte" in html


@pytest.mark.parametrize(
    "role, url_name, state",
    [
        (Role.SECRETARIAT, "parcours:dossier", DemandeState.DEPOSEE),
        (Role.SECRETARIAT, "parcours:instruction", DemandeState.DEPOSEE),
        (Role.PRESIDENT, "parcours:dossier", DemandeState.AVIS_RENDU),
        (Role.PRESIDENT, "decisions:decider", DemandeState.AVIS_RENDU),
    ],
)
def test_minors_are_flagged_on_the_secretariat_and_president_screens(client, role, url_name, state):
    extra = {"avis_rendu": True} if state == DemandeState.AVIS_RENDU else {"state": state}
    demande = DemandeFactory(
        complete=True, beneficiaire__birth_date=_seventeen(), submitted_at=timezone.now(), **extra
    )
    adult = DemandeFactory(
        complete=True, departement=demande.commission.departement, submitted_at=timezone.now(), **extra
    )
    client.force_login(_staff(demande, role))

    html = client.get(reverse(url_name, args=[demande.pk])).content.decode()
    assert FLAG in html
    assert "(17 ans)" in html
    assert FLAG not in client.get(reverse(url_name, args=[adult.pk])).content.decode()


def test_minors_on_screen_the_members_dossier_is_flagged():
    from parcours.pseudonymise import dossier_for_members

    minor = DemandeFactory(complete=True, beneficiaire__birth_date=_seventeen())
    minor.submitted_at = timezone.now()
    adult = DemandeFactory(complete=True)
    adult.submitted_at = timezone.now()

    flagged = render_to_string("commission/seances/_dossier.html", {"dossier": dossier_for_members(minor)})
    plain = render_to_string("commission/seances/_dossier.html", {"dossier": dossier_for_members(adult)})

    assert FLAG in flagged
    assert FLAG not in plain
