"""The report's page and downloads: who sees which commission's report, the period's checks, charts with
their tables, and files that hide small counts unless exact figures are asked for (and then logged)."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader

from commission.enums import AuditAction, OrganisationKind, Role
from commission.models import AccessLog
from parcours.enums import AvisChoice, DecisionKind, DemandeKind
from tests.factories import (
    CommissionFactory,
    DecisionFactory,
    DemandeFactory,
    MandatFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("bilan:bilan")
PERIOD = {"debut": "2025-01-01", "fin": "2025-12-31"}


def staff_of(commission, role=Role.SECRETARIAT):
    organisation = OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=commission.departement)
    return UserFactory(organisation=organisation, roles=[role])


@pytest.fixture
def commission():
    """Eight initial applications examined in 2025: 3 authorised (a small count), 5 unfavourable opinions."""
    commission = CommissionFactory()
    for index in range(8):
        demande = DemandeFactory(
            commission=commission,
            kind=DemandeKind.INITIALE,
            avis_rendu=True,
            avis_commission=AvisChoice.FAVORABLE if index < 3 else AvisChoice.DEFAVORABLE,
            avis_commission_on=datetime.date(2025, 6, 10),
        )
        if index < 3:
            DecisionFactory(
                demande=demande, kind=DecisionKind.AUTORISATION, decided_on=datetime.date(2025, 6, 18)
            )
    return commission


@pytest.fixture
def secretariat(client, commission):
    user = staff_of(commission)
    client.force_login(user)
    return user


def logged(user, action):
    return list(AccessLog.objects.filter(user=user, action=action).values_list("object_type", "object_id"))


# --- who sees what ---------------------------------------------------------------------------------


def test_secretariat_sees_its_commissions_report_with_charts_and_tables(client, commission, secretariat):
    response = client.get(URL, PERIOD)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bilan du parcours de sortie de la prostitution" in html
    # Escaped as the template escapes it: a name such as « Val-d'Oise » has an apostrophe.
    assert escape(f"{commission.departement.name} ({commission.departement.code})") in html
    assert (
        'role="img" aria-labelledby="bilan-graphique-initiales-titre bilan-graphique-initiales-desc"'
        in " ".join(html.split())
    )
    assert re.search(r"<caption>\s*Tableau : Demandes d’engagement dans le parcours\s*</caption>", html)
    # The screen is internal: exact figures.
    shown = response.context["shown"]
    initiales = {row.key: row.cells[0].text for row in shown.sections[0].rows}
    assert initiales["examinees"] == "8"
    assert initiales["autorisees"] == "3"


def test_president_sees_the_report_too(client, commission):
    client.force_login(staff_of(commission, Role.PRESIDENT))
    assert client.get(URL, PERIOD).status_code == 200


def test_default_period_is_the_twelve_months_ending_today(client, secretariat):
    response = client.get(URL)

    bilan = response.context["shown"].bilan
    assert bilan.end - bilan.start in (datetime.timedelta(days=364), datetime.timedelta(days=365))


def test_another_departements_commission_is_not_found(client, secretariat):
    other = CommissionFactory()
    assert client.get(URL, {**PERIOD, "commission": other.pk}).status_code == 404
    assert client.get(URL, {**PERIOD, "commission": other.pk, "format": "csv"}).status_code == 404


@pytest.mark.parametrize("role", [Role.REFERENT, Role.MEMBRE, Role.ETRANGERS])
def test_other_roles_get_not_found(client, commission, role):
    client.force_login(staff_of(commission, role))
    assert client.get(URL, PERIOD).status_code == 404


def test_a_member_of_the_commission_gets_not_found(client, commission):
    mandat = MandatFactory(commission=commission)
    client.force_login(mandat.user)
    assert client.get(URL, PERIOD).status_code == 404


def test_administrator_sees_every_commission_by_default_or_chooses_one(client, commission):
    other = CommissionFactory()
    DemandeFactory(commission=other, avis_rendu=True, avis_commission_on=datetime.date(2025, 3, 1))
    client.force_login(UserFactory(roles=[Role.ADMINISTRATEUR], organisation=None))

    national = client.get(URL, PERIOD)
    assert national.context["shown"].bilan.national
    assert national.context["shown"].bilan.value("initiales", "examinees") == 9
    assert "Toutes les commissions (bilan national)" in national.content.decode()
    assert "Par département" in national.content.decode()

    one = client.get(URL, {**PERIOD, "commission": other.pk})
    assert one.context["shown"].bilan.value("initiales", "examinees") == 1


# --- the period ------------------------------------------------------------------------------------


def test_end_before_start_is_explained_in_french(client, secretariat):
    response = client.get(URL, {"debut": "2025-06-01", "fin": "2025-05-31"})

    assert response.context["shown"] is None
    assert "La fin de la période doit être le même jour que son début ou après." in response.content.decode()


def test_a_period_of_more_than_five_years_is_refused(client, secretariat):
    response = client.get(URL, {"debut": "2020-01-01", "fin": "2025-01-01"})
    assert "La période ne peut pas dépasser cinq ans" in response.content.decode()

    assert client.get(URL, {"debut": "2020-01-01", "fin": "2024-12-31"}).context["shown"] is not None


def test_a_single_day_period_is_allowed(client, secretariat):
    response = client.get(URL, {"debut": "2025-06-10", "fin": "2025-06-10"})

    assert response.context["shown"].bilan.value("initiales", "examinees") == 8


# --- downloads -------------------------------------------------------------------------------------


def test_csv_hides_small_counts_by_default_and_logs_the_export(client, commission, secretariat):
    response = client.get(URL, {**PERIOD, "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"bilan-psp-{commission.departement.code}-20250101-20251231.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Demandes d’engagement dans le parcours;Examinées par la commission;Nombre;8" in text
    assert "Demandes d’engagement dans le parcours;Autorisées par le préfet;Nombre;< 5" in text
    assert logged(secretariat, AuditAction.EXPORT) == [
        ("parcours.Bilan", f"{commission.pk}:2025-01-01:2025-12-31")
    ]
    assert logged(secretariat, AuditAction.EXACT_FIGURES) == []


def test_exact_figures_are_given_when_asked_and_the_request_is_logged(client, commission, secretariat):
    response = client.get(URL, {**PERIOD, "format": "csv", "exacts": "on"})

    text = response.content.decode("utf-8-sig")
    assert "Demandes d’engagement dans le parcours;Autorisées par le préfet;Nombre;3" in text
    assert "exacts, pour un usage interne" in text
    expected = [("parcours.Bilan", f"{commission.pk}:2025-01-01:2025-12-31")]
    assert logged(secretariat, AuditAction.EXACT_FIGURES) == expected
    assert logged(secretariat, AuditAction.EXPORT) == expected


def test_xlsx_is_a_workbook_with_small_counts_hidden(client, secretariat):
    response = client.get(URL, {**PERIOD, "format": "xlsx"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Examinées par la commission"] == 8
    assert values["Autorisées par le préfet"] == "< 5"


def pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_hides_small_counts_by_default(client, secretariat):
    response = client.get(URL, {**PERIOD, "format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Bilan du parcours de sortie de la prostitution" in text
    assert "Autorisées par le préfet < 5" in text
    assert "Secret statistique" in text


def test_pdf_with_exact_figures_says_it_is_for_internal_use(client, secretariat):
    response = client.get(URL, {**PERIOD, "format": "pdf", "exacts": "on"})

    text = pdf_text(response.content)
    assert "Autorisées par le préfet 3" in text
    assert "usage interne" in text
    assert len(logged(secretariat, AuditAction.EXACT_FIGURES)) == 1


def test_viewing_the_page_logs_nothing(client, secretariat):
    client.get(URL, {**PERIOD, "exacts": "on"})

    assert not AccessLog.objects.filter(user=secretariat).exists()
