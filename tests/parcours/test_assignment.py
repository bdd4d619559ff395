"""Who handles a dossier: the association names its caseworker, the secretariat its instructing agent,
on the dossier page; each change is kept; the dossier list and the home page find "my" dossiers and
the unassigned ones; nobody names someone of another association, and a member names nobody."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState
from parcours.models import Demande, DemandeEvenement
from parcours.workflow import WorkflowError
from parcours.workflow import demandes as workflow
from tests.factories import (
    AssociationFactory,
    ConvocationFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    PointOrdreDuJourFactory,
    SeanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = DemandeState


def _secretariat_agent(departement, **kwargs):
    organisation = OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement)
    return UserFactory(organisation=organisation, roles=[Role.SECRETARIAT], **kwargs)


def _submitted(departement, **kwargs):
    return DemandeFactory(
        **{
            "departement": departement,
            "complete": True,
            "state": S.DEPOSEE,
            "submitted_at": timezone.now() - datetime.timedelta(days=2),
            **kwargs,
        }
    )


@pytest.fixture
def departement():
    return DepartementFactory()


@pytest.fixture
def association(departement):
    return AssociationFactory(departement=departement)


@pytest.fixture
def referent(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT], first_name="Inès", last_name="Aubry")


@pytest.fixture
def colleague(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT], first_name="Paul", last_name="Roux")


@pytest.fixture
def demande(departement, association, referent):
    return _submitted(departement, association=association, referent=referent)


def _assign(client, demande, assignee):
    return client.post(
        reverse("parcours:dossier_assign", args=[demande.pk]), {"assignee": assignee.pk if assignee else ""}
    )


# --- the association names the caseworker ---------------------------------------------------------


def test_the_caseworker_hands_the_dossier_to_a_colleague_and_the_change_is_kept(
    client, demande, referent, colleague
):
    client.force_login(referent)

    response = _assign(client, demande, colleague)

    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.referent == colleague
    event = DemandeEvenement.objects.get(demande=demande, transition="assign")
    assert (event.user, event.from_state, event.to_state) == (referent, S.DEPOSEE, S.DEPOSEE)
    assert "Paul Roux" in event.reason
    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert "Historique des attributions" in page
    assert "Paul Roux" in page


def test_each_change_of_caseworker_is_a_new_event_newest_first_on_the_page(
    client, demande, referent, colleague
):
    client.force_login(referent)
    _assign(client, demande, colleague)
    _assign(client, demande, referent)

    demande.refresh_from_db()
    assert demande.referent == referent
    reasons = list(
        DemandeEvenement.objects.filter(demande=demande, transition="assign")
        .order_by("pk")
        .values_list("reason", flat=True)
    )
    assert len(reasons) == 2
    assert "Paul Roux" in reasons[0] and "Inès Aubry" in reasons[1]
    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    history = page[page.index("Historique des attributions") :]
    assert history.index("Inès Aubry") < history.index("Paul Roux")


def test_naming_the_same_person_again_writes_no_event(client, demande, referent):
    client.force_login(referent)

    _assign(client, demande, referent)

    assert not DemandeEvenement.objects.filter(demande=demande, transition="assign").exists()


def test_the_dossier_can_be_left_unassigned(client, demande, referent):
    client.force_login(referent)

    _assign(client, demande, None)

    demande.refresh_from_db()
    assert demande.referent is None
    assert DemandeEvenement.objects.filter(demande=demande, transition="assign").count() == 1
    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert "Non attribué" in page


def test_the_form_offers_only_the_caseworkers_of_the_dossier_s_association(
    client, demande, referent, colleague, departement
):
    other = UserFactory(
        organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT], last_name="Zzautre"
    )
    agent = _secretariat_agent(departement, last_name="Zzagent")
    client.force_login(referent)

    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()

    form = page[page.index('id="suivi"') :]
    form = form[: form.index("</form>")]
    assert f'value="{colleague.pk}"' in form
    assert f'value="{other.pk}"' not in form and "Zzautre" not in form
    assert f'value="{agent.pk}"' not in form and "Zzagent" not in form


def test_another_association_s_caseworker_cannot_be_chosen(client, demande, referent, departement):
    other = UserFactory(organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT])
    client.force_login(referent)

    response = _assign(client, demande, other)

    assert response.status_code == 200
    assert "Choisissez une personne de la liste." in response.content.decode()
    demande.refresh_from_db()
    assert demande.referent == referent
    assert not DemandeEvenement.objects.filter(demande=demande, transition="assign").exists()


def test_the_workflow_refuses_a_caseworker_of_another_association_whoever_calls_it(
    demande, referent, departement
):
    other = UserFactory(organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT])

    with pytest.raises(WorkflowError):
        workflow.assign(demande, user=referent, field="referent", assignee=other)

    assert Demande.objects.get(pk=demande.pk).referent == referent


def test_an_inactive_account_cannot_be_chosen(client, demande, referent, association):
    gone = UserFactory(organisation=association, roles=[Role.REFERENT], is_active=False)
    client.force_login(referent)

    response = _assign(client, demande, gone)

    assert response.status_code == 200
    assert Demande.objects.get(pk=demande.pk).referent == referent


def test_the_caseworker_does_not_name_the_secretariat_s_agent(client, demande, referent, departement):
    agent = _secretariat_agent(departement)
    client.force_login(referent)

    response = _assign(client, demande, agent)

    assert response.status_code == 200
    demande.refresh_from_db()
    assert demande.instructeur is None and demande.referent == referent


def test_another_association_does_not_reach_the_dossier(client, demande, departement):
    stranger = UserFactory(organisation=AssociationFactory(departement=departement), roles=[Role.REFERENT])
    client.force_login(stranger)

    assert _assign(client, demande, stranger).status_code == 404
    assert Demande.objects.get(pk=demande.pk).referent != stranger


def test_a_member_cannot_assign(client, demande):
    seance = SeanceFactory(commission=demande.commission)
    PointOrdreDuJourFactory(seance=seance, demande=demande)
    member = ConvocationFactory(seance=seance).mandat.user
    client.force_login(member)

    assert _assign(client, demande, member).status_code == 404
    demande.refresh_from_db()
    assert demande.instructeur is None and demande.referent != member


def test_the_president_reads_who_handles_the_dossier_but_names_nobody(client, demande, departement):
    president = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.PRESIDENT],
    )
    client.force_login(president)

    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert "Suivi du dossier" in page
    assert reverse("parcours:dossier_assign", args=[demande.pk]) not in page
    assert _assign(client, demande, president).status_code == 404


def test_a_decided_dossier_keeps_who_handled_it(client, departement, association, referent, colleague):
    decided = _submitted(departement, association=association, referent=referent, state=S.ACCEPTEE)
    client.force_login(referent)

    page = client.get(reverse("parcours:dossier", args=[decided.pk])).content.decode()
    response = _assign(client, decided, colleague)

    assert reverse("parcours:dossier_assign", args=[decided.pk]) not in page
    assert response.status_code == 302
    assert Demande.objects.get(pk=decided.pk).referent == referent


# --- the secretariat names its agent ------------------------------------------------------------


def test_the_secretariat_names_one_of_its_agents(client, demande, departement):
    agent = _secretariat_agent(departement)
    colleague = UserFactory(organisation=agent.organisation, roles=[Role.SECRETARIAT], last_name="Zzcollegue")
    client.force_login(agent)

    _assign(client, demande, colleague)

    demande.refresh_from_db()
    assert demande.instructeur == colleague
    assert demande.referent is not None  # the association's choice is not the secretariat's
    event = DemandeEvenement.objects.get(demande=demande, transition="assign")
    assert event.user == agent and "Zzcollegue" in event.reason


def test_the_secretariat_cannot_name_another_departement_s_agent(client, demande, departement):
    agent = _secretariat_agent(departement)
    elsewhere = _secretariat_agent(DepartementFactory())
    client.force_login(agent)

    response = _assign(client, demande, elsewhere)

    assert response.status_code == 200
    assert "Choisissez une personne de la liste." in response.content.decode()
    assert Demande.objects.get(pk=demande.pk).instructeur is None


# --- "mes dossiers" and "non attribués" -----------------------------------------------------------


def _listed(client, **params):
    page = client.get(reverse("parcours:dossiers"), params).content.decode()
    return page


def test_the_caseworker_s_list_filters_their_own_dossiers_and_the_unassigned_ones(
    client, departement, association, referent, colleague
):
    mine = _submitted(departement, association=association, referent=referent)
    theirs = _submitted(departement, association=association, referent=colleague)
    nobody = _submitted(departement, association=association, referent=colleague)
    Demande.objects.filter(pk=nobody.pk).update(referent=None)
    client.force_login(referent)

    own = _listed(client, attribution="miens")
    unassigned = _listed(client, attribution="non_attribues")
    everything = _listed(client)

    refs = {d: d.beneficiaire.reference for d in (mine, theirs, nobody)}
    assert refs[mine] in own and refs[theirs] not in own and refs[nobody] not in own
    assert refs[nobody] in unassigned and refs[mine] not in unassigned and refs[theirs] not in unassigned
    assert all(ref in everything for ref in refs.values())


def test_the_secretariat_s_list_filters_on_its_instructing_agent(client, departement):
    agent = _secretariat_agent(departement)
    other_agent = UserFactory(organisation=agent.organisation, roles=[Role.SECRETARIAT])
    mine = _submitted(departement)
    theirs = _submitted(departement)
    nobody = _submitted(departement)
    Demande.objects.filter(pk=mine.pk).update(instructeur=agent)
    Demande.objects.filter(pk=theirs.pk).update(instructeur=other_agent)
    client.force_login(agent)

    own = _listed(client, attribution="miens")
    unassigned = _listed(client, attribution="non_attribues")

    assert mine.beneficiaire.reference in own
    assert theirs.beneficiaire.reference not in own and nobody.beneficiaire.reference not in own
    assert nobody.beneficiaire.reference in unassigned
    assert mine.beneficiaire.reference not in unassigned and theirs.beneficiaire.reference not in unassigned


def test_an_unknown_assignment_filter_is_answered_in_french_and_the_others_apply(client, demande, referent):
    client.force_login(referent)

    page = _listed(client, attribution="tout", q=demande.beneficiaire.reference)

    assert "Choisissez une attribution de la liste." in page
    assert demande.beneficiaire.reference in page


def test_the_president_s_list_has_no_assignment_filter(client, demande, departement):
    president = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.PRESIDENT],
    )
    client.force_login(president)

    assert 'name="attribution"' not in _listed(client)


# --- the home page --------------------------------------------------------------------------------


def test_a_newcomer_to_the_secretariat_sees_the_unassigned_dossiers_on_the_home_page(client, departement):
    newcomer = _secretariat_agent(departement)
    unassigned = _submitted(departement)
    taken = _submitted(departement)
    Demande.objects.filter(pk=taken.pk).update(
        instructeur=UserFactory(organisation=newcomer.organisation, roles=[Role.SECRETARIAT])
    )
    client.force_login(newcomer)

    sections = {s.key: s for s in client.get(reverse("home")).context["sections"]}

    assert [d.pk for d in sections["non_attribues"].rows] == [unassigned.pk]
    assert sections["mes_dossiers"].rows == []


def test_the_home_page_lists_my_dossiers_and_links_them(client, departement):
    agent = _secretariat_agent(departement)
    mine = _submitted(departement)
    Demande.objects.filter(pk=mine.pk).update(instructeur=agent)
    client.force_login(agent)

    response = client.get(reverse("home"))

    sections = {s.key: s for s in response.context["sections"]}
    assert [d.pk for d in sections["mes_dossiers"].rows] == [mine.pk]
    assert reverse("parcours:instruction", args=[mine.pk]) in response.content.decode()


# --- the person's name ----------------------------------------------------------------------------


def test_the_caseworker_sees_the_person_s_name_on_their_dossier_page(client, demande, referent):
    client.force_login(referent)

    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()

    assert demande.beneficiaire.full_name in page
    assert reverse("beneficiaires:detail", args=[demande.beneficiaire_id]) in page
