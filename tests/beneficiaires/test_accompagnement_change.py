"""The secretariat, or the association that accompanies the person, records that the person chose
another association (CASF L121-9). Every right moves with the person."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from beneficiaires.enums import AccompagnementEndReason
from commission.enums import OrganisationKind, Role
from commission.models import AccessLog
from commission.templatetags.formats_fr import date_fr
from parcours.enums import DemandeState
from tests.factories import AssociationFactory, DemandeFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(person):
    return reverse("beneficiaires:accompagnement_change", args=[person.pk])


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def demande():
    """A filed application: the secretariat sees the person."""
    return DemandeFactory(complete=True, state=DemandeState.DEPOSEE, submitted_at=timezone.now())


@pytest.fixture
def person(demande):
    return demande.beneficiaire


@pytest.fixture
def former(person):
    return person.current_accompagnement.association


@pytest.fixture
def new_association(person):
    return AssociationFactory(departement=person.departement, name="Association du Nid 31")


@pytest.fixture
def secretariat(person):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=person.departement),
        roles=[Role.SECRETARIAT],
    )


def caseworker_of(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT])


def change(client, person, to, **overrides):
    data = {
        "association": to.pk,
        "chosen_on": days_ago(3).isoformat(),
        "on": timezone.localdate().isoformat(),
        "reason": AccompagnementEndReason.CHOIX_PERSONNE,
        **overrides,
    }
    return client.post(url(person), data)


def test_secretariat_sees_the_form_with_the_approved_associations_of_the_departement(
    client, person, former, new_association, secretariat
):
    elsewhere = AssociationFactory(name="Association d’un autre département")
    client.force_login(secretariat)
    html = client.get(url(person)).content.decode()
    assert "Enregistrer le changement d’association" in html
    assert f'<option value="{new_association.pk}">' in html
    assert f'<option value="{former.pk}">' not in html  # the current one
    assert elsewhere.name not in html
    assert AccessLog.objects.filter(user=secretariat, person_id=person.pk).exists()


def test_after_a_change_the_former_association_gets_404_and_the_new_one_sees_person_and_dossier(
    client, demande, person, former, new_association, secretariat
):
    client.force_login(secretariat)
    response = change(client, person, new_association)
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiaires:detail", args=[person.pk])

    client.force_login(caseworker_of(former))
    assert client.get(reverse("beneficiaires:detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("parcours:dossier", args=[demande.pk])).status_code == 404
    assert person.reference not in client.get(reverse("beneficiaires:list")).content.decode()

    client.force_login(caseworker_of(new_association))
    assert client.get(reverse("beneficiaires:detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("parcours:dossier", args=[demande.pk])).status_code == 200
    demande.refresh_from_db()
    assert demande.association == new_association


def test_the_person_page_shows_both_dated_accompaniments(
    client, person, former, new_association, secretariat
):
    client.force_login(secretariat)
    change(client, person, new_association, chosen_on=days_ago(3).isoformat(), on=days_ago(1).isoformat())
    html = client.get(reverse("beneficiaires:detail", args=[person.pk])).content.decode()
    assert former.name in html and new_association.name in html
    assert "Choix de la personne de changer d’association" in html
    assert date_fr(days_ago(1)) in html  # the day one ends and the other begins
    rows = list(person.accompagnements.order_by("start").values_list("association", "start", "end"))
    assert rows[1:] == [(new_association.pk, days_ago(1), None)]
    assert rows[0][0] == former.pk and rows[0][2] == days_ago(1)


def test_the_current_association_hands_the_person_over_and_returns_to_its_list(
    client, person, former, new_association
):
    client.force_login(caseworker_of(former))
    response = change(client, person, new_association)
    assert response["Location"] == reverse("beneficiaires:list")
    assert person.current_accompagnement.association == new_association


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"association": ""}, "Choisissez l’association qui accompagnera désormais la personne."),
        ({"on": ""}, "Indiquez la date du changement d’association."),
        ({"chosen_on": "pas une date"}, "Saisissez une date valide"),
        ({"on": days_ago(-1).isoformat()}, "La date du changement ne peut pas être dans le futur"),
        ({"on": "2999-01-01"}, "La date doit être comprise entre le 01/01/2016"),
        (
            {"on": days_ago(400).isoformat(), "chosen_on": days_ago(400).isoformat()},
            "ne peut pas précéder le début de l’accompagnement",
        ),
        ({"chosen_on": days_ago(-1).isoformat()}, "La date du choix ne peut pas être dans le futur"),
        ({"reason": AccompagnementEndReason.FIN_PARCOURS}, "Choisissez l’un des motifs proposés."),
    ],
)
def test_the_form_refuses_bad_input_in_french_and_changes_nothing(
    client, person, former, new_association, secretariat, overrides, message
):
    client.force_login(secretariat)
    response = change(client, person, new_association, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert person.current_accompagnement.association == former


def test_the_choice_cannot_come_after_the_change(client, person, new_association, secretariat):
    client.force_login(secretariat)
    response = change(
        client, person, new_association, chosen_on=days_ago(0).isoformat(), on=days_ago(1).isoformat()
    )
    assert (
        "La personne choisit l’association au plus tard le jour du changement." in response.content.decode()
    )


def test_an_association_of_another_departement_is_refused(client, person, former, secretariat):
    client.force_login(secretariat)
    response = change(client, person, AssociationFactory())
    assert "Choisissez l’une des associations proposées" in response.content.decode()
    assert person.current_accompagnement.association == former


def test_the_president_and_another_association_get_404(client, person, new_association):
    president = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=person.departement),
        roles=[Role.PRESIDENT],
    )
    for user in (president, caseworker_of(new_association)):
        client.force_login(user)
        assert client.get(url(person)).status_code == 404
        assert change(client, person, new_association).status_code == 404


def test_the_person_page_offers_the_change_to_the_secretariat_only_among_the_prefecture(
    client, person, secretariat
):
    detail = reverse("beneficiaires:detail", args=[person.pk])
    client.force_login(secretariat)
    assert url(person) in client.get(detail).content.decode()
    client.force_login(UserFactory(organisation=secretariat.organisation, roles=[Role.PRESIDENT]))
    assert url(person) not in client.get(detail).content.decode()


def test_the_change_history_names_who_recorded_the_change(client, person, new_association, secretariat):
    client.force_login(secretariat)
    change(client, person, new_association)
    entries = LogEntry.objects.get_for_objects(person.accompagnements.all())
    assert {(entry.action, entry.actor) for entry in entries} >= {
        (LogEntry.Action.UPDATE, secretariat),
        (LogEntry.Action.CREATE, secretariat),
    }
