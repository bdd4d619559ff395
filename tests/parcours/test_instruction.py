"""The completeness check of one submitted dossier: checklist, duplicate warning, admissible or complement."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import (
    Axe,
    DemandeKind,
    DemandeState,
    DocumentKind,
    MessageKind,
    MessageSide,
    SituationEmploi,
)
from parcours.instruction import checklist, is_checklist_complete
from parcours.models import DemandeEvenement, Message
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    DocumentFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def _submitted(departement=None, *, documents=True, **kwargs):
    """A complete submitted initial application; with its identity document and signed commitment."""
    demande = DemandeFactory(
        departement=departement or DepartementFactory(),
        complete=True,
        pieces=False,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        **kwargs,
    )
    if documents:
        for kind in (DocumentKind.IDENTITE, DocumentKind.ENGAGEMENT):
            DocumentFactory(demande=demande, kind=kind)
    return demande


def _url(demande):
    return reverse("parcours:instruction", args=[demande.pk])


def _items(demande):
    return {item.key: item.done for group in checklist(demande) for item in group.items}


# --- the page ------------------------------------------------------------------------------------


def test_secretariat_sees_the_checklist_the_summary_and_the_thread(client):
    demande = _submitted()
    Message.objects.create(
        demande=demande, author=demande.referent, side=MessageSide.ASSOCIATION, body="Voici le dossier."
    )
    client.force_login(_secretariat(demande.commission.departement))
    response = client.get(_url(demande))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Instruction du dossier {demande.beneficiaire.reference}" in html
    assert "Liste de contrôle" in html
    assert "Engagement signé de la personne" in html
    assert "Voici le dossier." in html
    assert 'id="fil-echanges"' in html
    assert "Déclarer le dossier recevable" in html
    assert "Demander un complément" in html


def test_a_complete_initial_application_has_every_item_ticked(client):
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    response = client.get(_url(demande))
    assert response.context["checklist_complete"] is True
    html = response.content.decode()
    assert "Manquant :" not in html
    assert f"{response.context['item_count']} éléments présents sur {response.context['item_count']}." in html


def test_a_missing_signed_commitment_is_shown_unticked(client):
    demande = _submitted(documents=False)
    DocumentFactory(demande=demande, kind=DocumentKind.IDENTITE)
    client.force_login(_secretariat(demande.commission.departement))
    response = client.get(_url(demande))
    assert _items(demande)["document_engagement"] is False
    assert _items(demande)["document_identite"] is True
    html = response.content.decode()
    assert re.search(r"Manquant :</span>\s*<strong>Engagement signé de la personne</strong>", html)
    assert "Aucune pièce de ce type n’a été jointe." in html


def test_initial_application_checklist_covers_commitment_situation_projet_and_documents():
    demande = _submitted(documents=False)
    items = _items(demande)
    assert {"engagement_signed_on", "evaluation_association", "situation_emploi", "logement"} <= set(items)
    assert {f"objectif_{axe.value}" for axe in Axe} <= set(items)
    assert not any(key.startswith("progres_") for key in items)
    assert items["document_identite"] is False
    assert items["document_engagement"] is False
    assert "type_contrat" not in items  # the person is in training, not employed


def test_an_employed_persons_contract_type_is_checked():
    demande = _submitted(situation_emploi=SituationEmploi.EN_EMPLOI, type_contrat="")
    assert _items(demande)["type_contrat"] is False


def test_renewal_checklist_asks_for_the_progress_of_each_axis():
    demande = DemandeFactory(complete=True, kind=DemandeKind.RENOUVELLEMENT, state=DemandeState.DEPOSEE)
    demande.objectifs.filter(axe=Axe.SANTE).update(progress="")
    items = _items(demande)
    assert items[f"progres_{Axe.SANTE.value}"] is False
    assert items[f"progres_{Axe.EMPLOI.value}"] is True
    assert not any(key.startswith("document_") for key in items)


def test_early_end_proposal_checklist_is_its_reasons():
    demande = DemandeFactory(complete=True, kind=DemandeKind.FIN_ANTICIPEE, state=DemandeState.DEPOSEE)
    groups = checklist(demande)
    assert [(item.key, item.done) for group in groups for item in group.items] == [
        ("evaluation_association", True)
    ]
    assert is_checklist_complete(groups)


def test_a_replaced_document_still_counts_through_its_new_version():
    demande = _submitted(documents=False)
    new = DocumentFactory(demande=demande, kind=DocumentKind.ENGAGEMENT)
    DocumentFactory(demande=demande, kind=DocumentKind.ENGAGEMENT, replaced_by=new)
    assert _items(demande)["document_engagement"] is True


# --- admissible ----------------------------------------------------------------------------------


def test_secretariat_marks_a_complete_dossier_admissible(client):
    demande = _submitted()
    secretariat = _secretariat(demande.commission.departement)
    client.force_login(secretariat)
    response = client.post(_url(demande), {"action": "recevable", "message": ""}, follow=True)
    demande.refresh_from_db()
    assert demande.state == DemandeState.RECEVABLE
    assert demande.admissible_at is not None
    event = DemandeEvenement.objects.get(demande=demande, transition="mark_admissible")
    assert event.user == secretariat
    assert response.redirect_chain == [(reverse("parcours:inbox"), 302)]
    assert f"Le dossier {demande.beneficiaire.reference} est déclaré recevable" in response.content.decode()
    assert not demande.messages.exists()


def test_an_incomplete_dossier_is_admissible_only_once_the_secretariat_confirms(client):
    demande = _submitted(documents=False)
    client.force_login(_secretariat(demande.commission.departement))
    response = client.post(_url(demande), {"action": "recevable", "message": "Pièce d’identité à venir."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Des éléments de la liste de contrôle manquent : demandez un complément, ou cochez" in html
    assert "Pièce d’identité à venir." in html  # what was typed is kept
    assert 'aria-describedby="id_confirm-erreurs"' in html
    assert re.search(r"<title>\s*Erreur", html)
    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE

    client.post(_url(demande), {"action": "recevable", "message": "", "confirm": "on"})
    demande.refresh_from_db()
    assert demande.state == DemandeState.RECEVABLE


def test_a_message_given_with_admissibility_goes_to_the_thread_and_notifies_the_association(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(demande), {"action": "recevable", "message": "Dossier inscrit à la séance de juin."})
    message = demande.messages.get()
    assert (message.side, message.kind, message.body) == (
        MessageSide.SECRETARIAT,
        MessageKind.MESSAGE,
        "Dossier inscrit à la séance de juin.",
    )
    assert [mail.to for mail in mailoutbox] == [[demande.referent.email]]


# --- complement ----------------------------------------------------------------------------------


def test_secretariat_asks_for_a_complement_with_a_message_the_association_is_told_by_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted(documents=False)
    secretariat = _secretariat(demande.commission.departement)
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(demande),
            {"action": "complement", "message": "Joignez l’engagement signé par la personne."},
            follow=True,
        )
    demande.refresh_from_db()
    assert demande.state == DemandeState.COMPLEMENT_DEMANDE
    message = demande.messages.get()
    assert (message.side, message.kind, message.author) == (
        MessageSide.SECRETARIAT,
        MessageKind.COMPLEMENT,
        secretariat,
    )
    assert message.body == "Joignez l’engagement signé par la personne."
    assert "La demande de complément du dossier" in response.content.decode()
    assert [mail.to for mail in mailoutbox] == [[demande.referent.email]]
    mail = mailoutbox[0]
    assert demande.beneficiaire.reference in mail.subject
    for private in (demande.beneficiaire.last_name, demande.beneficiaire.first_names, "engagement signé par"):
        assert private not in mail.subject
        assert private not in mail.body


def test_a_complement_without_a_message_is_refused_in_french(client):
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    response = client.post(_url(demande), {"action": "complement", "message": "   "})
    assert response.status_code == 200
    assert "Précisez dans le message ce qui manque au dossier" in response.content.decode()
    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE
    assert not demande.messages.exists()


def test_a_post_without_an_action_asks_to_choose_one(client):
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    response = client.post(_url(demande), {"message": "Bonjour"})
    html = response.content.decode()
    assert "Choisissez : déclarer le dossier recevable, ou demander un complément." in html
    assert "Bonjour" in html


def test_a_dossier_already_answered_is_refused_and_the_message_is_kept(client):
    """Two agents answering at once: the second sees why nothing happened, and keeps what they typed."""
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    client.post(_url(demande), {"action": "recevable"})
    response = client.post(_url(demande), {"action": "complement", "message": "Il manque le bilan."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Impossible depuis l’état « Recevable » de la demande." in html
    assert "Il manque le bilan." in html
    demande.refresh_from_db()
    assert demande.state == DemandeState.RECEVABLE
    assert not demande.messages.exists()


def test_a_dossier_no_longer_submitted_shows_its_state_instead_of_the_decision(client):
    demande = _submitted()
    demande.state = DemandeState.COMPLEMENT_DEMANDE
    demande.save(update_fields=["state"])
    client.force_login(_secretariat(demande.commission.departement))
    html = client.get(_url(demande)).content.decode()
    assert "Ce dossier est à l’état « Complément demandé »" in html
    assert 'value="recevable"' not in html


# --- who may -------------------------------------------------------------------------------------


def test_a_caseworker_gets_404_even_on_their_own_dossier(client):
    demande = _submitted()
    client.force_login(demande.referent)
    assert client.get(_url(demande)).status_code == 404
    assert client.post(_url(demande), {"action": "recevable"}).status_code == 404
    demande.refresh_from_db()
    assert demande.state == DemandeState.DEPOSEE


@pytest.mark.parametrize(
    ("organisation_kind", "roles"),
    [
        (OrganisationKind.SECRETARIAT, [Role.PRESIDENT]),
        (OrganisationKind.SERVICE_ETAT, [Role.MEMBRE]),
        (OrganisationKind.SERVICE_ETRANGERS, [Role.ETRANGERS]),
    ],
)
def test_other_roles_of_the_departement_get_404(client, organisation_kind, roles):
    demande = _submitted()
    organisation = OrganisationFactory(kind=organisation_kind, departement=demande.commission.departement)
    client.force_login(UserFactory(organisation=organisation, roles=roles))
    assert client.get(_url(demande)).status_code == 404


def test_the_secretariat_of_another_departement_gets_404(client):
    demande = _submitted()
    client.force_login(_secretariat(DepartementFactory()))
    assert client.get(_url(demande)).status_code == 404
    assert client.post(_url(demande), {"action": "recevable"}).status_code == 404


def test_a_draft_is_not_the_secretariats_to_see(client):
    demande = DemandeFactory(complete=True)
    client.force_login(_secretariat(demande.commission.departement))
    assert client.get(_url(demande)).status_code == 404


# --- probable duplicates -------------------------------------------------------------------------


def _same_person_elsewhere(demande, *, state=DemandeState.DEPOSEE, association_name=None, **identity):
    departement = demande.commission.departement
    person = demande.beneficiaire
    association = AssociationFactory(departement=departement)
    if association_name:
        association.name = association_name
        association.save(update_fields=["name"])
    other = DemandeFactory(
        departement=departement,
        association=association,
        beneficiaire=BeneficiaireFactory(
            departement=departement,
            last_name=identity.get("last_name", person.last_name.upper()),
            first_names=identity.get("first_names", person.first_names.lower()),
            birth_date=identity.get("birth_date", person.birth_date),
        ),
        complete=True,
        state=state,
        submitted_at=None
        if state == DemandeState.BROUILLON
        else timezone.now() - datetime.timedelta(days=90),
    )
    return other


def test_secretariat_is_warned_of_the_same_person_through_another_association(client):
    demande = _submitted(
        beneficiaire=BeneficiaireFactory(
            last_name="Édoh", first_names="Joy-Ann", birth_date=datetime.date(1998, 7, 2)
        )
    )
    other = _same_person_elsewhere(
        demande,
        state=DemandeState.RECEVABLE,
        association_name="Association du Bout du Monde",
        last_name="EDOH",
        first_names="joy ann",
    )
    client.force_login(_secretariat(demande.commission.departement))
    response = client.get(_url(demande))
    html = response.content.decode()
    assert response.context["duplicates"] == [other]
    assert "Doublon probable" in html
    assert other.beneficiaire.reference in html
    assert "Association du Bout du Monde" in html
    assert "Recevable" in html
    assert reverse("parcours:dossier", args=[other.pk]) in html


def test_no_warning_when_the_birth_date_differs(client):
    demande = _submitted()
    _same_person_elsewhere(demande, birth_date=demande.beneficiaire.birth_date - datetime.timedelta(days=1))
    client.force_login(_secretariat(demande.commission.departement))
    response = client.get(_url(demande))
    assert response.context["duplicates"] == []
    assert "Doublon probable" not in response.content.decode()


def test_another_associations_draft_is_not_revealed_to_the_secretariat(client):
    demande = _submitted()
    _same_person_elsewhere(demande, state=DemandeState.BROUILLON)
    client.force_login(_secretariat(demande.commission.departement))
    assert client.get(_url(demande)).context["duplicates"] == []


def test_the_associations_are_not_told_of_each_other(client):
    demande = _submitted()
    other = _same_person_elsewhere(demande)
    for caseworker, mine, theirs in ((demande.referent, demande, other), (other.referent, other, demande)):
        client.force_login(caseworker)
        html = client.get(reverse("parcours:dossier", args=[mine.pk])).content.decode()
        assert theirs.beneficiaire.reference not in html
        assert theirs.association.name not in html
        assert "Doublon" not in html
        assert client.get(_url(mine)).status_code == 404


@pytest.mark.parametrize(("messages", "duplicates"), [(2, 1), (20, 5)])
def test_instruction_page_query_count_does_not_grow_with_messages_or_duplicates(
    client, django_assert_max_num_queries, messages, duplicates
):
    demande = _submitted()
    for _ in range(duplicates):
        _same_person_elsewhere(demande)
    for number in range(messages):
        Message.objects.create(
            demande=demande, author=demande.referent, side=MessageSide.ASSOCIATION, body=f"Message {number}"
        )
    client.force_login(_secretariat(demande.commission.departement))
    # Session, user, savepoints, groups, organisation; the dossier, its objectives and documents (the
    # checklist), the duplicates, the messages: one query each, whatever their number; the access log's
    # chain head (its lock and last hash) and its INSERT.
    # + 1: the header's count of unread notifications; + 1 who handles the dossier (its instructing agent).
    with django_assert_max_num_queries(19):
        response = client.get(_url(demande))
    assert len(response.context["duplicates"]) == duplicates
