"""E-mails are rows: each is written with its event, sent once, marked when it leaves; a mail server
that fails halfway through a list leaves the rest for the next run, and no one receives a message twice."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from commission import outbox
from commission.enums import OrganisationKind
from commission.models import EmailKind, Notification, NotificationKind, OutboundEmail
from commission.notifications import notify
from commission.seances import workflow as seances
from commission.seances.models import Convocation
from commission.seances.tasks import send_convocation
from parcours import reminders
from parcours.enums import DemandeKind, DemandeState
from tests.factories import (
    AssociationFactory,
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    MandatFactory,
    OrganisationFactory,
    ParcoursFactory,
    UserFactory,
    commission_for,
)

pytestmark = pytest.mark.django_db

# A distinctive fictional person, whose name no e-mail may carry.
LAST_NAME = "Ehigiamusoe"
FIRST_NAMES = "Osayomwanbor"


@pytest.fixture
def failing_on_third_message(monkeypatch):
    """The mail server accepts two messages, then drops the connection on the third."""
    calls = []
    original = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        calls.append(messages)
        if len(calls) == 3:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return calls


def _convened_session(members=5):
    departement = DepartementFactory()
    commission = commission_for(departement)
    association = AssociationFactory(departement=departement)
    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement)
    )
    mandats = [MandatFactory(commission=commission, is_president=(i == 0)) for i in range(members)]
    starts_at = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=10), datetime.time(14))
    )
    seance = seances.create_seance(commission=commission, starts_at=starts_at, place="Préfecture")
    demande = DemandeFactory(
        departement=departement,
        association=association,
        beneficiaire=BeneficiaireFactory(last_name=LAST_NAME, first_names=FIRST_NAMES),
        complete=True,
        state=DemandeState.RECEVABLE,
        submitted_at=timezone.now(),
        admissible_at=timezone.now(),
    )
    seances.add_point(seance, demande=demande, user=secretariat)
    # The caseworker is told the dossier is on the agenda; that e-mail is not the subject here.
    outbox.send_pending()
    mail.outbox.clear()
    seances.convene(seance, user=secretariat)
    return seance, mandats, secretariat


def _convocation_emails():
    return OutboundEmail.objects.filter(kind=EmailKind.CONVOCATION).order_by("pk")


def test_convening_writes_one_email_row_per_member_and_stamps_no_convocation_before_it_leaves(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        seance, mandats, _secretariat = _convened_session()
    rows = _convocation_emails()
    assert sorted(row.to for row in rows) == sorted(m.user.email for m in mandats)
    assert {row.related for row in rows} == set(seance.convocations.all())
    assert not Convocation.objects.filter(seance=seance, sent_at__isnull=False).exists()
    assert mail.outbox == []
    assert callbacks  # the sending job, enqueued once the session is convened


def test_smtp_failure_halfway_through_a_convocation_list_resends_nothing_already_sent(
    django_capture_on_commit_callbacks, failing_on_third_message, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        seance, mandats, _secretariat = _convened_session(members=5)
    rows = list(_convocation_emails())
    failing_on_third_message.clear()  # the caseworker's e-mail, sent while preparing, does not count

    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox.send_pending()

    assert len(mail.outbox) == 2
    for row in rows:
        row.refresh_from_db()
    first, rest = rows[:2], rows[2:]
    assert all(row.sent_at is not None for row in first)
    assert all(row.sent_at is None for row in rest)
    assert [row.related.sent_at for row in first] == [row.sent_at for row in first]  # stamped as it left
    assert all(row.related.sent_at is None for row in rest)
    assert (rest[0].attempts, rest[0].last_error) == (1, "SMTPServerDisconnected")
    assert all(row.attempts == 0 for row in rest[1:])

    monkeypatch.undo()  # the mail server is back
    assert outbox.send_pending() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in mandats)  # nobody twice
    assert not Convocation.objects.filter(seance=seance, sent_at__isnull=True).exists()
    assert outbox.send_pending() == 0
    assert len(mail.outbox) == 5


def test_convening_sends_once_committed_and_the_periodic_task_sends_what_a_failure_left(
    django_capture_on_commit_callbacks, failing_on_third_message
):
    with django_capture_on_commit_callbacks(execute=True):
        seance, mandats, _secretariat = _convened_session(members=4)
    # The caseworker's e-mail was the first message: one convocation left, the next one failed.
    assert len(mail.outbox) == 1
    assert Convocation.objects.filter(seance=seance, sent_at__isnull=False).count() == 1
    outbox.send_unsent_emails()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in mandats)  # nobody twice
    assert not OutboundEmail.objects.unsent().exists()
    assert not Convocation.objects.filter(seance=seance, sent_at__isnull=True).exists()


def test_the_periodic_task_sends_what_a_lost_job_left(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: the job is lost
        _convened_session(members=3)
    assert mail.outbox == []
    assert outbox.send_unsent_emails() == 3
    assert len(mail.outbox) == 3
    assert outbox.send_unsent_emails() == 0


def test_periodic_task_leaves_a_row_that_failed_too_often(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _convened_session(members=2)
    stuck = _convocation_emails().first()
    OutboundEmail.objects.filter(pk=stuck.pk).update(attempts=outbox.MAX_ATTEMPTS)
    assert outbox.send_unsent_emails() == 1
    stuck.refresh_from_db()
    assert stuck.sent_at is None


def test_convening_again_before_the_first_emails_left_sends_only_the_latest_agenda(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        seance, mandats, secretariat = _convened_session(members=3)
        seances.convene(seance, user=secretariat)
    assert _convocation_emails().count() == 3
    outbox.send_pending()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in mandats)


def test_cancelling_tells_the_convened_members_and_drops_convocations_not_sent(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        seance, mandats, secretariat = _convened_session(members=3)
    outbox.send_pending(list(_convocation_emails().values_list("pk", flat=True)[:1]))
    with django_capture_on_commit_callbacks(execute=True):
        seances.cancel(seance, user=secretariat, reason="Salle indisponible")
    assert not _convocation_emails().filter(sent_at__isnull=True).exists()
    cancellations = [m for m in mail.outbox if "annul" in m.subject.lower()]
    assert sorted(m.to[0] for m in cancellations) == sorted(m.user.email for m in mandats)
    assert "Salle indisponible" in cancellations[0].body
    assert len(mail.outbox) == 1 + 3


def test_a_key_queues_one_logical_message_once():
    first = outbox.queue("a@example.org", "Objet", "Texte", kind=EmailKind.NOTIFICATION, key="test:1")
    again = outbox.queue("a@example.org", "Objet", "Texte", kind=EmailKind.NOTIFICATION, key="test:1")
    assert first is not None and again is None
    assert OutboundEmail.objects.filter(key="test:1").count() == 1


def test_notify_goes_through_the_outbox_and_stamps_the_notification_when_it_leaves(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        [notification] = notify([user], NotificationKind.MESSAGE, "Nouveau message – dossier PSP-X", "/x/")
    row = OutboundEmail.objects.get(kind=EmailKind.NOTIFICATION)
    assert (row.to, row.related) == (user.email, notification)
    assert "PSP-X" in row.body
    assert Notification.objects.get().emailed_at is None
    assert outbox.send_pending() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    row.refresh_from_db()
    assert Notification.objects.get().emailed_at == row.sent_at


def test_daily_reminders_write_rows_and_send_once():
    end = timezone.localdate() + datetime.timedelta(days=30)
    parcours = ParcoursFactory(
        started_on=end - datetime.timedelta(days=180),
        beneficiaire=BeneficiaireFactory(last_name=LAST_NAME, first_names=FIRST_NAMES),
    )
    parcours.periodes.update(end=end)
    parcours.current_term_end = end
    parcours.save(update_fields=["current_term_end"])
    DemandeFactory(parcours=parcours, kind=DemandeKind.INITIALE, state=DemandeState.ACCEPTEE, complete=True)

    first = reminders.run()
    rows = OutboundEmail.objects.filter(kind=EmailKind.RAPPELS)
    assert first["emails"] == first["sent"] == rows.count() >= 1
    assert not rows.filter(sent_at__isnull=True).exists()
    sent = len(mail.outbox)
    assert sent == rows.count()
    second = reminders.run()
    assert second["emails"] == 0
    assert outbox.send_pending() == 0
    assert len(mail.outbox) == sent
    assert_rows_name_no_one()


def test_reminders_a_mail_server_down_leaves_to_the_outbox(failing_on_third_message, monkeypatch):
    failing_on_third_message.extend([None, None])  # the next message fails
    end = timezone.localdate() + datetime.timedelta(days=30)
    parcours = ParcoursFactory(started_on=end - datetime.timedelta(days=180))
    parcours.periodes.update(end=end)
    parcours.current_term_end = end
    parcours.save(update_fields=["current_term_end"])
    DemandeFactory(parcours=parcours, kind=DemandeKind.INITIALE, state=DemandeState.ACCEPTEE, complete=True)
    result = reminders.run()
    assert result["emails"] >= 1 and result["sent"] == 0
    assert OutboundEmail.objects.unsent().count() == result["emails"]
    monkeypatch.undo()
    assert outbox.send_unsent_emails() == result["emails"]


def assert_rows_name_no_one():
    for row in OutboundEmail.objects.all():
        text = " ".join([row.key, row.subject, row.body, row.last_error])
        assert LAST_NAME not in text and FIRST_NAMES not in text


def test_rows_hold_no_name(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        seance, mandats, secretariat = _convened_session(members=2)
        outbox.send_pending()
        seances.cancel(seance, user=secretariat, reason="Salle indisponible")
    rows = OutboundEmail.objects.all()
    assert {EmailKind.CONVOCATION, EmailKind.ANNULATION} <= {row.kind for row in rows}
    assert_rows_name_no_one()
    for mandat in mandats:  # nor the member's own name: they are greeted without it
        user = mandat.user
        for row in rows:
            assert user.last_name not in row.body and user.first_name not in row.body
            assert user.last_name not in row.subject


def test_the_periodic_task_is_scheduled_every_five_minutes(settings):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == outbox.send_unsent_emails.name
    ]
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_periodic_task_deletes_rows_sent_long_ago_and_keeps_recent_ones():
    old = outbox.queue("a@example.org", "Objet", "Texte", kind=EmailKind.NOTIFICATION, key="test:old")
    recent = outbox.queue("b@example.org", "Objet", "Texte", kind=EmailKind.NOTIFICATION, key="test:new")
    outbox.send_pending()
    OutboundEmail.objects.filter(pk=old.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=outbox.KEEP_SENT_DAYS + 1)
    )
    outbox.send_unsent_emails()
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_convocation_job_queued_before_the_outbox_sends_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        seance, _mandats, _secretariat = _convened_session(members=1)
    convocation = seance.convocations.get()
    OutboundEmail.objects.filter(kind=EmailKind.CONVOCATION).delete()  # as before the upgrade
    send_convocation.delay(convocation.pk)
    send_convocation.delay(convocation.pk)
    assert [m.to for m in mail.outbox] == [[convocation.mandat.user.email]]
    convocation.refresh_from_db()
    assert convocation.sent_at is not None
