"""The association's dossier in the browser: the page, the guided application, filing, withdrawal,
renewal, the association's opinion — and that nobody reaches another association's dossier."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import (
    AvisChoice,
    Axe,
    DemandeKind,
    DemandeState,
    MessageKind,
    SituationEmploi,
    TypeContrat,
)
from parcours.models import Demande, DemandeEvenement, Message
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DocumentFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

S = DemandeState


def _today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def referent(association):
    return UserFactory(organisation=association, roles=[Role.REFERENT])


@pytest.fixture
def caseworker(client, referent):
    client.force_login(referent)
    return client


def _draft(association, **kwargs):
    return DemandeFactory(association=association, departement=association.departement, **kwargs)


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def _html(response):
    return response.content.decode()


def _edit(demande, etape):
    return reverse("parcours:dossier_edit", args=[demande.pk, etape])


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


SITUATION_OK = {
    "situation_emploi": SituationEmploi.EN_EMPLOI,
    "type_contrat": TypeContrat.CDD,
    "logement": "associatif",
    "formation": "Cours de français, 12 heures par semaine.",
    "ressources_foyer": "350,50",
    "droit_rsa_ou_ada": "False",
}


# --- the dossier page ----------------------------------------------------------------------------


def test_dossier_page_shows_the_summary_the_documents_and_the_thread(caseworker, association):
    demande = _draft(association, complete=True)
    DocumentFactory(demande=demande, original_name="engagement-signe.pdf")
    html = _html(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))
    assert demande.beneficiaire.reference in html
    assert "Cours de français langue étrangère" in html
    assert "Mise en sécurité et logement" in html
    assert "engagement-signe.pdf" in html
    assert 'id="fil-echanges"' in html
    assert "Le dossier est complet" in html
    assert "Déposer le dossier" in html


def test_dossier_page_lists_missing_parts_with_links_to_their_step(caseworker, association):
    demande = _draft(association)
    html = _html(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))
    assert "Éléments à compléter avant le dépôt" in html
    assert f'href="{_edit(demande, "situation")}#id_situation_emploi"' in html
    assert f'href="{_edit(demande, "projet")}#id_sante-objectives"' in html
    assert f'href="{_edit(demande, "engagement")}#id_engagement_signed_on"' in html


@pytest.mark.parametrize("documents", [1, 8])
def test_dossier_page_reads_in_as_many_queries_whatever_its_documents(
    caseworker, association, django_assert_max_num_queries, documents
):
    demande = _draft(association, complete=True)
    for _i in range(documents):
        DocumentFactory(demande=demande)
    # 2 of them log the read: the access log's chain head (its lock and last hash) and the INSERT.
    # One more reads the association's approvals, for the notice every page gives when one lapsed.
    # + 1: the header's count of unread notifications; 2 for who handles the dossier: the caseworkers
    # offered and the history of the changes.
    with django_assert_max_num_queries(20):
        response = caseworker.get(reverse("parcours:dossier", args=[demande.pk]))
    assert response.status_code == 200


def test_secretariat_reads_a_submitted_dossier_without_any_editing_control(client, association):
    demande = _draft(association, complete=True, state=S.DEPOSEE, submitted_at=timezone.now())
    client.force_login(_secretariat(association.departement))
    html = _html(client.get(reverse("parcours:dossier", args=[demande.pk])))
    assert demande.beneficiaire.reference in html
    assert "Déposer le dossier" not in html
    assert "Ajouter une pièce" not in html
    assert "Donner l’avis de l’association" not in html
    assert "Enregistrer le retrait" not in html


def test_secretariat_does_not_see_drafts(client, association):
    demande = _draft(association)
    client.force_login(_secretariat(association.departement))
    assert client.get(reverse("parcours:dossier", args=[demande.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, association):
    demande = _draft(association)
    response = client.get(reverse("parcours:dossier", args=[demande.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- creating an application ---------------------------------------------------------------------


def test_caseworker_opens_a_draft_for_a_person_of_their_association(caseworker, association, referent):
    commission_for(association.departement)
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    response = caseworker.post(reverse("parcours:demande_create", args=[person.pk]))
    demande = Demande.objects.get(beneficiaire=person)
    assert response.status_code == 302
    assert response["Location"] == _edit(demande, "situation")
    assert demande.state == S.BROUILLON
    assert demande.association == association
    assert demande.referent == referent
    assert demande.objectifs.count() == len(Axe)


def test_second_open_application_for_a_person_is_refused_in_french(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(reverse("parcours:demande_create", args=[demande.beneficiaire.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiaires:detail", args=[demande.beneficiaire.pk])
    assert "Cette personne a déjà une demande en cours." in _messages(response)
    assert Demande.objects.filter(beneficiaire=demande.beneficiaire).count() == 1


def test_without_a_commission_in_the_departement_no_application_is_opened(caseworker, association):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    response = caseworker.post(reverse("parcours:demande_create", args=[person.pk]))
    assert any("Aucune commission n’est enregistrée" in m for m in _messages(response))
    assert not Demande.objects.exists()


def test_opening_an_application_is_a_post(caseworker, association):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    assert caseworker.get(reverse("parcours:demande_create", args=[person.pk])).status_code == 405
    assert not Demande.objects.exists()


def test_person_of_another_association_cannot_get_an_application(caseworker, association):
    other = AssociationFactory(departement=association.departement)
    person = BeneficiaireFactory(departement=association.departement, accompagnement=other)
    assert caseworker.post(reverse("parcours:demande_create", args=[person.pk])).status_code == 404
    assert not Demande.objects.exists()


def test_secretariat_cannot_open_an_application(client, association):
    person = BeneficiaireFactory(departement=association.departement, accompagnement=association)
    client.force_login(_secretariat(association.departement))
    assert client.post(reverse("parcours:demande_create", args=[person.pk])).status_code == 404


# --- the guided steps ----------------------------------------------------------------------------


def test_step_page_shows_the_stepper_and_what_is_still_missing(caseworker, association):
    demande = _draft(association)
    html = _html(caseworker.get(_edit(demande, "situation")))
    assert 'class="fr-stepper"' in html
    assert "Étape 1 sur 4" in html
    assert "Étape suivante :" in html
    assert "À compléter avant le dépôt : Précisez la situation professionnelle." in html
    assert "Enregistrer le brouillon" in html
    assert "Enregistrer et continuer" in html


def test_saving_a_draft_keeps_every_field_and_stays_on_the_step(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(_edit(demande, "situation"), {**SITUATION_OK, "action": "brouillon"})
    assert response.status_code == 302
    assert response["Location"] == _edit(demande, "situation")
    demande.refresh_from_db()
    assert demande.situation_emploi == SituationEmploi.EN_EMPLOI
    assert demande.type_contrat == TypeContrat.CDD
    assert demande.formation == "Cours de français, 12 heures par semaine."
    assert str(demande.ressources_foyer) == "350.50"
    assert demande.droit_rsa_ou_ada is False
    assert demande.state == S.BROUILLON


def test_saving_a_partial_step_is_allowed_in_a_draft(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(_edit(demande, "situation"), {"logement": "urgence", "action": "brouillon"})
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.logement == "urgence"
    assert demande.situation_emploi == ""
    assert demande.droit_rsa_ou_ada is None


def test_continue_saves_and_goes_to_the_next_step_then_back_to_the_dossier(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(_edit(demande, "situation"), {**SITUATION_OK, "action": "continuer"})
    assert response["Location"] == _edit(demande, "projet")
    response = caseworker.post(
        _edit(demande, "avis"),
        {
            "avis_association": AvisChoice.FAVORABLE,
            "avis_association_motifs": "Engagée.",
            "action": "continuer",
        },
    )
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ressources_foyer": "-12"}, "ressources_foyer", "Indiquez un nombre positif ou nul."),
        ({"ressources_foyer": "beaucoup"}, "ressources_foyer", "Saisissez un nombre."),
        ({"situation_emploi": "rentier"}, "situation_emploi", "Sélectionnez un choix valide."),
        (
            {"situation_emploi": SituationEmploi.SANS_EMPLOI},
            "type_contrat",
            "Le type de contrat ne s’indique que pour une personne en emploi",
        ),
    ],
)
def test_invalid_situation_is_refused_in_french_and_nothing_typed_is_lost(
    caseworker, association, changes, field, message
):
    demande = _draft(association)
    data = {**SITUATION_OK, **changes, "action": "brouillon"}
    response = caseworker.post(_edit(demande, "situation"), data)
    html = _html(response)
    assert response.status_code == 200
    assert message in html
    assert response.context["form"].errors[field]
    assert "Cours de français, 12 heures par semaine." in html
    assert 'value="350,50"' in html or changes.get("ressources_foyer", "") in html
    demande.refresh_from_db()
    assert demande.situation_emploi == "" and demande.formation == ""


def test_projet_step_saves_objectives_and_actions_per_axis(caseworker, association):
    demande = _draft(association)
    data = {"action": "brouillon"}
    for axe in Axe:
        data[f"{axe.value}-objectives"] = f"Objectif {axe.label}"
        data[f"{axe.value}-actions"] = f"Actions {axe.label}"
    response = caseworker.post(_edit(demande, "projet"), data)
    assert response.status_code == 302
    saved = {o.axe: o for o in demande.objectifs.all()}
    assert saved[Axe.SANTE].objectives == "Objectif Santé"
    assert saved[Axe.EMPLOI].actions == "Actions Insertion professionnelle"


def test_projet_step_of_an_initial_application_asks_no_progress_report(caseworker, association):
    demande = _draft(association)
    html = _html(caseworker.get(_edit(demande, "projet")))
    assert 'name="sante-objectives"' in html
    assert 'name="sante-progress"' not in html
    assert "À compléter avant le dépôt : Décrivez les objectifs de l’axe « Santé »." in html


def test_engagement_in_the_future_is_refused_and_the_assessment_kept(caseworker, association):
    demande = _draft(association)
    tomorrow = _today() + datetime.timedelta(days=1)
    response = caseworker.post(
        _edit(demande, "engagement"),
        {
            "engagement_signed_on": tomorrow.isoformat(),
            "evaluation_association": "Une évaluation longue et précieuse.",
            "action": "brouillon",
        },
    )
    html = _html(response)
    assert response.status_code == 200
    assert "La date de signature de l’engagement ne peut pas être dans le futur" in html
    assert "Une évaluation longue et précieuse." in html
    assert f'value="{tomorrow.isoformat()}"' in html
    demande.refresh_from_db()
    assert demande.engagement_signed_on is None and demande.evaluation_association == ""


@pytest.mark.parametrize("typed", ["2025-02-30", "31/02/2025", "hier", "20250-01-01"])
def test_a_date_that_is_not_one_is_refused_in_french(caseworker, association, typed):
    demande = _draft(association)
    response = caseworker.post(
        _edit(demande, "engagement"),
        {"engagement_signed_on": typed, "evaluation_association": "Texte", "action": "brouillon"},
    )
    assert response.status_code == 200
    assert "Saisissez une date valide." in _html(response)
    assert f'value="{typed}"' in _html(response)


def test_a_french_date_is_accepted(caseworker, association):
    demande = _draft(association)
    caseworker.post(
        _edit(demande, "engagement"),
        {"engagement_signed_on": "03/02/2025", "evaluation_association": "", "action": "brouillon"},
    )
    demande.refresh_from_db()
    assert demande.engagement_signed_on == datetime.date(2025, 2, 3)


def test_unknown_step_is_a_404(caseworker, association):
    demande = _draft(association)
    assert caseworker.get(_edit(demande, "identite")).status_code == 404


@pytest.mark.parametrize("state", [S.DEPOSEE, S.RECEVABLE, S.INSCRITE, S.ACCEPTEE, S.RETIREE])
def test_a_filed_dossier_cannot_be_edited_and_nothing_changes(caseworker, association, state):
    demande = _draft(association, complete=True, state=state, submitted_at=timezone.now())
    before = demande.formation
    response = caseworker.post(
        _edit(demande, "situation"), {**SITUATION_OK, "formation": "Autre chose", "action": "brouillon"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk])
    assert any("il ne peut plus être modifié" in m for m in _messages(response))
    demande.refresh_from_db()
    assert demande.formation == before
    response = caseworker.get(_edit(demande, "situation"), follow=True)
    assert "il ne peut plus être modifié" in _html(response)


def test_dossier_with_complement_requested_can_be_edited_again(caseworker, association):
    demande = _draft(association, complete=True, state=S.COMPLEMENT_DEMANDE, submitted_at=timezone.now())
    response = caseworker.post(_edit(demande, "situation"), {**SITUATION_OK, "action": "brouillon"})
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.type_contrat == TypeContrat.CDD


# --- the association's opinion -------------------------------------------------------------------


def test_association_gives_its_opinion_after_filing_until_the_decision(caseworker, association):
    demande = _draft(association, complete=True, state=S.RECEVABLE, submitted_at=timezone.now())
    html = _html(caseworker.get(reverse("parcours:dossier", args=[demande.pk])))
    assert "Donner l’avis de l’association" in html
    response = caseworker.post(
        _edit(demande, "avis"),
        {
            "avis_association": AvisChoice.DEFAVORABLE,
            "avis_association_motifs": "Les engagements n’ont pas été tenus.",
            "action": "continuer",
        },
    )
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk])
    demande.refresh_from_db()
    assert demande.avis_association == AvisChoice.DEFAVORABLE
    assert demande.state == S.RECEVABLE


def test_association_opinion_given_on_the_page_is_recorded_with_who_gave_it(
    caseworker, association, referent
):
    demande = _draft(association, complete=True, state=S.RECEVABLE, submitted_at=timezone.now())

    caseworker.post(
        _edit(demande, "avis"),
        {
            "avis_association": AvisChoice.FAVORABLE,
            "avis_association_motifs": "Engagée.",
            "action": "continuer",
        },
    )

    event = demande.evenements.get()
    assert (event.transition, event.from_state, event.to_state) == (
        "record_association_avis",
        S.RECEVABLE,
        S.RECEVABLE,
    )
    assert event.user == referent
    assert event.reason == "Favorable : Engagée."


def test_opinion_without_reasons_is_refused(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(
        _edit(demande, "avis"), {"avis_association": AvisChoice.FAVORABLE, "avis_association_motifs": ""}
    )
    assert response.status_code == 200
    assert "Motivez l’avis de l’association." in _html(response)
    demande.refresh_from_db()
    assert demande.avis_association == ""


def test_reasons_without_an_opinion_are_refused_and_kept(caseworker, association):
    demande = _draft(association)
    response = caseworker.post(
        _edit(demande, "avis"), {"avis_association": "", "avis_association_motifs": "Très impliquée."}
    )
    assert "Choisissez l’avis de l’association" in _html(response)
    assert "Très impliquée." in _html(response)


@pytest.mark.parametrize("state", [S.ACCEPTEE, S.REFUSEE, S.RETIREE])
def test_opinion_cannot_change_once_decided_or_withdrawn(caseworker, association, state):
    demande = _draft(association, complete=True, state=state, avis_association=AvisChoice.FAVORABLE)
    response = caseworker.post(
        _edit(demande, "avis"),
        {"avis_association": AvisChoice.DEFAVORABLE, "avis_association_motifs": "Changement d’avis."},
    )
    assert response.status_code == 302
    assert any("L’avis de l’association ne peut plus être modifié" in m for m in _messages(response))
    demande.refresh_from_db()
    assert demande.avis_association == AvisChoice.FAVORABLE


# --- filing --------------------------------------------------------------------------------------


def test_complete_draft_is_filed(caseworker, association, referent):
    demande = _draft(association, complete=True)
    response = caseworker.post(reverse("parcours:dossier_submit", args=[demande.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.state == S.DEPOSEE
    assert demande.submitted_at is not None
    assert DemandeEvenement.objects.get(demande=demande, transition="submit").user == referent


def test_incomplete_draft_is_not_filed_and_the_missing_parts_are_named(caseworker, association):
    demande = _draft(association, complete=True, evaluation_association="")
    response = caseworker.post(reverse("parcours:dossier_submit", args=[demande.pk]))
    html = _html(response)
    assert response.status_code == 200
    assert "Le dossier est incomplet" in html
    assert "Rédigez l’évaluation de l’association." in html
    assert f"{_edit(demande, 'engagement')}#id_evaluation_association" in html
    demande.refresh_from_db()
    assert demande.state == S.BROUILLON


def test_dossier_with_complement_requested_is_filed_again_with_a_message(caseworker, association):
    demande = _draft(association, complete=True, state=S.COMPLEMENT_DEMANDE, submitted_at=timezone.now())
    response = caseworker.post(
        reverse("parcours:dossier_submit", args=[demande.pk]),
        {"message": "Engagement signé joint.", "confirmed": "1"},
    )
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.state == S.DEPOSEE
    message = Message.objects.get(demande=demande)
    assert message.kind == MessageKind.RESUBMISSION
    assert message.body == "Engagement signé joint."


def test_failed_refiling_keeps_the_typed_message(caseworker, association):
    demande = _draft(association, complete=True, state=S.COMPLEMENT_DEMANDE, logement="")
    response = caseworker.post(
        reverse("parcours:dossier_submit", args=[demande.pk]), {"message": "Voici les pièces demandées."}
    )
    html = _html(response)
    assert "Précisez la situation de logement." in html
    assert "Voici les pièces demandées." in html
    assert not Message.objects.exists()


def test_a_filed_dossier_cannot_be_filed_twice(caseworker, association):
    demande = _draft(association, complete=True, state=S.DEPOSEE, submitted_at=timezone.now())
    response = caseworker.post(reverse("parcours:dossier_submit", args=[demande.pk]))
    assert "Impossible depuis l’état « Déposée » de la demande." in _html(response)


def test_filing_is_a_post(caseworker, association):
    demande = _draft(association, complete=True)
    assert caseworker.get(reverse("parcours:dossier_submit", args=[demande.pk])).status_code == 405
    demande.refresh_from_db()
    assert demande.state == S.BROUILLON


# --- withdrawal ----------------------------------------------------------------------------------


def test_withdrawal_is_recorded_with_its_date_and_reason(caseworker, association):
    demande = _draft(association, complete=True, state=S.INSCRITE, submitted_at=timezone.now())
    page = caseworker.get(reverse("parcours:dossier_withdraw", args=[demande.pk]))
    assert "Le retrait est définitif" in _html(page)
    response = caseworker.post(
        reverse("parcours:dossier_withdraw", args=[demande.pk]),
        {
            "withdrawn_on": _today().isoformat(),
            "reason": "La personne quitte le département.",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.state == S.RETIREE
    assert demande.withdrawn_on == _today()
    assert demande.withdrawal_reason == "La personne quitte le département."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"withdrawn_on": "", "reason": "Départ."}, "Ce champ est obligatoire."),
        ({"reason": ""}, "Ce champ est obligatoire."),
        (
            {"withdrawn_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "La date du retrait ne peut pas être dans le futur.",
        ),
        ({"withdrawn_on": "2999-01-01"}, "La date doit être comprise entre le 01/01/2016"),
        (
            {"withdrawn_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()},
            "La date du retrait ne peut pas précéder la création du dossier",
        ),
        ({"withdrawn_on": "32/13/2025"}, "Saisissez une date valide."),
    ],
)
def test_invalid_withdrawal_is_refused_in_french_and_kept(caseworker, association, data, message):
    demande = _draft(association)
    data = {
        "withdrawn_on": _today().isoformat(),
        "reason": "La personne a trouvé un emploi ailleurs.",
        **data,
    }
    response = caseworker.post(reverse("parcours:dossier_withdraw", args=[demande.pk]), data)
    html = _html(response)
    assert response.status_code == 200
    assert message in html
    if data["reason"]:
        assert data["reason"] in html
    demande.refresh_from_db()
    assert demande.state == S.BROUILLON


@pytest.mark.parametrize("state", [S.ACCEPTEE, S.REFUSEE, S.RETIREE])
def test_withdrawal_is_impossible_after_the_decision(caseworker, association, state):
    demande = _draft(association, complete=True, state=state)
    response = caseworker.post(
        reverse("parcours:dossier_withdraw", args=[demande.pk]),
        {"withdrawn_on": _today().isoformat(), "reason": "Trop tard."},
    )
    assert response.status_code == 302
    assert any("son retrait ne peut plus être enregistré" in m for m in _messages(response))
    demande.refresh_from_db()
    assert demande.state == state


# --- renewal -------------------------------------------------------------------------------------


def _granted_pathway(association):
    parcours = ParcoursFactory(departement=association.departement)
    initial = DemandeFactory(
        parcours=parcours,
        association=association,
        complete=True,
        state=S.ACCEPTEE,
        situation_emploi=SituationEmploi.EN_EMPLOI,
        type_contrat=TypeContrat.INSERTION,
        ressources_foyer=120,
        droit_rsa_ou_ada=False,
        avis_association=AvisChoice.FAVORABLE,
    )
    return parcours, initial


def test_renewal_is_prefilled_from_the_last_granted_application(caseworker, association):
    parcours, initial = _granted_pathway(association)
    response = caseworker.post(reverse("parcours:renouvellement_create", args=[parcours.pk]))
    renewal = Demande.objects.get(kind=DemandeKind.RENOUVELLEMENT)
    assert response["Location"] == _edit(renewal, "situation")
    assert renewal.parcours == parcours and renewal.state == S.BROUILLON
    assert renewal.situation_emploi == SituationEmploi.EN_EMPLOI
    assert renewal.type_contrat == TypeContrat.INSERTION
    assert renewal.logement == initial.logement
    assert renewal.formation == initial.formation
    # The month before this application, not the previous one's: to enter again.
    assert renewal.ressources_foyer is None and renewal.droit_rsa_ou_ada is None
    previous = {o.axe: o for o in initial.objectifs.all()}
    for objectif in renewal.objectifs.all():
        assert objectif.objectives == previous[objectif.axe].objectives
        assert objectif.actions == previous[objectif.axe].actions
        assert objectif.progress == ""
    assert renewal.engagement_signed_on is None and renewal.evaluation_association == ""


def test_renewal_asks_a_progress_report_per_axis_before_filing(caseworker, association):
    parcours, _initial = _granted_pathway(association)
    caseworker.post(reverse("parcours:renouvellement_create", args=[parcours.pk]))
    renewal = Demande.objects.get(kind=DemandeKind.RENOUVELLEMENT)
    html = _html(caseworker.get(_edit(renewal, "projet")))
    assert 'name="emploi-progress"' in html
    assert "sont repris de la dernière demande accordée" in html
    assert "À compléter avant le dépôt : Décrivez le bilan de l’axe « Insertion professionnelle »." in html
    data = {"action": "continuer"}
    for objectif in renewal.objectifs.all():
        data[f"{objectif.axe}-objectives"] = objectif.objectives
        data[f"{objectif.axe}-actions"] = objectif.actions
        data[f"{objectif.axe}-progress"] = "Atteint en partie."
    caseworker.post(_edit(renewal, "projet"), data)
    assert all(o.progress == "Atteint en partie." for o in renewal.objectifs.all())


def test_renewal_page_is_offered_on_the_granted_dossier(caseworker, association):
    parcours, initial = _granted_pathway(association)
    html = _html(caseworker.get(reverse("parcours:dossier", args=[initial.pk])))
    assert reverse("parcours:renouvellement_create", args=[parcours.pk]) in html


def test_renewal_while_an_application_is_open_is_refused_in_french(caseworker, association):
    parcours, _initial = _granted_pathway(association)
    caseworker.post(reverse("parcours:renouvellement_create", args=[parcours.pk]))
    response = caseworker.post(reverse("parcours:renouvellement_create", args=[parcours.pk]))
    assert "Cette personne a déjà une demande en cours." in _messages(response)
    assert Demande.objects.filter(kind=DemandeKind.RENOUVELLEMENT).count() == 1


def test_renewal_is_a_post(caseworker, association):
    parcours, _initial = _granted_pathway(association)
    assert caseworker.get(reverse("parcours:renouvellement_create", args=[parcours.pk])).status_code == 405


# --- another association's dossier: 404 everywhere -----------------------------------------------


def _foreign_urls(demande, parcours, document):
    return [
        ("get", reverse("parcours:dossier", args=[demande.pk])),
        ("get", _edit(demande, "situation")),
        ("post", _edit(demande, "situation")),
        ("get", _edit(demande, "avis")),
        ("post", _edit(demande, "avis")),
        ("post", reverse("parcours:dossier_submit", args=[demande.pk])),
        ("get", reverse("parcours:dossier_withdraw", args=[demande.pk])),
        ("post", reverse("parcours:dossier_withdraw", args=[demande.pk])),
        ("post", reverse("parcours:demande_create", args=[demande.beneficiaire.pk])),
        ("post", reverse("parcours:renouvellement_create", args=[parcours.pk])),
        ("get", reverse("parcours:document_upload", args=[demande.pk])),
        ("post", reverse("parcours:document_upload", args=[demande.pk])),
        ("get", reverse("parcours:document_download", args=[document.pk])),
        ("get", reverse("parcours:document_replace", args=[document.pk])),
        ("post", reverse("parcours:document_replace", args=[document.pk])),
    ]


@pytest.mark.parametrize("state", [S.BROUILLON, S.COMPLEMENT_DEMANDE, S.INSCRITE])
def test_another_associations_dossier_is_a_404_in_every_url_and_post(caseworker, association, state):
    other = AssociationFactory(departement=association.departement)
    parcours = ParcoursFactory(departement=association.departement)
    demande = DemandeFactory(
        association=other, departement=association.departement, complete=True, state=state, parcours=parcours
    )
    document = DocumentFactory(demande=demande)
    before = Demande.objects.values().get(pk=demande.pk)
    payload = {
        **SITUATION_OK,
        "withdrawn_on": _today().isoformat(),
        "reason": "Intrusion",
        "avis_association": AvisChoice.DEFAVORABLE,
        "avis_association_motifs": "Intrusion",
        "kind": "autre",
    }
    for method, url in _foreign_urls(demande, parcours, document):
        response = getattr(caseworker, method)(url, payload if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert Demande.objects.values().get(pk=demande.pk) == before
    assert Demande.objects.count() == 1


def test_an_unknown_id_is_a_404_like_a_foreign_one(caseworker):
    assert caseworker.get(reverse("parcours:dossier", args=[999_999])).status_code == 404
    assert caseworker.post(reverse("parcours:dossier_submit", args=[999_999])).status_code == 404
    assert caseworker.get(reverse("parcours:document_download", args=[999_999])).status_code == 404


def test_secretariat_may_read_but_every_change_is_a_404(client, association):
    parcours = ParcoursFactory(departement=association.departement)
    demande = DemandeFactory(
        association=association,
        departement=association.departement,
        complete=True,
        state=S.COMPLEMENT_DEMANDE,
        submitted_at=timezone.now(),
        parcours=parcours,
    )
    document = DocumentFactory(demande=demande)
    client.force_login(_secretariat(association.departement))
    detail = reverse("parcours:dossier", args=[demande.pk])
    download = reverse("parcours:document_download", args=[document.pk])  # see test_views_documents.py
    assert client.get(detail).status_code == 200
    for method, url in _foreign_urls(demande, parcours, document):
        if url not in (detail, download):
            response = getattr(client, method)(url, {"reason": "Intrusion"} if method == "post" else None)
            assert response.status_code == 404, (method, url)
    demande.refresh_from_db()
    assert demande.state == S.COMPLEMENT_DEMANDE
