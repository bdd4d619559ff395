"""`manage.py load_demo`: the fictional Haute-Garonne reproduces the published figures, idempotently."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind
from commission.models import Departement, Organisation, User
from demo import dataset
from parcours.enums import DecisionKind, DemandeKind, DemandeState, ParcoursEndReason, TitreSejourState
from parcours.models import Decision, Demande, Parcours, Periode, TitreSejour

# isort: split
# The commission's sessions.
from commission.enums import MandatRole, MandatScope, SeanceKind
from commission.models import Mandat
from commission.seances.enums import PointState, SeanceState
from commission.seances.models import PointOrdreDuJour, Seance

LOGIN_LINE = re.compile(r"^(?P<role>.+) : (?P<email>[^\s@]+@[^\s@]+\.invalid) / (?P<password>\S{12,})$")
GROUP_OF_ROLE = {
    "secrétariat": "secretariat",
    "président·e": "president",
    "membre 1 (DDETS)": "membre",
    "membre 2 (police nationale)": "membre",
    "membre 3 (ARS)": "membre",
    "membre 4 (parquet)": "membre",
    "service des étrangers": "etrangers",
    "administrateur·rice": "administrateur",
}
MEMBER_LOGIN = re.compile(r"^membre (?P<number>\d+) \((?P<seat>.+)\)$")


def load_demo(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command("load_demo", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().splitlines()


@pytest.fixture(scope="class")
def printed(django_db_setup, django_db_blocker):
    """The demo, loaded once for the read-only tests of TestDemoData and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def lines(printed, db):
    return printed


def in_period(field):
    start, end = dataset.period()
    return {f"{field}__range": (start, end)}


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("auth", "commission", "beneficiaires", "parcours")
    }


class TestDemoData:
    """Checks of one load shared by the class; what a test writes is rolled back after it."""

    def test_prints_one_parsable_login_per_role_and_per_association(self, lines):
        matches = [LOGIN_LINE.match(line) for line in lines]

        assert all(matches), lines
        roles = [m["role"] for m in matches]
        assert roles[: len(GROUP_OF_ROLE)] == list(GROUP_OF_ROLE)
        assert roles[len(GROUP_OF_ROLE) :] == [
            f"référent·e ({association.name})" for association in dataset.ASSOCIATIONS
        ]
        assert {m["password"] for m in matches} == {dataset.PASSWORD}

    def test_each_printed_login_authenticates_and_holds_its_role(self, lines):
        for match in map(LOGIN_LINE.match, lines):
            user = authenticate(email=match["email"], password=match["password"])

            assert user is not None, match["email"]
            expected = GROUP_OF_ROLE.get(match["role"], "referent")
            assert user.groups.filter(name=expected).exists(), match["role"]
        admin = User.objects.get(email=f"admin@{dataset.EMAIL_DOMAIN}")
        assert admin.is_staff and admin.is_superuser

    def test_four_voting_members_besides_the_president_log_in_and_sit_in_the_next_session(self, lines):
        members = [(MEMBER_LOGIN.match(m["role"]), m) for m in map(LOGIN_LINE.match, lines)]
        members = [(role, m) for role, m in members if role]
        next_seance = Seance.objects.get(state=SeanceState.CONVOQUEE)

        assert [int(role["number"]) for role, _m in members] == [1, 2, 3, 4]
        assert len({m["email"] for _role, m in members}) == 4
        for _role, match in members:
            user = authenticate(email=match["email"], password=match["password"])
            assert user is not None, match["email"]
            mandat = Mandat.objects.active().titulaires().get(user=user)
            assert mandat.voting and not mandat.is_president
            assert mandat.scope == MandatScope.TOUTES
            assert mandat.organisation.kind != OrganisationKind.ASSOCIATION  # votes on every dossier
            assert next_seance.convocations.filter(mandat=mandat).exists()

    def test_a_member_logs_in_with_the_printed_password_and_reads_the_next_session(self, lines, client):
        match = next(m for m in map(LOGIN_LINE.match, lines) if m["role"].startswith("membre 1"))
        next_seance = Seance.objects.get(state=SeanceState.CONVOQUEE)

        assert client.login(email=match["email"], password=match["password"])
        page = client.get(reverse("commission:seance", args=[next_seance.pk]))
        assert page.status_code == 200
        assert next_seance.points.exists()

    def test_every_filed_initial_application_holds_its_required_documents(self, lines):
        filed = Demande.objects.filter(kind=DemandeKind.INITIALE, submitted_at__isnull=False)

        assert filed.exists()
        for demande in filed.prefetch_related("documents"):
            assert not demande.missing_documents(), demande.pk

    def test_caseworkers_work_for_their_association_and_prefecture_staff_in_the_departement(self, lines):
        for association in dataset.ASSOCIATIONS:
            referent = User.objects.get(email=f"referent.{association.slug}@{dataset.EMAIL_DOMAIN}")
            assert referent.organisation.name == association.name
        for local in ("secretariat", "president"):
            user = User.objects.get(email=f"{local}@{dataset.EMAIL_DOMAIN}")
            assert user.organisation.kind == OrganisationKind.SECRETARIAT
        assert User.objects.get(email=f"etrangers@{dataset.EMAIL_DOMAIN}").organisation.kind == (
            OrganisationKind.SERVICE_ETRANGERS
        )

    def test_commission_has_twenty_sitting_members_and_three_approved_associations(self, lines):
        departement = Departement.objects.get(code="31")
        titulaires = Mandat.objects.active().titulaires()

        assert titulaires.count() == 20
        assert titulaires.get(is_president=True).user.email == f"president@{dataset.EMAIL_DOMAIN}"
        assert Mandat.objects.active().filter(role=MandatRole.SUPPLEANT).exists()
        assert Mandat.objects.filter(end__lt=timezone.localdate()).count() == 1  # a titular replaced
        politique_only = titulaires.filter(scope=MandatScope.POLITIQUE)
        assert [m.organisation.kind for m in politique_only] == [OrganisationKind.PROTECTION_ENFANCE]
        assert Organisation.objects.approved_for(departement).count() == 3
        kinds = set(titulaires.values_list("organisation__kind", flat=True))
        assert kinds == set(OrganisationKind.values)

    def test_commission_examined_thirty_initial_applications_and_the_prefect_authorised_twenty_eight(
        self, lines
    ):
        examined = Demande.objects.filter(kind=DemandeKind.INITIALE, **in_period("avis_commission_on"))
        decisions = Counter(
            Decision.objects.filter(
                demande__kind=DemandeKind.INITIALE, **in_period("decided_on")
            ).values_list("kind", flat=True)
        )

        assert examined.count() == 30
        assert decisions == {DecisionKind.AUTORISATION: 28, DecisionKind.REFUS: 2}
        assert Demande.objects.filter(kind=DemandeKind.INITIALE).count() == 37

    def test_every_decision_follows_both_opinions(self, lines):
        for decision in Decision.objects.select_related("demande"):
            assert decision.demande.avis_association, decision.pk
            assert decision.demande.avis_commission_on <= decision.decided_on <= timezone.localdate()

    def test_every_application_state_appears(self, lines):
        assert set(Demande.objects.values_list("state", flat=True)) == set(DemandeState.values)

    def test_twenty_seven_of_the_twenty_eight_authorised_persons_are_nigerian(self, lines):
        authorised = Demande.objects.filter(decisions__kind=DecisionKind.AUTORISATION).select_related(
            "beneficiaire"
        )
        nationalities = Counter(code for d in authorised for code in d.beneficiaire.nationalities)

        assert nationalities["NG"] == 27
        assert sum(nationalities.values()) == 28

    def test_eleven_persons_in_employment_at_their_last_report_seven_on_a_cdi(self, lines):
        latest = {}
        for demande in Demande.objects.order_by("created_at"):
            latest[demande.beneficiaire_id] = demande
        employed = [d for d in latest.values() if d.situation_emploi == "emploi"]

        assert len(employed) == 11
        assert sum(d.type_contrat == "cdi" for d in employed) == 7
        # Employment is recorded on the last application only: counting applications agrees.
        assert Demande.objects.filter(situation_emploi="emploi").count() == 11

    def test_pathways_are_renewed_ended_and_some_terms_end_soon(self, lines):
        today = timezone.localdate()
        renewals = Counter(
            Decision.objects.filter(demande__kind=DemandeKind.RENOUVELLEMENT).values_list("kind", flat=True)
        )
        ended = Counter(Parcours.objects.exclude(end_reason="").values_list("end_reason", flat=True))

        assert renewals == {DecisionKind.RENOUVELLEMENT: 12, DecisionKind.NON_RENOUVELLEMENT: 1}
        assert ended == {
            ParcoursEndReason.ECHEANCE: 2,
            ParcoursEndReason.NON_RENOUVELLEMENT: 1,
            ParcoursEndReason.RETRAIT: 1,
        }
        assert Parcours.objects.active().count() == 24
        # A term cannot end on every day (none ends on 30 August): the demo aims at the day, or just before.
        for days in (15, 30, 60):
            window = (today + datetime.timedelta(days - 3), today + datetime.timedelta(days))
            assert Parcours.objects.active().filter(current_term_end__range=window).exists(), days

    def test_permits_stand_at_every_stage(self, lines):
        states = Counter(TitreSejour.objects.values_list("state", flat=True))

        # Every stage but « expiré »: an ended pathway records its permit not renewed (issue 16), and
        # on a running one a renewal marks the permit to renew before it can expire.
        assert set(states) == set(TitreSejourState.values) - {TitreSejourState.EXPIRE}
        assert TitreSejour.objects.count() == 27
        for titre in TitreSejour.objects.filter(state=TitreSejourState.DELIVRE):
            assert titre.number and titre.issued_on < titre.valid_until

    def test_afis_is_assessed_for_every_authorised_term(self, lines):
        assert not Periode.objects.filter(afis__isnull=True).exists()
        assert Periode.objects.filter(afis__eligible=True).exists()
        assert Periode.objects.filter(afis__eligible=False).exists()

    def test_sessions_give_an_opinion_per_item_with_the_tally_of_its_votes(self, lines):
        past = Seance.objects.filter(kind=SeanceKind.INDIVIDUELLE, state=SeanceState.CLOSE)

        assert past.count() == 12
        assert Seance.objects.filter(kind=SeanceKind.POLITIQUE, state=SeanceState.CLOSE).count() == 2
        assert Seance.objects.filter(state=SeanceState.CONVOQUEE, starts_at__gt=timezone.now()).count() == 1
        points = PointOrdreDuJour.objects.filter(seance__in=past).select_related("avis", "demande")
        for point in points.exclude(state=PointState.AJOURNE):
            votes = Counter(point.votes.values_list("choice", flat=True))
            assert (votes["favorable"], votes["defavorable"], votes["abstention"]) == (
                point.avis.votes_favorable,
                point.avis.votes_defavorable,
                point.avis.abstentions,
            )
            assert point.avis.favorable == (point.demande.avis_commission == "favorable")
            assert not point.votes.filter(mandat__organisation=point.presenting_association).exists()
        assert points.filter(state=PointState.AJOURNE).count() == 1
        # The child-protection member is convened to policy sessions only (décret du 30 décembre 2025).
        politique = Mandat.objects.get(scope=MandatScope.POLITIQUE)
        assert set(politique.convocations.values_list("seance__kind", flat=True)) == {SeanceKind.POLITIQUE}

    def test_second_run_loads_nothing_and_prints_the_same_logins(self, lines):
        counts = row_counts()

        second = load_demo()

        assert second == lines
        assert row_counts() == counts

    def test_reset_wipes_and_reloads_the_same_figures(self, lines):
        counts = row_counts()

        reloaded = load_demo("--reset")

        assert reloaded == lines
        assert row_counts() == counts
        examined = Demande.objects.filter(kind=DemandeKind.INITIALE, **in_period("avis_commission_on"))
        assert examined.count() == 30


@pytest.mark.django_db
def test_refuses_to_touch_a_departement_31_that_is_not_the_demo():
    Departement.objects.create(code="31", name="Haute-Garonne")

    with pytest.raises(CommandError, match="ne vient pas de la démonstration"):
        load_demo()

    assert not Demande.objects.exists()
