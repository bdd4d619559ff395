"""At filing, the caseworker sees the texts meant for the commission as members will read them, and
is warned when they hold identity."""

import pytest
from django.urls import reverse

from commission.enums import Role
from parcours.pseudonymise import members_preview
from tests.factories import AssociationFactory, BeneficiaireFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    return client


def _draft(association, **kwargs):
    person = BeneficiaireFactory(
        departement=association.departement,
        last_name="Okonkwo",
        first_names="Blessing",
        phone="06 12 34 56 78",
    )
    return DemandeFactory(
        association=association,
        departement=association.departement,
        beneficiaire=person,
        complete=True,
        **kwargs,
    )


def test_filing_page_warns_and_highlights_identity_in_texts_for_the_commission(caseworker, association):
    demande = _draft(association, evaluation_association="Blessing Okonkwo est joignable au 06 12 34 56 78.")
    html = caseworker.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert "Des éléments d’identité figurent dans les textes destinés à la commission" in html
    assert "Ce que liront les membres de la commission" in html
    assert "Passage masqué pour les membres : </span>Blessing Okonkwo</mark> est joignable au" in html
    assert "Passage masqué pour les membres : </span>06 12 34 56 78</mark>" in html


def test_filing_page_without_identity_says_members_read_the_texts_as_they_are(caseworker, association):
    demande = _draft(association, evaluation_association="Elle tient ses engagements depuis six mois.")
    html = caseworker.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    assert "Des éléments d’identité figurent" not in html
    assert "Aucun élément d’identité n’a été repéré dans ces textes" in html
    assert "Elle tient ses engagements depuis six mois." in html


def test_preview_covers_every_text_members_read_and_escapes_html(association):
    demande = _draft(association, evaluation_association="<script>x</script> Mme Okonkwo")
    objectif = demande.objectifs.first()
    objectif.objectives = "Trouver un logement pour Blessing."
    objectif.save()
    preview = members_preview(demande)
    labels = [text.label for text in preview.texts]
    assert "Évaluation de l’association" in labels
    assert any(label.endswith(": objectifs") for label in labels)
    assert preview.has_identity
    evaluation = next(text for text in preview.texts if text.label == "Évaluation de l’association")
    assert "<script>" not in evaluation.highlighted()
    assert "&lt;script&gt;" in evaluation.highlighted()


def test_filing_a_dossier_whose_texts_hold_identity_warns_the_caseworker(caseworker, association):
    demande = _draft(association, evaluation_association="Mme Okonkwo tient ses engagements.")
    response = caseworker.post(
        reverse("parcours:dossier_submit", args=[demande.pk]), {"confirmed": "1"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "Des éléments d’identité figurent dans les textes destinés à la commission" in m for m in messages
    )


def test_filing_a_dossier_without_identity_gives_no_warning(caseworker, association):
    demande = _draft(association, evaluation_association="Elle tient ses engagements.")
    response = caseworker.post(
        reverse("parcours:dossier_submit", args=[demande.pk]), {"confirmed": "1"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages and not any("éléments d’identité" in m for m in messages)
