"""The foreigners' service's list of residence permits, its CSV export, and recording an issue."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.dates import term_end
from commission.enums import OrganisationKind, Role
from parcours.enums import TitreSejourState
from parcours.workflow import titres
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _service(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SERVICE_ETRANGERS, departement=departement),
        roles=[Role.ETRANGERS],
    )


def _titre(departement, **kwargs):
    person = kwargs.pop("beneficiaire", None) or BeneficiaireFactory(departement=departement)
    return TitreSejourFactory(parcours=ParcoursFactory(beneficiaire=person), **kwargs)


@pytest.fixture
def departement():
    return DepartementFactory()


@pytest.fixture
def service(departement):
    return _service(departement)


# --- the list ------------------------------------------------------------------------------------


def test_the_service_lists_the_permits_of_its_departement_only(client, departement, service):
    mine = _titre(departement)
    elsewhere = _titre(DepartementFactory())
    client.force_login(service)
    response = client.get(reverse("decisions:titres"))
    assert response.context["titres"] == [mine]
    html = response.content.decode()
    assert mine.parcours.beneficiaire.full_name in html
    assert elsewhere.parcours.beneficiaire.reference not in html
    assert reverse("decisions:titre", args=[mine.pk]) in html
    assert "Enregistrer la délivrance" in html


@pytest.mark.parametrize(
    ("statut", "expected"),
    [
        ("a_delivrer", ["to_issue"]),
        ("a_renouveler", ["to_renew"]),
        ("delivre", ["valid", "expiring"]),
        ("expirant", ["expiring"]),
        ("expire", ["lapsed", "expired"]),
        ("non_renouvele", ["closed"]),
        ("", ["closed", "expired", "expiring", "lapsed", "to_issue", "to_renew", "valid"]),
    ],
)
def test_the_list_filters_by_situation(client, departement, service, statut, expected):
    def issued(valid_until):
        return {"delivre": True, "valid_until": valid_until}

    made = {
        "to_issue": _titre(departement),
        "to_renew": _titre(departement, state=TitreSejourState.A_RENOUVELER),
        "valid": _titre(departement, **issued(today() + datetime.timedelta(days=90))),
        "expiring": _titre(departement, **issued(today() + datetime.timedelta(days=10))),
        "lapsed": _titre(departement, **issued(today() - datetime.timedelta(days=1))),
        "expired": _titre(departement, state=TitreSejourState.EXPIRE),
        "closed": _titre(departement, state=TitreSejourState.NON_RENOUVELE),
    }
    client.force_login(service)
    response = client.get(reverse("decisions:titres"), {"statut": statut})
    names = {titre.pk: name for name, titre in made.items()}
    assert sorted(names[t.pk] for t in response.context["titres"]) == sorted(expected)


def test_the_list_searches_by_name_or_reference(client, departement, service):
    found = _titre(
        departement, beneficiaire=BeneficiaireFactory(departement=departement, last_name="Okonkwo")
    )
    _titre(departement, beneficiaire=BeneficiaireFactory(departement=departement, last_name="Adeyemi"))
    client.force_login(service)
    assert client.get(reverse("decisions:titres"), {"q": "okonk"}).context["titres"] == [found]
    reference = found.parcours.beneficiaire.reference
    assert client.get(reverse("decisions:titres"), {"q": reference}).context["titres"] == [found]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_reads_a_constant_number_of_queries(
    client, departement, service, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        _titre(departement)
    client.force_login(service)
    # + the access log's chain head (its lock and last hash) before its one INSERT of a row per permit
    with django_assert_max_num_queries(13):
        response = client.get(reverse("decisions:titres"))
    assert len(response.context["titres"]) == rows


@pytest.mark.parametrize("role", [Role.REFERENT, Role.SECRETARIAT, Role.PRESIDENT, Role.MEMBRE])
def test_no_one_but_the_foreigners_service_reaches_the_permits(client, departement, role):
    titre = _titre(departement)
    organisation = (
        AssociationFactory(departement=departement)
        if role == Role.REFERENT
        else OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement)
    )
    client.force_login(UserFactory(organisation=organisation, roles=[role]))
    assert client.get(reverse("decisions:titres")).status_code == 404
    assert client.get(reverse("decisions:titre", args=[titre.pk])).status_code == 404
    assert client.get(reverse("decisions:titres_export")).status_code == 404


def test_the_service_of_another_departement_gets_a_404(client, departement):
    titre = _titre(departement)
    client.force_login(_service(DepartementFactory()))
    assert client.get(reverse("decisions:titre", args=[titre.pk])).status_code == 404
    response = client.post(
        reverse("decisions:titre", args=[titre.pk]),
        {"number": "X", "issued_on": today().isoformat(), "valid_until": today().isoformat()},
    )
    assert response.status_code == 404


# --- the export ----------------------------------------------------------------------------------


def _rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_export_has_the_columns_the_service_needs_and_no_more(client, departement, service):
    person = BeneficiaireFactory(
        departement=departement,
        last_name="Okonkwo",
        first_names="Blessing",
        birth_date=datetime.date(1995, 4, 1),
    )
    titre = _titre(departement, beneficiaire=person, delivre=True)
    client.force_login(service)
    response = client.get(reverse("decisions:titres_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, row = _rows(response)
    assert header == [
        "Référence",
        "Nom",
        "Prénoms",
        "Date de naissance",
        "Nationalités",
        "État",
        "Numéro",
        "Délivrée le",
        "Valable jusqu’au",
        "Fin de la période du parcours",
    ]
    assert row[:5] == [person.reference, "Okonkwo", "Blessing", "01/04/1995", "Nigeria"]
    assert row[5:7] == ["Délivrée", titre.number]
    content = response.content.decode("utf-8-sig")
    for private in (person.address, person.phone, person.languages):
        assert private not in content


def test_the_export_keeps_the_filters_and_neutralises_formulas(client, departement, service):
    person = BeneficiaireFactory(departement=departement, last_name='=HYPERLINK("http://x")')
    _titre(departement, beneficiaire=person)
    _titre(departement, state=TitreSejourState.EXPIRE)
    client.force_login(service)
    rows = _rows(client.get(reverse("decisions:titres_export"), {"statut": "a_delivrer"}))
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


# --- recording the issue -------------------------------------------------------------------------


def test_the_service_records_the_issue_of_a_permit(client, departement, service):
    titre = _titre(departement)
    client.force_login(service)
    url = reverse("decisions:titre", args=[titre.pk])
    form = client.get(url)
    proposed = max(titre.parcours.current_term_end, term_end(today(), 6))
    assert form.context["form"].initial["valid_until"] == proposed
    response = client.post(
        url,
        {
            "number": "3112345678",
            "issued_on": today().isoformat(),
            "valid_until": proposed.isoformat(),
        },
        follow=True,
    )
    titre.refresh_from_db()
    assert (titre.state, titre.number, titre.issued_on) == (TitreSejourState.DELIVRE, "3112345678", today())
    html = response.content.decode()
    assert "L’autorisation provisoire de séjour n° 3112345678 est enregistrée." in html
    event = titre.evenements.get(transition="issue")
    assert (event.user, event.number) == (service, "3112345678")


def test_renewing_keeps_the_previous_permit_in_the_history(client, departement, service):
    titre = _titre(departement)
    parcours = titre.parcours
    titres.issue(
        titre, number="APS-1", issued_on=parcours.started_on, valid_until=term_end(parcours.started_on, 6)
    )
    titres.mark_to_renew(parcours)
    client.force_login(service)
    url = reverse("decisions:titre", args=[titre.pk])
    assert "Enregistrer le renouvellement" in client.get(url).content.decode()
    client.post(
        url,
        {
            "number": "APS-2",
            "issued_on": parcours.current_term_end.isoformat(),
            "valid_until": (parcours.current_term_end + datetime.timedelta(days=183)).isoformat(),
        },
    )
    titre.refresh_from_db()
    assert titre.number == "APS-2"
    assert list(titre.evenements.filter(transition="issue").values_list("number", flat=True)) == [
        "APS-1",
        "APS-2",
    ]
    html = client.get(url).content.decode()
    assert "APS-1" in html and "APS-2" in html


def test_a_validity_before_the_issue_is_refused_with_what_to_do(client, departement, service):
    titre = _titre(departement)
    client.force_login(service)
    response = client.post(
        reverse("decisions:titre", args=[titre.pk]),
        {"number": "X1", "issued_on": today().isoformat(), "valid_until": today().isoformat()},
    )
    assert response.status_code == 200
    assert "La date de fin de validité doit suivre la date de délivrance." in response.content.decode()
    titre.refresh_from_db()
    assert titre.state == TitreSejourState.A_DELIVRER


def test_a_permit_not_awaited_cannot_be_issued_again(client, departement, service):
    titre = _titre(departement, delivre=True)
    client.force_login(service)
    url = reverse("decisions:titre", args=[titre.pk])
    assert client.get(url).context["form"] is None
    response = client.post(
        url, {"number": "Y", "issued_on": today().isoformat(), "valid_until": "2099-01-01"}, follow=True
    )
    assert "n’attend ni délivrance ni renouvellement" in response.content.decode()
    titre.refresh_from_db()
    assert titre.number != "Y"
