"""The session's and the agenda item's tables, as the domain lists them (shared/domain.md, "How the
commission works"), walked through the one transition engine (commission.transitions).

The tables are written out here, allowed and refused pairs alike, not read from the workflow module:
a change to the module's table that the domain does not make fails here."""

import pytest

from commission.seances import workflow
from commission.seances.enums import PointState, SeanceState
from commission.seances.models import PointEvenement, SeanceEvenement
from commission.transitions import WorkflowError
from tests.factories import PointOrdreDuJourFactory, SeanceFactory, UserFactory
from tests.seances.test_seance_views import World

pytestmark = pytest.mark.django_db

S = SeanceState
P = PointState

# A session: prepared → convened (again, when the agenda changed) → opened on its day → closed;
# rescheduled (and convened again if it was) or cancelled before it is held; ended without quorum by a new convocation (cancelled if it was not
# opened, closed with its minutes if it was). The agenda changes until it is opened; attendance is
# taken once convened, until it is closed.
SEANCE_TABLE = {
    "add_point": {S.PREPAREE: S.PREPAREE, S.CONVOQUEE: S.CONVOQUEE},
    "remove_point": {S.PREPAREE: S.PREPAREE, S.CONVOQUEE: S.CONVOQUEE},
    "convene": {S.PREPAREE: S.CONVOQUEE, S.CONVOQUEE: S.CONVOQUEE},
    "reschedule": {S.PREPAREE: S.PREPAREE, S.CONVOQUEE: S.CONVOQUEE},
    "record_presence": {S.CONVOQUEE: S.CONVOQUEE, S.OUVERTE: S.OUVERTE},
    "open": {S.CONVOQUEE: S.OUVERTE},
    "close": {S.OUVERTE: S.CLOSE},
    "cancel": {S.PREPAREE: S.ANNULEE, S.CONVOQUEE: S.ANNULEE},
    "reconvene": {S.CONVOQUEE: S.ANNULEE, S.OUVERTE: S.CLOSE},
}
SEANCE_REFUSED = {
    "add_point": [S.OUVERTE, S.CLOSE, S.ANNULEE],
    "remove_point": [S.OUVERTE, S.CLOSE, S.ANNULEE],
    "convene": [S.OUVERTE, S.CLOSE, S.ANNULEE],
    "reschedule": [S.OUVERTE, S.CLOSE, S.ANNULEE],
    "record_presence": [S.PREPAREE, S.CLOSE, S.ANNULEE],
    "open": [S.PREPAREE, S.OUVERTE, S.CLOSE, S.ANNULEE],
    "close": [S.PREPAREE, S.CONVOQUEE, S.CLOSE, S.ANNULEE],
    "cancel": [S.OUVERTE, S.CLOSE, S.ANNULEE],
    "reconvene": [S.PREPAREE, S.CLOSE, S.ANNULEE],
}

# An agenda item: to examine → the commission's opinion, or postponed; a vote changes, and a member's
# personal interest is recorded, while it is open.
POINT_TABLE = {
    "change_vote": {P.A_EXAMINER: P.A_EXAMINER},
    "record_interest": {P.A_EXAMINER: P.A_EXAMINER},
    "give_opinion": {P.A_EXAMINER: P.CLOS},
    "postpone": {P.A_EXAMINER: P.AJOURNE},
}
POINT_REFUSED = {
    "change_vote": [P.CLOS, P.AJOURNE],
    "record_interest": [P.CLOS, P.AJOURNE],
    "give_opinion": [P.CLOS, P.AJOURNE],
    "postpone": [P.CLOS, P.AJOURNE],
}


def test_the_session_table_names_every_transition_and_every_state_once():
    assert set(SEANCE_TABLE) == set(SEANCE_REFUSED) == set(workflow.SEANCE.names) - {"create"}
    for name in SEANCE_TABLE:
        assert sorted([*SEANCE_TABLE[name], *SEANCE_REFUSED[name]]) == sorted(S.values), name


def test_the_item_table_names_every_transition_and_every_state_once():
    assert set(POINT_TABLE) == set(POINT_REFUSED) == set(workflow.POINT.names) - {"add"}
    for name in POINT_TABLE:
        assert sorted([*POINT_TABLE[name], *POINT_REFUSED[name]]) == sorted(P.values), name


@pytest.mark.parametrize("name", SEANCE_TABLE)
def test_the_engine_applies_each_allowed_session_pair_and_logs_it(name):
    user = UserFactory()
    for state, target in SEANCE_TABLE[name].items():
        seance = SeanceFactory(state=state)
        choice = target if isinstance(workflow.SEANCE[name].target, tuple) else None

        workflow.SEANCE.apply(seance, name, user=user, target=choice, reason="motif")

        seance.refresh_from_db()
        assert seance.state == target
        event = SeanceEvenement.objects.filter(seance=seance).latest("pk")
        assert (event.transition, event.from_state, event.to_state, event.user, event.reason) == (
            name,
            state,
            target,
            user,
            "motif",
        )


@pytest.mark.parametrize("name", SEANCE_REFUSED)
def test_the_engine_refuses_each_session_pair_the_domain_does_not_allow(name):
    for state in SEANCE_REFUSED[name]:
        seance = SeanceFactory(state=state)
        assert not workflow.SEANCE.can(seance, name)
        with pytest.raises(WorkflowError) as refused:
            workflow.SEANCE.apply(seance, name, user=None)
        assert str(S(state).label) in refused.value.message
        seance.refresh_from_db()
        assert seance.state == state
        assert not SeanceEvenement.objects.filter(seance=seance).exists()


@pytest.mark.parametrize("name", POINT_TABLE)
def test_the_engine_applies_each_allowed_item_pair_and_logs_it(name):
    user = UserFactory()
    for state, target in POINT_TABLE[name].items():
        point = PointOrdreDuJourFactory(state=state)
        extra = []
        if target == P.AJOURNE:
            point.postponement_reason = "motif"
            extra = ["postponement_reason"]

        workflow.POINT.apply(point, name, user=user, reason="motif", extra_fields=extra)

        point.refresh_from_db()
        assert point.state == target
        event = PointEvenement.objects.filter(point=point).latest("pk")
        assert (event.transition, event.from_state, event.to_state, event.user) == (name, state, target, user)


@pytest.mark.parametrize("name", POINT_REFUSED)
def test_the_engine_refuses_each_item_pair_the_domain_does_not_allow(name):
    for state in POINT_REFUSED[name]:
        point = PointOrdreDuJourFactory(state=state, postponement_reason="motif")
        assert not workflow.POINT.can(point, name)
        with pytest.raises(WorkflowError):
            workflow.POINT.apply(point, name, user=None)
        point.refresh_from_db()
        assert point.state == state
        assert not PointEvenement.objects.filter(point=point).exists()


@pytest.fixture
def world():
    return World()


def test_a_session_held_end_to_end_leaves_its_history_and_each_items(world):
    """Created, item added, convened, attendance, opened, a vote changed, opinion, closed: one row each."""
    seance = world.opened(points=1)
    point = seance.points.get()
    chair = world.members[0]
    workflow.cast_vote(point, caster=chair, seat=chair, choice="favorable")
    workflow.cast_vote(point, caster=chair, seat=chair, choice="defavorable")
    for mandat in world.members[1:]:
        workflow.cast_vote(point, caster=mandat, seat=mandat, choice="favorable")
    workflow.close_point(point, user=world.secretariat)
    workflow.close_seance(seance, user=world.secretariat)

    session_history = list(
        SeanceEvenement.objects.filter(seance=seance).values_list("transition", "to_state")
    )
    assert session_history == [
        ("create", S.PREPAREE),
        ("add_point", S.PREPAREE),
        ("convene", S.CONVOQUEE),
        *[("record_presence", S.CONVOQUEE)] * len(world.members),
        ("open", S.OUVERTE),
        ("close", S.CLOSE),
    ]
    item_history = list(
        PointEvenement.objects.filter(point=point).values_list("transition", "to_state", "reason")
    )
    assert item_history == [
        ("add", P.A_EXAMINER, ""),
        ("change_vote", P.A_EXAMINER, f"siège {chair.pk} : favorable → defavorable"),
        ("give_opinion", P.CLOS, "favorable"),
    ]


def test_removing_an_item_is_kept_in_the_sessions_history_without_the_persons_name(world):
    seance = world.seance(points=1, convene=False)
    point = seance.points.select_related("demande__beneficiaire").get()
    workflow.remove_point(point, user=world.secretariat, reason="Dossier incomplet")

    removal = SeanceEvenement.objects.get(seance=seance, transition="remove_point")
    assert removal.user == world.secretariat
    assert f"demande {point.demande_id}" in removal.reason and "Dossier incomplet" in removal.reason
    assert point.demande.beneficiaire.last_name not in removal.reason
