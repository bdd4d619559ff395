"""The dossier's thread: who may write, on which side, who is told by e-mail, and what the page shows."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from commission.enums import OrganisationKind, Role
from parcours.enums import DemandeState, MessageKind, MessageSide
from parcours.models import Message
from parcours.workflow import demandes as workflow
from tests.factories import DemandeFactory, DepartementFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _secretariat(departement):
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )


def _submitted(**kwargs):
    return DemandeFactory(
        complete=True,
        state=DemandeState.DEPOSEE,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        **kwargs,
    )


def _url(demande):
    return reverse("parcours:message_post", args=[demande.pk])


def _post(client, demande, body, **extra):
    return client.post(_url(demande), {"message-body": body, **extra})


def _render_thread(demande, user):
    request = RequestFactory().get(reverse("parcours:dossier", args=[demande.pk]))
    request.user = user
    return render_to_string("parcours/includes/thread.html", {"demande": demande}, request=request)


# --- posting and notifying -----------------------------------------------------------------------


def test_caseworker_message_is_saved_for_the_association_and_emailed_to_the_secretariat_only(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted()
    departement = demande.commission.departement
    secretariat = _secretariat(departement)
    colleague = UserFactory(organisation=demande.association, roles=[Role.REFERENT])
    client.force_login(demande.referent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, demande, "La pièce d’identité est jointe au dossier.")
    message = Message.objects.get(demande=demande)
    assert (message.side, message.kind, message.author) == (
        MessageSide.ASSOCIATION,
        MessageKind.MESSAGE,
        demande.referent,
    )
    assert response.status_code == 302
    recipients = [mail.to for mail in mailoutbox]
    assert recipients == [[secretariat.email]]
    assert [colleague.email] not in recipients


def test_secretariat_message_is_emailed_to_the_associations_caseworkers_not_to_the_secretariat(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted()
    departement = demande.commission.departement
    author = _secretariat(departement)
    _secretariat(departement)  # a colleague: same side, not told
    colleague = UserFactory(organisation=demande.association, roles=[Role.REFERENT])
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, demande, "Le dossier sera examiné en séance le mois prochain.")
    assert Message.objects.get(demande=demande).side == MessageSide.SECRETARIAT
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([demande.referent.email, colleague.email])


def test_no_email_carries_the_persons_name_nor_the_message(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted()
    _secretariat(demande.commission.departement)
    person = demande.beneficiaire
    client.force_login(demande.referent)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, demande, f"{person.first_names} a trouvé un hébergement stable.")
    assert mailoutbox
    for mail in mailoutbox:
        text = mail.subject + mail.body
        assert person.reference in text
        assert reverse("parcours:dossier", args=[demande.pk]) in mail.body
        for private in (person.last_name, person.first_names, "hébergement stable"):
            assert private not in text


def test_the_side_follows_the_user_never_the_form(client):
    demande = _submitted()
    client.force_login(demande.referent)
    _post(client, demande, "Bonjour.", side=MessageSide.SECRETARIAT, kind=MessageKind.COMPLEMENT)
    message = Message.objects.get(demande=demande)
    assert (message.side, message.kind) == (MessageSide.ASSOCIATION, MessageKind.MESSAGE)


def test_after_sending_the_user_comes_back_to_the_page_they_wrote_from(client):
    demande = _submitted()
    client.force_login(_secretariat(demande.commission.departement))
    back = reverse("parcours:instruction", args=[demande.pk])
    response = _post(client, demande, "Bien reçu.", **{"message-next": back})
    assert response["Location"] == back + "#fil-echanges"


def test_a_next_page_on_another_site_is_ignored(client):
    demande = _submitted()
    client.force_login(demande.referent)
    response = _post(client, demande, "Bien reçu.", **{"message-next": "https://example.com/piege"})
    assert response["Location"] == reverse("parcours:dossier", args=[demande.pk]) + "#fil-echanges"


# --- bad input -----------------------------------------------------------------------------------


def test_an_empty_message_is_refused_in_french_and_nothing_is_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _submitted()
    _secretariat(demande.commission.departement)
    client.force_login(demande.referent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, demande, "   \n ")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le message est vide : écrivez votre message avant de l’envoyer." in html
    assert 'aria-describedby="id_message-body-erreurs"' in html
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_a_too_long_message_is_refused_and_what_was_typed_is_kept(client):
    demande = _submitted()
    client.force_login(demande.referent)
    typed = "Compte rendu de l’entretien. " * 200
    response = _post(client, demande, typed, **{"message-next": "/dossiers/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "au plus 5000 caractères" in html
    assert typed.strip() in html
    assert 'href="/dossiers/"' in html  # the way back is the page they came from
    assert not Message.objects.exists()


def test_html_in_a_message_is_shown_as_text(client):
    demande = _submitted()
    client.force_login(demande.referent)
    _post(client, demande, '<script>alert("x")</script> <b>gras</b>')
    client.force_login(_secretariat(demande.commission.departement))
    html = client.get(reverse("parcours:instruction", args=[demande.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;" in html
    assert '<script>alert("x")</script>' not in html


# --- who may write -------------------------------------------------------------------------------


def test_a_caseworker_of_another_association_gets_404(client):
    demande = _submitted()
    other = DemandeFactory(departement=demande.commission.departement)
    client.force_login(other.referent)
    assert _post(client, demande, "Bonjour.").status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("organisation_kind", "roles"),
    [
        (OrganisationKind.SECRETARIAT, [Role.PRESIDENT]),
        (OrganisationKind.SERVICE_ETAT, [Role.MEMBRE]),
        (OrganisationKind.SERVICE_ETRANGERS, [Role.ETRANGERS]),
        (OrganisationKind.SERVICE_ETRANGERS, [Role.SECRETARIAT]),
    ],
)
def test_other_roles_cannot_write_in_the_thread(client, organisation_kind, roles):
    demande = _submitted()
    organisation = OrganisationFactory(kind=organisation_kind, departement=demande.commission.departement)
    client.force_login(UserFactory(organisation=organisation, roles=roles))
    assert _post(client, demande, "Bonjour.").status_code == 404
    assert not Message.objects.exists()


def test_the_secretariat_of_another_departement_gets_404(client):
    demande = _submitted()
    client.force_login(_secretariat(DepartementFactory()))
    assert _post(client, demande, "Bonjour.").status_code == 404


def test_the_thread_opens_when_the_dossier_is_filed(client):
    draft = DemandeFactory(complete=True)
    client.force_login(draft.referent)
    assert _post(client, draft, "Bonjour.").status_code == 404
    assert "Écrire un message" not in _render_thread(draft, draft.referent)


def test_posting_needs_a_post(client):
    demande = _submitted()
    client.force_login(demande.referent)
    assert client.get(_url(demande)).status_code == 405


# --- the include ---------------------------------------------------------------------------------


def test_the_thread_shows_both_sides_in_order_with_the_complement_request_marked():
    demande = _submitted()
    secretariat = _secretariat(demande.commission.departement)
    workflow.request_complement(demande, user=secretariat, message="Joignez l’engagement signé.")
    workflow.resubmit(demande, user=demande.referent, message="L’engagement est joint.")
    for user in (demande.referent, secretariat):
        html = _render_thread(demande, user)
        assert html.index("Joignez l’engagement signé.") < html.index("L’engagement est joint.")
        assert "Demande de complément" in html
        assert "Dossier complété et redéposé" in html
        assert "Écrire un message" in html
        assert 'name="message-body"' in html
    assert "Échanges avec le secrétariat de la commission" in _render_thread(demande, demande.referent)
    assert "Échanges avec l’association" in _render_thread(demande, secretariat)


def test_the_president_reads_the_thread_without_a_form():
    demande = _submitted()
    Message.objects.create(
        demande=demande, author=demande.referent, side=MessageSide.ASSOCIATION, body="Voici le dossier."
    )
    president = UserFactory(organisation=demande.commission.secretariat, roles=[Role.PRESIDENT])
    html = _render_thread(demande, president)
    assert "Voici le dossier." in html
    assert "Écrire un message" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_thread_reads_its_messages_in_one_query(django_assert_num_queries, count):
    demande = _submitted()
    for number in range(count):
        Message.objects.create(
            demande=demande, author=demande.referent, side=MessageSide.ASSOCIATION, body=f"Message {number}"
        )
    user = demande.referent
    user.roles()  # the role cache and organisation are the page's, read once per request
    _ = user.organisation
    with django_assert_num_queries(1):
        html = _render_thread(demande, user)
    assert f"Message {count - 1}" in html
