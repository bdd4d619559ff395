"""A form sent twice (Back and send again, a double click, two tabs) does nothing the second time and
leads to the first submission's result, saying so (commission/idempotency.py)."""

import re
import uuid

import pytest
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commission.enums import Role
from commission.models import FormSubmission
from parcours.enums import DocumentKind
from parcours.models import Document, Message
from tests.beneficiaires.test_beneficiaire_create import payload
from tests.factories import AgrementFactory, AssociationFactory, DemandeFactory, UserFactory
from tests.parcours.test_thread import _submitted
from tests.parcours.test_views_documents import _pdf, _upload

pytestmark = pytest.mark.django_db

ALREADY_SENT = "Ce formulaire avait déjà été envoyé : rien n’a été fait une seconde fois."


def token(html):
    match = re.search(r'name="form_token" value="([0-9a-f-]{36})"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def caseworker(client, association):
    user = UserFactory(organisation=association, roles=[Role.REFERENT])
    client.force_login(user)
    return user


def test_a_message_sent_twice_is_written_once(client, caseworker, association):
    demande = _submitted(association=association, departement=association.departement)
    page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    data = {"message-body": "Le rendez-vous est confirmé.", "form_token": token(page)}
    url = reverse("parcours:message_post", args=[demande.pk])

    first = client.post(url, data)
    second = client.post(url, data)

    assert Message.objects.filter(demande=demande).count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ALREADY_SENT in messages_of(second)
    assert ALREADY_SENT not in messages_of(first)


def test_a_new_page_sends_a_new_message(client, caseworker, association):
    demande = _submitted(association=association, departement=association.departement)
    url = reverse("parcours:message_post", args=[demande.pk])
    for _ in range(2):
        page = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
        client.post(url, {"message-body": "Même texte, deux envois voulus.", "form_token": token(page)})
    assert Message.objects.filter(demande=demande).count() == 2


def test_a_person_created_twice_is_recorded_once(client, caseworker, association):
    AgrementFactory(association=association)
    url = reverse("beneficiaires:create")
    data = {**payload(), "form_token": token(client.get(url).content.decode())}

    first = client.post(url, data)
    second = client.post(url, data)

    assert Beneficiaire.objects.filter(last_name="Okafor").count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY_SENT in messages_of(second)


def test_a_document_uploaded_twice_is_stored_once(client, caseworker, association, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    demande = DemandeFactory(association=association, departement=association.departement)
    url = reverse("parcours:document_upload", args=[demande.pk])
    form_token = token(client.get(url).content.decode())
    content = _pdf()
    for _ in range(2):
        response = client.post(
            url,
            {
                "kind": DocumentKind.ENGAGEMENT,
                "file": _upload("engagement.pdf", content),
                "form_token": form_token,
            },
        )
        assert response.status_code == 302
    assert Document.objects.filter(demande=demande).count() == 1
    assert ALREADY_SENT in messages_of(response)


def test_a_form_refused_for_its_errors_can_be_corrected_and_sent(client, caseworker, association):
    demande = _submitted(association=association, departement=association.departement)
    url = reverse("parcours:message_post", args=[demande.pk])
    form_token = str(uuid.uuid4())
    refused = client.post(url, {"message-body": "", "form_token": form_token})
    assert not FormSubmission.objects.filter(token=form_token).exists()
    assert refused.status_code in (200, 302)
    client.post(url, {"message-body": "Corrigé.", "form_token": form_token})
    assert Message.objects.filter(demande=demande).count() == 1
    assert FormSubmission.objects.get(token=form_token).result_url


def test_a_token_belongs_to_its_user(client, caseworker, association):
    """A colleague's submission with the same token (impossible by chance) is not taken for theirs."""
    demande = _submitted(association=association, departement=association.departement)
    url = reverse("parcours:message_post", args=[demande.pk])
    form_token = str(uuid.uuid4())
    client.post(url, {"message-body": "Premier.", "form_token": form_token})
    client.force_login(UserFactory(organisation=association, roles=[Role.REFERENT]))
    client.post(url, {"message-body": "Second.", "form_token": form_token})
    assert Message.objects.filter(demande=demande).count() == 2


def test_every_post_form_of_the_dossier_page_carries_a_token(client, caseworker, association):
    demande = DemandeFactory(association=association, departement=association.departement, complete=True)
    html = client.get(reverse("parcours:dossier", args=[demande.pk])).content.decode()
    forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
    # Signing out twice changes nothing: the header's form needs no token.
    forms = [form for form in forms if reverse("logout") not in form]
    assert len(forms) >= 2
    for form in forms:
        assert 'name="form_token"' in form


def test_convening_sent_twice_convenes_the_members_once(client):
    from commission.models import EmailKind, OutboundEmail
    from commission.seances.models import Convocation
    from tests.seances.test_seance_views import World, url

    world = World()
    seance = world.seance(convene=False)
    client.force_login(world.secretariat)
    data = {"confirmed": "1", "form_token": str(uuid.uuid4())}

    first = client.post(url("seance_convene", seance.pk), data)
    second = client.post(url("seance_convene", seance.pk), data)

    convocations = Convocation.objects.filter(seance=seance).count()
    assert convocations > 0
    # Sent again on purpose, a convocation would be written anew for every member.
    assert OutboundEmail.objects.filter(kind=EmailKind.CONVOCATION).count() == convocations
    assert first.status_code == second.status_code == 302
    assert ALREADY_SENT in messages_of(second)
