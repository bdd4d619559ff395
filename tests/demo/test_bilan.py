"""The report over the demo département reproduces the Haute-Garonne's published figures, which the demo
is built to reproduce (see demo/dataset.py): 30 initial applications examined, 28 authorised, 11 persons
in employment at their last report of whom 7 on a permanent contract, most of them Nigerian."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from commission.models import Commission
from demo import dataset
from parcours import bilan
from parcours.enums import ParcoursEndReason, SituationEmploi, TypeContrat

# Also makes pytest-django create the test database when this file runs alone.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for these read-only tests and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO(), stderr=StringIO())
        start, end = dataset.period()
        yield bilan.compute(Commission.objects.filter(departement__code=dataset.DEPARTEMENT_CODE), start, end)
        transaction.set_rollback(True)


@pytest.fixture
def report(loaded, db):
    return loaded


def test_thirty_initial_applications_examined_and_twenty_eight_authorised(report):
    assert report.value("initiales", "examinees") == 30
    assert report.value("initiales", "avis_favorables") == 28
    assert report.value("initiales", "autorisees") == 28
    assert report.value("initiales", "refusees") == 2


def test_eleven_persons_in_employment_at_their_last_report_seven_on_a_cdi(report):
    assert report.value("emploi", SituationEmploi.EN_EMPLOI) == 11
    contrats = report.section("contrats")
    assert contrats.value(TypeContrat.CDI) == 7
    assert contrats.value(TypeContrat.CDD) == 2
    assert contrats.value(TypeContrat.INTERIM) == 1
    assert contrats.value(TypeContrat.INSERTION) == 1


def test_most_persons_in_a_pathway_are_nigerian(report):
    nationalites = report.section("nationalites")
    assert nationalites.rows[0].key == "NG"
    assert nationalites.value("NG") == 27
    assert nationalites.value("RO") == 1


def test_renewals_ends_and_persons_in_a_pathway_match_the_demo(report):
    assert report.value("renouvellements", "examines") == 14
    assert report.value("renouvellements", "renouveles") == 12
    assert report.value("renouvellements", "non_renouveles") == 1
    fins = report.section("fins")
    assert fins.value(ParcoursEndReason.ECHEANCE) == 2
    assert fins.value(ParcoursEndReason.NON_RENOUVELLEMENT) == 1
    assert fins.value(ParcoursEndReason.RETRAIT) == 1
    assert report.value("en_parcours", "fin_de_periode") == 24
    assert report.value("en_parcours", "pendant") == 28


def test_delays_of_the_demo_sessions(report):
    """Every examined dossier was filed 35 days before its session, admissible 21 days before it, and
    decided 8 days after it."""
    delais = report.section("delais")
    assert delais.row("depot_recevabilite").values[1:] == (14.0, 14.0)
    assert delais.row("recevabilite_seance").values[1:] == (21.0, 21.0)
    assert delais.row("seance_decision").values[1:] == (8.0, 8.0)
    assert delais.row("depot_decision").values[1:] == (43.0, 43.0)
