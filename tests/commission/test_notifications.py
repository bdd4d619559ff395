"""Notifications where people look: each step someone waits on tells them, and only them, in the
header's list and by an e-mail that names the dossier by its reference, never the person."""

import datetime
import time

import pytest
from django.core import mail, signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commission import outbox
from commission.enums import OrganisationKind, Role
from commission.models import Notification, NotificationKind
from commission.notifications import notify
from parcours import notifications as parcours_notifications
from parcours import tasks_exports
from parcours.enums import DecisionKind, DemandeState
from parcours.models import ExportJob
from parcours.workflow import demandes as workflow
from parcours.workflow import titres
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DecisionFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A distinctive fictional name, which no French first name or place given by Faker contains.
LAST_NAME = "Ehigiamusoe"
FIRST_NAMES = "Osayomwanbor"


def staff(departement, role=Role.SECRETARIAT, kind=OrganisationKind.SECRETARIAT):
    return UserFactory(organisation=OrganisationFactory(kind=kind, departement=departement), roles=[role])


def dossier(state, **kwargs):
    departement = kwargs.pop("departement", None) or DepartementFactory()
    return DemandeFactory(
        departement=departement,
        beneficiaire=BeneficiaireFactory(
            departement=departement, last_name=LAST_NAME, first_names=FIRST_NAMES
        ),
        complete=True,
        state=state,
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        **kwargs,
    )


@pytest.fixture
def people():
    """A dossier at the secretariat, with everyone who might be told, or must not be."""
    demande = dossier(DemandeState.DEPOSEE)
    departement = demande.commission.departement
    other_association = AssociationFactory(departement=departement)
    return {
        "demande": demande,
        "referent": demande.referent,
        "colleague": UserFactory(organisation=demande.association, roles=[Role.REFERENT]),
        "other_caseworker": UserFactory(organisation=other_association, roles=[Role.REFERENT]),
        "secretariat": staff(departement),
        "other_secretariat": staff(departement),
        "secretariat_elsewhere": staff(DepartementFactory()),
        "etrangers": staff(departement, Role.ETRANGERS, OrganisationKind.SERVICE_ETRANGERS),
        "member": UserFactory(organisation=OrganisationFactory(departement=departement), roles=[Role.MEMBRE]),
    }


def told(kind):
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


def assert_emails_name_no_one(demande, *, to):
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in to)
    for message in mail.outbox:
        text = message.subject + message.body
        assert demande.beneficiaire.reference in message.subject
        assert f"/dossiers/{demande.pk}/" in message.body
        for private in (LAST_NAME, FIRST_NAMES, "favorable", "Autorisation"):
            assert private not in text


def test_a_complement_requested_tells_the_dossiers_caseworker_only(
    people, django_capture_on_commit_callbacks
):
    demande = people["demande"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_complement(
            demande, user=people["secretariat"], message=f"Il manque l’acte de {LAST_NAME}."
        )
    assert told(NotificationKind.COMPLEMENT_DEMANDE) == {people["referent"]}
    assert Notification.objects.count() == 1
    assert_emails_name_no_one(demande, to=[people["referent"]])
    assert "acte" not in mail.outbox[0].body  # nor the message itself


def test_without_a_referent_at_the_association_all_its_caseworkers_are_told(
    people, django_capture_on_commit_callbacks
):
    referent = people["referent"]
    referent.is_active = False
    referent.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_complement(
            people["demande"], user=people["secretariat"], message="Il manque une pièce."
        )
    assert told(NotificationKind.COMPLEMENT_DEMANDE) == {people["colleague"]}


def test_a_dossier_filed_again_tells_the_secretariat_of_its_commission(
    people, django_capture_on_commit_callbacks
):
    demande = people["demande"]
    workflow.request_complement(demande, user=people["secretariat"], message="Il manque une pièce.")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.resubmit(demande, user=people["referent"], message="La pièce est jointe.")
    assert told(NotificationKind.DOSSIER_REDEPOSE) == {people["secretariat"], people["other_secretariat"]}
    assert Notification.objects.count() == 2
    assert_emails_name_no_one(demande, to=[people["secretariat"], people["other_secretariat"]])


def test_a_dossier_put_on_the_agenda_tells_its_caseworker(people, django_capture_on_commit_callbacks):
    demande = people["demande"]
    demande.state = DemandeState.RECEVABLE
    demande.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.put_on_agenda(demande, user=people["secretariat"])
    assert told(NotificationKind.INSCRIT_ORDRE_DU_JOUR) == {people["referent"]}
    assert Notification.objects.count() == 1
    assert_emails_name_no_one(demande, to=[people["referent"]])


def test_an_opinion_tells_the_caseworker_and_the_secretariat_but_not_who_recorded_it_nor_its_sense(
    people, django_capture_on_commit_callbacks
):
    demande = people["demande"]
    demande.state = DemandeState.INSCRITE
    demande.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record_avis(demande, favorable=True, on=timezone.localdate(), user=people["secretariat"])
    expected = {people["referent"], people["other_secretariat"]}
    assert told(NotificationKind.AVIS_RENDU) == expected
    assert Notification.objects.count() == 2
    assert_emails_name_no_one(demande, to=expected)


def test_a_decision_tells_the_caseworker_and_the_secretariat(people, django_capture_on_commit_callbacks):
    demande = people["demande"]
    decision = DecisionFactory(demande=demande, kind=DecisionKind.AUTORISATION)
    mail.outbox.clear()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        parcours_notifications.notify_decision(decision)
    expected = {people["referent"], people["secretariat"], people["other_secretariat"]}
    assert told(NotificationKind.DECISION_PRISE) == expected
    assert Notification.objects.count() == 3
    assert_emails_name_no_one(demande, to=expected)
    assert all("#decision" in message.body for message in mail.outbox)


def test_a_permit_to_issue_tells_the_foreigners_service_of_the_departement(
    people, django_capture_on_commit_callbacks
):
    departement = people["demande"].commission.departement
    elsewhere = staff(DepartementFactory(), Role.ETRANGERS, OrganisationKind.SERVICE_ETRANGERS)
    parcours = ParcoursFactory(
        departement=departement,
        beneficiaire=BeneficiaireFactory(
            departement=departement, last_name=LAST_NAME, first_names=FIRST_NAMES
        ),
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        titre = titres.open_for(parcours)
    assert titre is not None
    assert told(NotificationKind.TITRE_A_DELIVRER) == {people["etrangers"]}
    assert elsewhere not in told(NotificationKind.TITRE_A_DELIVRER)
    assert [m.to for m in mail.outbox] == [[people["etrangers"].email]]
    message = mail.outbox[0]
    assert parcours.beneficiaire.reference in message.subject
    assert reverse("decisions:titre", args=[titre.pk]) in message.body
    assert LAST_NAME not in message.subject + message.body
    assert FIRST_NAMES not in message.subject + message.body


# --- notify() itself ---------------------------------------------------------------------------------


def test_notify_tells_each_active_user_once_and_emails_once_even_when_sent_twice(
    django_capture_on_commit_callbacks,
):
    user, inactive = UserFactory(), UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            [user, user, inactive], NotificationKind.MESSAGE, "Nouveau message – dossier PSP-X", "/x/"
        )
    assert [row.recipient for row in rows] == [user]
    assert outbox.send_pending() == 0  # already e-mailed
    assert [m.to for m in mail.outbox] == [[user.email]]
    rows[0].refresh_from_db()
    assert rows[0].emailed_at is not None


def test_notify_refuses_a_link_outside_the_site():
    with pytest.raises(ValueError):
        notify([UserFactory()], NotificationKind.MESSAGE, "Texte", "https://example.org/")
    with pytest.raises(ValueError):
        notify([UserFactory()], NotificationKind.MESSAGE, "Texte", "//example.org/")


def test_an_event_rolled_back_tells_no_one(people):
    demande = people["demande"]
    demande.state = DemandeState.RECEVABLE
    demande.save()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.put_on_agenda(demande, user=people["secretariat"])
        assert Notification.objects.count() == 1
        raise RuntimeError
    assert not Notification.objects.exists()


# --- the header, the list, reading -------------------------------------------------------------------


def _notes(user, count, **kwargs):
    return [
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.MESSAGE,
            text=f"Nouveau message – dossier PSP-{index:03d}",
            url="/dossiers/",
            created_at=timezone.now() - datetime.timedelta(minutes=count - index),
            **kwargs,
        )
        for index in range(count)
    ]


def test_the_header_shows_the_unread_count_with_an_accessible_label(client):
    user = UserFactory(roles=[Role.MEMBRE])
    _notes(user, 3)
    _notes(user, 2, read_at=timezone.now())
    _notes(UserFactory(), 4)  # someone else's
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Notifications (3)" in html
    assert 'aria-label="Notifications : 3 non lues"' in html
    assert f'href="{reverse("notifications")}"' in html


def test_the_list_shows_ones_own_notifications_newest_first_paginated(client):
    user = UserFactory(roles=[Role.MEMBRE])
    _notes(user, 25)
    Notification.objects.create(
        recipient=UserFactory(), kind=NotificationKind.MESSAGE, text="Pas pour vous", url="/"
    )
    client.force_login(user)
    html = client.get(reverse("notifications")).content.decode()
    assert "25 notifications" in html
    assert html.index("PSP-024") < html.index("PSP-023")
    assert "PSP-004" not in html  # on the second page
    assert "Pas pour vous" not in html
    assert "Page suivante" in html
    second = client.get(reverse("notifications"), {"page": 2}).content.decode()
    assert "PSP-004" in second and "PSP-000" in second


def test_the_list_shows_the_dossiers_reference_never_the_persons_name(
    client, people, django_capture_on_commit_callbacks
):
    demande = people["demande"]
    demande.state = DemandeState.INSCRITE
    demande.save()
    workflow.record_avis(demande, favorable=False, on=timezone.localdate(), user=people["member"])
    client.force_login(people["referent"])
    html = client.get(reverse("notifications")).content.decode()
    assert demande.beneficiaire.reference in html
    assert LAST_NAME not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(client):
    user = UserFactory()
    note, other = _notes(user, 2)
    client.force_login(user)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/dossiers/"
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None


def test_someone_elses_notification_is_not_found_and_stays_unread(client):
    note = _notes(UserFactory(), 1)[0]
    client.force_login(UserFactory())
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_all_read_reads_only_ones_own(client):
    user, someone = UserFactory(), UserFactory()
    _notes(user, 3)
    _notes(someone, 2)
    client.force_login(user)
    assert "Tout marquer comme lu" in client.get(reverse("notifications")).content.decode()
    response = client.post(reverse("notifications_mark_all_read"), follow=True)
    html = response.content.decode()
    assert "Toutes vos notifications sont marquées comme lues." in html
    assert "Notifications (0)" in html
    assert "Tout marquer comme lu" not in html
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=someone, read_at__isnull=True).count() == 2
    assert client.get(reverse("notifications_mark_all_read")).status_code == 405


# --- the export ready, with its signed link ----------------------------------------------------------


@pytest.fixture
def export_ready(django_capture_on_commit_callbacks):
    departement = DepartementFactory()
    requester = staff(departement)
    dossier(DemandeState.DEPOSEE, departement=departement)
    job = ExportJob.objects.create(requested_by=requester, params={"format": "csv", "filters": {}}, total=1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks_exports.export_dossiers.delay(job.pk)
        tasks_exports.export_dossiers.delay(job.pk)  # delivered twice: announced once
    return job, requester


def test_an_export_ready_tells_its_requester_with_a_link_that_downloads(client, export_ready):
    job, requester = export_ready
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (requester, NotificationKind.EXPORT_PRET)
    assert [m.to for m in mail.outbox] == [[requester.email]]
    message = mail.outbox[0]
    assert "Votre export de la liste des dossiers est prêt" in message.subject
    assert note.url in message.body
    assert "24 heures" in message.body
    assert LAST_NAME not in message.body
    client.force_login(requester)
    response = client.get(note.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert LAST_NAME in response.content.decode("utf-8-sig")  # the file itself, for its requester


def test_the_export_link_is_refused_to_another_user(client, export_ready):
    job, requester = export_ready
    note = Notification.objects.get()
    client.force_login(staff(requester.organisation.departement))
    assert client.get(note.url).status_code == 404


def test_the_export_link_expires_after_24_hours(client, export_ready, monkeypatch):
    job, requester = export_ready
    past = int(time.time()) - 25 * 3600
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
    expired = tasks_exports.download_link(job)
    monkeypatch.undo()
    client.force_login(requester)
    response = client.get(expired, follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications")
    assert "Ce lien de téléchargement a expiré" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_forged_export_link_is_not_found(client, export_ready):
    job, requester = export_ready
    client.force_login(requester)
    forged = reverse("bilan:export_link", args=[f"{job.pk}:forged:signature"])
    assert client.get(forged).status_code == 404
