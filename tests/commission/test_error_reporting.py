"""Errors reach someone (ADMINS by e-mail, Sentry when SENTRY_DSN is set) and name no one: an error
raised while handling a fictional person, whose name is in the form, the address, a local variable
and the exception's own message, reaches neither channel with that name."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.urls import include, path
from sentry_sdk.transport import Transport

from commission import monitoring

ROOT = Path(__file__).resolve().parents[2]

# A fictional person, with names found nowhere else in the code.
FIRST_NAME = "Zéphyrine"
LAST_NAME = "Quintavalle-Orbéniac"
EMAIL = "zephyrine.quintavalle@example.org"
NAMES = (FIRST_NAME, LAST_NAME, "Quintavalle", EMAIL, "zephyrine")


@login_not_required
def failing_view(request, pk):
    person = {"first_name": request.POST.get("first_name"), "email": request.POST.get("email")}
    query = request.GET.get("q")
    raise ValueError(f"Aucun dossier pour {person['first_name']} {LAST_NAME} ({query})")


# The site's own URLs too: the 500 page links to them.
urlpatterns = [path("boum/<int:pk>/", failing_view, name="boum"), path("", include("commission.urls"))]


def _post_failing(client):
    client.raise_request_exception = False
    return client.post(
        f"/boum/12/?q={LAST_NAME}",
        {"first_name": FIRST_NAME, "email": EMAIL},
        HTTP_COOKIE=f"note={LAST_NAME}",
        HTTP_REFERER=f"https://psp.example.gouv.fr/recherche/?q={LAST_NAME}",
    )


def _assert_names_no_one(text):
    for name in NAMES:
        assert name.lower() not in text.lower(), name


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Exploitation", "exploitation@example.invalid")]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_500_is_mailed_once_to_the_admins_saying_where_not_whom(client, admins):
    response = _post_failing(client)
    assert response.status_code == 500
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == ["exploitation@example.invalid"]
    assert not message.alternatives  # plain text only: the HTML page would show every value
    text = message.subject + message.body
    _assert_names_no_one(text)
    # Where it happened is there: the exception's type, the view's file, line and code, the form's keys.
    assert "ValueError" in message.body
    assert "test_error_reporting.py" in message.body
    assert "raise ValueError" in message.body
    assert "first_name = '[masqué]'" in message.body
    assert "Request URL: /boum/12/" in message.body


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_server_s_log_keeps_the_traceback_without_the_exception_s_message(client):
    (console,) = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, monitoring.PrivateFormatter)
    ]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        _post_failing(client)
    finally:
        console.setStream(previous)
    log = stream.getvalue()
    assert "Internal Server Error: /boum/12/" in log
    assert 'in failing_view\n    raise ValueError(f"Aucun dossier pour' in log
    assert "ValueError: [masqué]" in log
    _assert_names_no_one(log)


def test_chained_exceptions_are_logged_each_without_its_message():
    formatter = monitoring.PrivateFormatter()
    try:
        try:
            raise KeyError(EMAIL)
        except KeyError as error:
            raise ValueError(LAST_NAME) from error
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatter.format(record)
    _assert_names_no_one(text)
    assert "builtins.KeyError: [masqué]" in text
    assert "builtins.ValueError: [masqué]" in text
    assert text.index("KeyError") < text.index("ValueError")


@pytest.mark.django_db
def test_a_logged_error_is_mailed_with_its_values_masked(admins):
    logging.getLogger("parcours.tasks").error("No pathway for %s (row %s)", f"{FIRST_NAME} {LAST_NAME}", 42)
    assert len(mail.outbox) == 1
    _assert_names_no_one(mail.outbox[0].subject + mail.outbox[0].body)
    assert "No pathway for [masqué] (row 42)" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_failed_task_is_mailed(admins):
    try:
        raise KeyError(LAST_NAME)
    except KeyError:
        logging.getLogger("celery.app.trace").exception("Task %s raised: %r", "parcours.tasks.x", LAST_NAME)
    assert len(mail.outbox) == 1
    _assert_names_no_one(mail.outbox[0].subject + mail.outbox[0].body)
    assert "KeyError" in mail.outbox[0].body


@pytest.mark.django_db
def test_nothing_is_mailed_with_debug_on_or_without_admins(settings):
    settings.ADMINS = []
    logging.getLogger("commission").error("Something broke")
    settings.ADMINS = [("Exploitation", "exploitation@example.invalid")]
    settings.DEBUG = True
    logging.getLogger("commission").error("Something broke")
    assert mail.outbox == []


def test_admins_are_read_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "ADMINS", "SENTRY_DSN")}
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="commission.settings",
        ADMINS="Équipe exploitation <exploitation@example.invalid>, astreinte@example.invalid",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.ADMINS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        [
            ("Équipe exploitation", "exploitation@example.invalid"),
            ("astreinte@example.invalid", "astreinte@example.invalid"),
        ]
    )


# --- Sentry ------------------------------------------------------------------------------------------


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def sentry_events():
    transport = CapturingTransport()
    monitoring.init_sentry("https://public@sentry.example.invalid/1", transport=transport)
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init()


def test_the_site_s_sentry_options_collect_no_personal_data(sentry_events):
    client = sentry_sdk.get_client()
    assert client.options["send_default_pii"] is False
    assert client.should_send_default_pii() is False
    assert client.options["include_local_variables"] is False
    assert client.options["max_request_body_size"] == "never"
    assert client.options["before_send"] is monitoring.scrub_event


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_500_reaches_sentry_without_the_person(client, sentry_events):
    _post_failing(client)
    sentry_sdk.flush()
    assert sentry_events, "no event reached the transport"
    dumped = json.dumps(sentry_events, ensure_ascii=False)
    _assert_names_no_one(dumped)
    exceptions = [e for e in sentry_events if e.get("exception")]
    assert exceptions
    value = exceptions[0]["exception"]["values"][-1]
    assert value["type"] == "ValueError"
    assert any(frame.get("function") == "failing_view" for frame in value["stacktrace"]["frames"])
    assert all("vars" not in frame for frame in value["stacktrace"]["frames"])


@pytest.mark.django_db
def test_an_exception_captured_in_a_task_reaches_sentry_without_the_person(sentry_events):
    logging.getLogger("parcours.tasks").info("Reminder for %s", LAST_NAME)  # a breadcrumb
    person_name = f"{FIRST_NAME} {LAST_NAME}"
    try:
        raise RuntimeError(f"Cannot render the letter of {person_name} <{EMAIL}>")
    except RuntimeError:
        with sentry_sdk.new_scope() as scope:
            scope.set_user({"email": EMAIL, "username": LAST_NAME})
            scope.set_extra("person", person_name)
            scope.set_context("dossier", {"nom": LAST_NAME})
            sentry_sdk.capture_exception()
    sentry_sdk.flush()
    assert len(sentry_events) == 1
    _assert_names_no_one(json.dumps(sentry_events, ensure_ascii=False))
    assert sentry_events[0]["exception"]["values"][0]["type"] == "RuntimeError"
    assert sentry_events[0]["breadcrumbs"]["values"], "the breadcrumb itself is kept, without its message"


def test_scrub_event_removes_every_field_that_may_name_someone():
    event = {
        "event_id": "abc",
        "level": "error",
        "transaction": "/dossiers/{pk}/",
        "user": {"email": EMAIL, "id": "12", "ip_address": "192.0.2.1"},
        "request": {
            "method": "POST",
            "url": f"https://psp.example.gouv.fr/personnes/{LAST_NAME}/",
            "query_string": f"q={LAST_NAME}",
            "data": {"first_name": FIRST_NAME},
            "cookies": {"note": LAST_NAME},
            "headers": {"Referer": f"https://psp.example.gouv.fr/?q={LAST_NAME}"},
            "env": {"REMOTE_ADDR": "192.0.2.1"},
        },
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f'Key (email)=({EMAIL}) already exists; "{FIRST_NAME}"',
                    "stacktrace": {"frames": [{"function": "save", "vars": {"person": LAST_NAME}}]},
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [{"vars": {"nom": LAST_NAME}}]}}]},
        "logentry": {"message": "No pathway for %s", "params": [LAST_NAME], "formatted": LAST_NAME},
        "message": LAST_NAME,
        "breadcrumbs": {"values": [{"category": "query", "message": LAST_NAME, "data": {"p": EMAIL}}]},
        "extra": {
            "celery-job": {"task_name": "parcours.tasks.x", "args": [LAST_NAME], "kwargs": {}},
            "x": EMAIL,
        },
        "contexts": {"runtime": {"name": "CPython"}, "dossier": {"nom": LAST_NAME}},
        "tags": {"celery_task_name": "parcours.tasks.x"},
    }
    scrubbed = monitoring.scrub_event(event, {})
    _assert_names_no_one(json.dumps(scrubbed, ensure_ascii=False))
    assert scrubbed["request"] == {"method": "POST"}
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "save"}]
    assert scrubbed["logentry"] == {"message": "No pathway for %s"}
    assert scrubbed["extra"] == {"celery-job": {"task_name": "parcours.tasks.x"}}
    assert scrubbed["contexts"] == {"runtime": {"name": "CPython"}}
    assert scrubbed["transaction"] == "/dossiers/{pk}/"
    assert "user" not in scrubbed
