"""The AFIS, assessed on the day of the decision (CASF R121-12-13-1; décrets n° 2017-542, n° 2022-1340).

Amounts come from the dated scales and RSA lump sums seeded by the data migration; tests that need a
lump sum on a date the migration does not cover add the row they need.
"""

import datetime
import io
from decimal import Decimal

import pypdf
import pytest

from commission import private_files
from commission.dates import add_months
from parcours import afis
from parcours.enums import AfisTerritoire
from parcours.models import BaremeAfis, DroitAfis, ForfaitRsa
from tests.factories import (
    DecisionFactory,
    DemandeFactory,
    DepartementFactory,
    ParcoursFactory,
    TitreSejourFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
AFTER_2022_SCALE = D(2025, 6, 2)  # RSA lump sum in force: 646.52 € (1 April 2025)
BEFORE_2022_SCALE = D(2022, 6, 1)


@pytest.fixture
def forfait_rsa_2022():
    """Seeded by the data migrations, like every lump sum back to the oldest scale (2017)."""
    return ForfaitRsa.objects.get(territoire=AfisTerritoire.GENERAL, effective_from=D(2022, 4, 1))


@pytest.fixture
def forfait_rsa_mayotte():
    return ForfaitRsa.objects.create(
        territoire=AfisTerritoire.MAYOTTE,
        effective_from=D(2024, 4, 1),
        amount=Decimal("317.86"),
        legal_reference="Montant forfaitaire du RSA à Mayotte (saisie de test)",
    )


def _demande(permit=True, **fields):
    """A complete application of an adult with no resources who cannot claim the RSA or the ADA; a
    Nigerian national (the factory's default) lawfully resident: an APS valid over every date these
    tests assess on (recorded on an earlier pathway, so that the tests may open one)."""
    fields.setdefault("beneficiaire__birth_date", D(1995, 5, 10))
    demande = DemandeFactory(complete=True, **fields)
    if permit:
        TitreSejourFactory(
            parcours=ParcoursFactory(beneficiaire=demande.beneficiaire, termine=True),
            delivre=True,
            issued_on=D(2017, 1, 1),
            valid_until=D(2030, 12, 31),
        )
    return demande


def _assess(demande, on):
    periode = ParcoursFactory(beneficiaire=demande.beneficiaire, commission=demande.commission).periodes.get()
    return afis.assess(demande, periode, on)


# --- eligibility ---------------------------------------------------------------------------------


def test_adult_without_resources_who_cannot_claim_rsa_or_ada_is_eligible():
    assert afis.ineligibility_reason(_demande(), AFTER_2022_SCALE) == ""


def test_person_under_18_on_the_day_of_the_decision_is_not_eligible():
    demande = _demande(beneficiaire__birth_date=D(2007, 6, 3))

    reason = afis.ineligibility_reason(demande, AFTER_2022_SCALE)

    assert "18 ans" in reason


def test_person_is_eligible_from_their_18th_birthday():
    demande = _demande(beneficiaire__birth_date=D(2007, 6, 2))

    assert afis.ineligibility_reason(demande, AFTER_2022_SCALE) == ""


def test_unknown_birth_date_makes_the_person_ineligible_with_a_reason():
    demande = _demande(beneficiaire__birth_date=None)

    assert "date de naissance est inconnue" in afis.ineligibility_reason(demande, AFTER_2022_SCALE)


def test_person_who_receives_or_can_claim_the_rsa_or_the_ada_is_not_eligible():
    demande = _demande(droit_rsa_ou_ada=True)

    reason = afis.ineligibility_reason(demande, AFTER_2022_SCALE)

    assert "RSA" in reason and "demandeur d’asile" in reason


def test_unanswered_rsa_or_ada_question_makes_the_person_ineligible_with_a_reason():
    demande = _demande(droit_rsa_ou_ada=None)

    assert "Il n’est pas indiqué" in afis.ineligibility_reason(demande, AFTER_2022_SCALE)


def test_unknown_household_resources_make_the_person_ineligible_with_a_reason():
    demande = _demande(ressources_foyer=None)

    assert "ressources du foyer" in afis.ineligibility_reason(demande, AFTER_2022_SCALE)


@pytest.mark.parametrize(
    "resources, eligible",
    [
        (Decimal("0.00"), True),
        (Decimal("646.51"), True),
        (Decimal("646.52"), False),  # at the lump sum: not under it
        (Decimal("900.00"), False),
    ],
)
def test_household_resources_must_be_under_the_rsa_lump_sum_for_one_person(resources, eligible):
    demande = _demande(ressources_foyer=resources)

    reason = afis.ineligibility_reason(demande, AFTER_2022_SCALE)

    assert (reason == "") is eligible
    if not eligible:
        assert "dépassent le montant forfaitaire du RSA" in reason


def test_resource_ceiling_is_the_lump_sum_in_force_on_the_day_of_the_decision():
    demande = _demande(ressources_foyer=Decimal("640.00"))

    assert afis.ineligibility_reason(demande, D(2025, 3, 31)) != ""  # 635.71 € until 31 March 2025
    assert afis.ineligibility_reason(demande, D(2025, 4, 1)) == ""  # 646.52 € from 1 April 2025


# --- amount --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "children, amount",
    [
        (0, Decimal("343.20")),
        (1, Decimal("449.28")),
        (2, Decimal("555.36")),
        (3, Decimal("661.44")),
        (4, Decimal("767.52")),
        (5, Decimal("873.60")),
    ],
)
def test_amount_by_number_of_children_from_the_2022_scale(children, amount):
    demande = _demande(beneficiaire__dependent_children=children)

    droit = _assess(demande, AFTER_2022_SCALE)

    assert droit.eligible
    assert droit.monthly_amount == amount
    assert droit.dependent_children == children
    assert droit.bareme.effective_from == D(2022, 10, 21)


@pytest.mark.parametrize(
    "children, amount",
    [
        (0, Decimal("330")),
        (1, Decimal("432")),
        (2, Decimal("534")),
        (3, Decimal("636")),
        (4, Decimal("738")),
        (5, Decimal("840")),
    ],
)
def test_amount_by_number_of_children_from_the_2017_scale_before_2022(forfait_rsa_2022, children, amount):
    demande = _demande(beneficiaire__dependent_children=children)

    droit = _assess(demande, BEFORE_2022_SCALE)

    assert droit.eligible
    assert droit.monthly_amount == amount
    assert droit.bareme.effective_from == D(2017, 4, 15)


@pytest.mark.parametrize(
    "on, amount", [(D(2022, 10, 20), Decimal("330")), (D(2022, 10, 21), Decimal("343.20"))]
)
def test_scale_in_force_on_the_day_of_the_decision_applies(forfait_rsa_2022, on, amount):
    droit = _assess(_demande(), on)

    assert droit.monthly_amount == amount


def test_a_scale_entered_by_the_secretariat_applies_from_its_date_without_code_change():
    BaremeAfis.objects.create(
        territoire=AfisTerritoire.GENERAL,
        effective_from=D(2026, 1, 1),
        amount_0=Decimal("350.00"),
        amount_1=Decimal("460.00"),
        amount_2=Decimal("570.00"),
        amount_3=Decimal("680.00"),
        increment_per_child=Decimal("110.00"),
        legal_reference="Barème fictif de test",
    )
    demande = _demande(beneficiaire__dependent_children=4)

    assert _assess(demande, D(2025, 12, 31)).monthly_amount == Decimal("767.52")
    assert _assess(_demande(beneficiaire__dependent_children=4), D(2026, 1, 1)).monthly_amount == Decimal(
        "790.00"
    )


@pytest.mark.parametrize(
    "children, amount",
    [
        (0, Decimal("165")),
        (1, Decimal("216")),
        (2, Decimal("267")),
        (3, Decimal("318")),
        (4, Decimal("350")),
        (5, Decimal("382")),
    ],
)
def test_mayotte_has_its_own_scale(forfait_rsa_mayotte, children, amount):
    demande = _demande(
        departement=DepartementFactory(mayotte=True), beneficiaire__dependent_children=children
    )

    droit = _assess(demande, AFTER_2022_SCALE)

    assert droit.eligible
    assert droit.monthly_amount == amount
    assert droit.bareme.territoire == AfisTerritoire.MAYOTTE


def test_missing_reference_data_postpones_without_rsa_lump_sum_for_mayotte():
    """Rule 15: a gap in our data makes the assessment wait ("à compléter"); it is never a refusal."""
    demande = _demande(departement=DepartementFactory(mayotte=True))

    droit = _assess(demande, AFTER_2022_SCALE)

    assert (droit.eligible, droit.pending) == (False, True)
    assert "Aucun montant forfaitaire du RSA" in droit.ineligibility_reason
    assert "secrétariat doit le saisir" in droit.ineligibility_reason
    assert (droit.monthly_amount, droit.bareme) == (0, None)


def test_ineligible_person_gets_no_amount_and_the_reason_is_kept():
    demande = _demande(droit_rsa_ou_ada=True, beneficiaire__dependent_children=2)

    droit = _assess(demande, AFTER_2022_SCALE)

    assert not droit.eligible
    assert droit.monthly_amount == 0
    assert droit.bareme is None
    assert "RSA" in droit.ineligibility_reason


def test_right_covers_the_term_and_is_reassessed_in_place():
    demande = _demande()
    periode = ParcoursFactory(beneficiaire=demande.beneficiaire, commission=demande.commission).periodes.get()

    first = afis.assess(demande, periode, AFTER_2022_SCALE)
    demande.droit_rsa_ou_ada = True
    second = afis.assess(demande, periode, AFTER_2022_SCALE)

    assert (first.start, first.end, first.assessed_on) == (periode.start, periode.end, AFTER_2022_SCALE)
    assert second.pk == first.pk
    assert DroitAfis.objects.filter(periode=periode).count() == 1
    assert not DroitAfis.objects.get(periode=periode).eligible


# --- rule 14: the residence condition -----------------------------------------------------------


@pytest.mark.parametrize("nationalities", [["FR"], ["DE"], ["NO"], ["CH"], ["NG", "IT"]])
def test_afis_residence_condition_french_eu_eea_or_swiss_need_no_permit(nationalities):
    demande = _demande(permit=False, beneficiaire__nationalities=nationalities)

    assert afis.outcome(demande, AFTER_2022_SCALE) == afis.Outcome(True, False, "")


def test_afis_residence_condition_a_valid_aps_counts():
    demande = _demande()

    assert afis.outcome(demande, AFTER_2022_SCALE).eligible


def test_afis_residence_condition_a_foreign_person_without_a_valid_permit_waits_for_it():
    demande = _demande(permit=False)

    droit = _assess(demande, AFTER_2022_SCALE)

    assert (droit.eligible, droit.pending) == (False, True)
    assert "délivrance de l’autorisation provisoire de séjour" in droit.ineligibility_reason


def test_afis_residence_condition_a_permit_expired_on_the_day_does_not_count():
    demande = _demande(permit=False)
    TitreSejourFactory(
        parcours=ParcoursFactory(beneficiaire=demande.beneficiaire, termine=True),
        delivre=True,
        issued_on=D(2024, 1, 1),
        valid_until=AFTER_2022_SCALE - datetime.timedelta(days=1),
    )

    assert afis.outcome(demande, AFTER_2022_SCALE).pending


def test_afis_residence_condition_unknown_nationality_waits():
    demande = _demande(permit=False, beneficiaire__nationalities=[])

    outcome = afis.outcome(demande, AFTER_2022_SCALE)

    assert (outcome.eligible, outcome.pending) == (False, True)
    assert "nationalité" in outcome.reason


def test_afis_residence_condition_the_right_opens_when_the_permit_is_recorded_on_screen(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from commission.enums import OrganisationKind, Role
    from tests.factories import OrganisationFactory, UserFactory

    demande = _demande(permit=False)
    parcours = ParcoursFactory(beneficiaire=demande.beneficiaire, commission=demande.commission)
    periode = parcours.periodes.get()
    periode.decision = DecisionFactory(demande=demande, decided_on=periode.start)
    periode.save(update_fields=["decision"])
    droit = afis.assess(demande, periode, periode.start)
    assert droit.pending
    titre = TitreSejourFactory(parcours=parcours)
    service = UserFactory(
        organisation=OrganisationFactory(
            kind=OrganisationKind.SERVICE_ETRANGERS, departement=parcours.commission.departement
        ),
        roles=[Role.ETRANGERS],
    )
    client.force_login(service)
    issued_on = periode.start + datetime.timedelta(days=10)

    client.post(
        reverse("decisions:titre", args=[titre.pk]),
        {
            "number": "APS-5",
            "issued_on": issued_on.isoformat(),
            "valid_until": add_months(issued_on, 6).isoformat(),
        },
    )

    droit.refresh_from_db()
    assert (droit.eligible, droit.pending) == (True, False)
    # Paid from the day its conditions held, not before.
    assert (droit.assessed_on, droit.start) == (issued_on, issued_on)


# --- rule 15: missing reference data postpones, it never refuses ----------------------------------


def test_missing_reference_data_postpones_without_a_scale():
    demande = _demande()
    BaremeAfis.objects.all().delete()

    droit = _assess(demande, AFTER_2022_SCALE)

    assert (droit.eligible, droit.pending, droit.monthly_amount) == (False, True, 0)
    assert "Aucun barème de l’AFIS" in droit.ineligibility_reason


def test_missing_reference_data_postpones_before_the_oldest_lump_sum():
    demande = _demande()

    outcome = afis.outcome(demande, D(2017, 3, 31))

    assert (outcome.eligible, outcome.pending) == (False, True)


@pytest.mark.parametrize(
    "day, amount",
    [
        (D(2017, 4, 1), "545.48"),
        (D(2019, 12, 1), "559.74"),
        (D(2022, 6, 30), "575.52"),
        (D(2022, 7, 1), "598.54"),
        (D(2023, 4, 1), "607.75"),
        (D(2025, 4, 1), "646.52"),
    ],
)
def test_missing_reference_data_rsa_lump_sums_are_seeded_back_to_the_oldest_scale(day, amount):
    assert ForfaitRsa.in_force(AfisTerritoire.GENERAL, day).amount == Decimal(amount)


def test_missing_reference_data_postpones_listed_on_the_secretariat_home_and_reassessed_on_screen(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from commission.enums import Role
    from parcours.enums import CourrierKind, DecisionKind
    from parcours.models import Courrier
    from parcours.workflow import demandes as demandes_workflow
    from tests.factories import UserFactory

    demande = DemandeFactory(
        avis_rendu=True, departement=DepartementFactory(mayotte=True), beneficiaire__nationalities=["FR"]
    )
    president = UserFactory(organisation=demande.commission.secretariat, roles=[Role.PRESIDENT])
    today = datetime.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        decision = demandes_workflow.decide(
            demande,
            kind=DecisionKind.AUTORISATION,
            signataire=president,
            signataire_title="Préfet",
            decided_on=today,
            start=today,
        )
    droit = DroitAfis.objects.get(periode__decision=decision)
    assert droit.pending
    # No letter tells the person they are refused for a gap in our data.
    assert set(Courrier.objects.filter(decision=decision).values_list("kind", flat=True)) == {
        CourrierKind.NOTIFICATION
    }
    notification = Courrier.objects.get(decision=decision)
    pdf = pypdf.PdfReader(io.BytesIO(private_files.read(notification.file_path)))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "est en cours d’appréciation" in text
    assert "ne peut pas vous être accordée" not in text
    secretariat = UserFactory(organisation=demande.commission.secretariat, roles=[Role.SECRETARIAT])
    client.force_login(secretariat)
    home = client.get(reverse("home")).content.decode()
    assert "Droits à l’AFIS à compléter" in home
    assert "Aucun montant forfaitaire du RSA" in home

    ForfaitRsa.objects.create(
        territoire=AfisTerritoire.MAYOTTE,
        effective_from=today - datetime.timedelta(days=300),
        amount=Decimal("320.00"),
        legal_reference="Montant forfaitaire du RSA à Mayotte (saisie de test)",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("decisions:afis_reassess", args=[droit.pk]), follow=True)

    assert "Le droit à l’AFIS est ouvert" in response.content.decode()
    droit.refresh_from_db()
    assert (droit.eligible, droit.pending) == (True, False)
    assert Courrier.objects.filter(decision=decision, kind=CourrierKind.ATTESTATION_AFIS).exists()
    client.force_login(president)
    assert client.post(reverse("decisions:afis_reassess", args=[droit.pk])).status_code == 404
