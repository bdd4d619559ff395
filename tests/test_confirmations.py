"""Issue 17, point 3: what cannot be undone is confirmed first (commission/confirm.py).

For each action, a POST without `confirmed` changes nothing, writes no event and answers with the
confirmation page saying what will happen and to whom; the same POST with `confirmed=1` acts. The pages
carry the DSFR modal, titled and opened by its button."""

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import Role
from commission.seances import workflow as seances
from commission.seances.enums import PresenceStatus, SeanceState
from commission.seances.models import Avis, Convocation, SeanceEvenement
from parcours.enums import DecisionKind, DemandeState
from parcours.models import Decision, DemandeEvenement, Message
from tests.factories import AssociationFactory, DemandeFactory, UserFactory
from tests.parcours.test_decision_views import _president, _waiting
from tests.seances.test_seance_views import World, url

pytestmark = pytest.mark.django_db

NOT_UNDONE = "Cette action ne peut pas être annulée."
CONFIRMED = {"confirmed": "1"}


def _text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def world():
    return World()


# --- the session's actions -------------------------------------------------------------------------


def test_convening_is_asked_first_with_the_members_and_items_counted(client, world):
    seance = world.seance(points=2, convene=False)
    client.force_login(world.secretariat)

    asked = client.post(url("seance_convene", seance.pk))
    assert asked.status_code == 200
    text = _text(asked)
    assert (
        "Les 4 membres convoqués recevront un courriel de convocation avec l’ordre du jour (2 dossiers)."
        in text
    )
    assert NOT_UNDONE in text
    assert 'name="confirmed" value="1"' in asked.content.decode()
    seance.refresh_from_db()
    assert seance.state == SeanceState.PREPAREE
    assert not Convocation.objects.exists()
    assert not SeanceEvenement.objects.filter(seance=seance, transition="convene").exists()

    client.post(url("seance_convene", seance.pk), CONFIRMED)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE
    assert Convocation.objects.filter(seance=seance).count() == 4


def test_the_session_page_carries_the_convening_modal_with_its_title(client, world):
    seance = world.seance(points=2, convene=False)
    client.force_login(world.secretariat)
    html = client.get(url("seance", seance.pk)).content.decode()
    assert 'aria-controls="confirmer-convocation"' in html
    assert 'data-fr-opened="false"' in html
    assert 'id="confirmer-convocation"' in html and 'aria-labelledby="confirmer-convocation-titre"' in html
    assert 'id="confirmer-convocation-titre"' in html
    assert "Les 4 membres convoqués recevront un courriel" in _text(client.get(url("seance", seance.pk)))
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script


def test_a_member_sees_no_modal_of_the_secretariat(client, world):
    seance = world.seance(points=1, convene=True)
    client.force_login(world.members[1].user)
    html = client.get(url("seance", seance.pk)).content.decode()
    assert "confirmer-" not in html


def test_opening_is_asked_first_then_opens(client, world):
    seance = world.seance(points=1, today=True)
    for mandat in world.members:
        seances.record_presence(seance, mandat=mandat, status=PresenceStatus.PRESENT)
    client.force_login(world.secretariat)

    asked = client.post(url("seance_open", seance.pk))
    assert asked.status_code == 200
    text = _text(asked)
    assert "Ouvrir la séance ?" in text
    assert "pourront voter sur les 1 dossier de l’ordre du jour" in text
    assert "ne pourra plus être reportée ni annulée" in text
    assert NOT_UNDONE in text
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE
    assert not SeanceEvenement.objects.filter(seance=seance, transition="open").exists()

    client.post(url("seance_open", seance.pk), CONFIRMED)
    seance.refresh_from_db()
    assert seance.state == SeanceState.OUVERTE


def test_closing_the_session_is_asked_first_then_closes(client, world):
    seance = world.opened()
    point = seance.points.get()
    seances.record_show_of_hands(point, user=world.secretariat, favorable=4, defavorable=0, abstentions=0)
    client.force_login(world.secretariat)

    asked = client.post(url("seance_close", seance.pk))
    assert asked.status_code == 200
    text = _text(asked)
    assert "Le procès-verbal sera produit ; les 4 membres convoqués pourront le télécharger." in text
    assert NOT_UNDONE in text
    seance.refresh_from_db()
    assert seance.state == SeanceState.OUVERTE
    assert not SeanceEvenement.objects.filter(seance=seance, transition="close").exists()

    client.post(url("seance_close", seance.pk), CONFIRMED)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CLOSE


def test_closing_a_vote_is_asked_first_then_gives_the_opinion(client, world):
    seance = world.opened()
    point = seance.points.get()
    client.force_login(world.secretariat)
    target = url("point_manage", seance.pk, point.pk)

    asked = client.post(target, {"action": "clore", "clore-hands_favorable": "4"})
    assert asked.status_code == 200
    assert "Confirmez-vous la clôture du vote ?" in _text(asked)
    assert not Avis.objects.exists()

    client.post(target, {"action": "clore", "clore-hands_favorable": "4", "clore-confirmed": "1"})
    assert Avis.objects.get(point=point).favorable


def test_an_impossible_action_is_refused_at_once_without_asking(client, world):
    seance = world.seance(points=1, days=12)  # convened, held in 12 days: not open-able today
    client.force_login(world.secretariat)
    response = client.post(url("seance_open", seance.pk), follow=True)
    assert "Ouvrir la séance ?" not in _text(response)
    assert "ne peut être ouverte que ce jour-là" in _text(response)
    seance.refresh_from_db()
    assert seance.state == SeanceState.CONVOQUEE


# --- the dossier's actions -------------------------------------------------------------------------


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    return client


def _draft(association, **kwargs):
    return DemandeFactory(association=association, departement=association.departement, **kwargs)


def test_filing_is_asked_first_with_the_commission_named(caseworker, association):
    demande = _draft(association, complete=True)
    submit = reverse("parcours:dossier_submit", args=[demande.pk])

    asked = caseworker.post(submit)
    assert asked.status_code == 200
    text = _text(asked)
    assert (
        f"Le dossier {demande.beneficiaire.reference} ({demande.get_kind_display()}) sera déposé auprès du "
        f"secrétariat de la commission ({demande.commission.name})" in text
    )
    assert NOT_UNDONE in text
    assert demande.beneficiaire.last_name not in text
    demande.refresh_from_db()
    assert demande.state == DemandeState.BROUILLON
    assert not DemandeEvenement.objects.filter(demande=demande, transition="submit").exists()

    caseworker.post(submit, CONFIRMED)
    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE


def test_filing_again_carries_the_typed_message_to_the_confirmation(caseworker, association):
    demande = _draft(
        association, complete=True, state=DemandeState.COMPLEMENT_DEMANDE, submitted_at=timezone.now()
    )
    submit = reverse("parcours:dossier_submit", args=[demande.pk])

    asked = caseworker.post(submit, {"message": "Pièce ajoutée."})
    assert asked.status_code == 200
    assert 'value="Pièce ajoutée."' in asked.content.decode()
    assert "sera de nouveau déposé" in _text(asked)
    demande.refresh_from_db()
    assert demande.state == DemandeState.COMPLEMENT_DEMANDE
    assert not Message.objects.exists()

    caseworker.post(submit, {"message": "Pièce ajoutée.", **CONFIRMED})
    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE
    assert Message.objects.get(demande=demande).body == "Pièce ajoutée."


def test_the_dossier_page_carries_the_filing_modal(caseworker, association):
    demande = _draft(association, complete=True)
    html = caseworker.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert 'aria-controls="confirmer-depot"' in html
    assert 'form="form-depot"' in html and 'name="confirmed"' in html


def test_withdrawal_is_asked_first_with_its_date_then_recorded(caseworker, association):
    demande = _draft(association, complete=True, state=DemandeState.INSCRITE, submitted_at=timezone.now())
    withdraw = reverse("parcours:dossier_withdraw", args=[demande.pk])
    day = timezone.localdate()
    data = {"withdrawn_on": day.isoformat(), "reason": "La personne déménage."}

    asked = caseworker.post(withdraw, data)
    assert asked.status_code == 200
    text = _text(asked)
    assert f"sera close au {day.strftime('%d/%m/%Y')}" in text
    assert NOT_UNDONE in text
    assert 'value="La personne déménage."' in asked.content.decode()
    demande.refresh_from_db()
    assert demande.state == DemandeState.INSCRITE
    assert not DemandeEvenement.objects.filter(demande=demande, transition="withdraw").exists()

    caseworker.post(withdraw, {**data, **CONFIRMED})
    demande.refresh_from_db()
    assert demande.state == DemandeState.RETIREE
    assert demande.withdrawn_on == day


def test_the_decision_is_asked_first_naming_the_decision_and_the_association(client):
    demande = _waiting()
    client.force_login(_president(demande.commission.departement))
    decide = reverse("decisions:decider", args=[demande.pk])
    data = {
        "kind": DecisionKind.AUTORISATION,
        "decided_on": timezone.localdate().isoformat(),
        "start": timezone.localdate().isoformat(),
        "motifs": "",
        "signataire_title": "Préfète",
    }

    asked = client.post(decide, data)
    assert asked.status_code == 200
    text = _text(asked)
    assert f"La décision « {DecisionKind.AUTORISATION.label} » sur le dossier" in text
    assert f"l’association {demande.association.name} en sera avertie par courriel" in text
    assert NOT_UNDONE in text
    assert not Decision.objects.exists()
    demande.refresh_from_db()
    assert demande.state != DemandeState.ACCEPTEE

    client.post(decide, {**data, **CONFIRMED})
    assert Decision.objects.filter(demande=demande).exists()
    demande.refresh_from_db()
    assert demande.state == DemandeState.ACCEPTEE
