"""Errors reach someone, and say nothing of anyone; the health check says what is down.

Error reporting. With DEBUG off, every error logged (a request's 500, a failed task, the access log's
broken chain) is e-mailed to ADMINS (`PrivateAdminEmailHandler`, in settings.LOGGING) and, when
SENTRY_DSN is set, sent to Sentry (`init_sentry`). Neither carries personal data: the e-mail is plain
text from `PrivateExceptionReporter`, which keeps where the error happened (the exception's type, the
files, lines and code of the traceback, the request's method and path) and hides what it happened to
(the exception's message, which PostgreSQL fills with the row's values; local variables; GET, POST and
FILES values; cookies; headers; the user, named by number only; the settings). Sentry gets no personal
data by its own options (`send_default_pii=False`, no local variables, no request body) and
`scrub_event` removes the rest before anything leaves the server.

Health. `health_report()` checks the database, Redis (when REDIS_URL), the worker (its heartbeat: a task
beat sends every minute, whose last success is a `JobRun` row), beat (django-celery-beat's record of
when it last sent that heartbeat) and each daily job of CELERY_BEAT_SCHEDULE (its last success,
recorded by `record_job_run` on Celery's task_success signal, so the tasks themselves carry nothing).
"""

import copy
import logging
import traceback
import warnings
from datetime import timedelta

from celery import shared_task
from celery.signals import task_success
from django.conf import settings
from django.utils import timezone
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

logger = logging.getLogger(__name__)

FILTERED = "[masqué]"

# --- Error e-mails -----------------------------------------------------------------------------------


class PrivateReporterFilter(SafeExceptionReporterFilter):
    """Every POST value, local variable and cookie hidden, whatever DEBUG says."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, FILTERED)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, FILTERED) for name in tb_frame.f_locals]

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), FILTERED)

    def get_safe_request_meta(self, request):
        if request is None:
            return {}
        kept = {"REQUEST_METHOD", "PATH_INFO", "SERVER_NAME", "SERVER_PORT", "CONTENT_TYPE", "CONTENT_LENGTH"}
        return {key: (value if key in kept else FILTERED) for key, value in request.META.items()}


class PrivateExceptionReporter(ExceptionReporter):
    """The text of an error e-mail: where it happened, never what or whom it happened to."""

    def __init__(self, request, exc_type, exc_value, tb, is_email=False):
        super().__init__(request, exc_type, exc_value, tb, is_email=is_email)
        self.filter = PrivateReporterFilter()

    def get_traceback_frames(self):
        frames = super().get_traceback_frames()
        for frame in frames:
            frame["vars"] = [(name, FILTERED) for name, _value in frame.get("vars", [])]
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = type(frame["exc_cause"]).__name__
        return frames

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "exception_value" in data:
            data["exception_value"] = FILTERED
        data.pop("exception_notes", None)
        data["settings"] = {
            "SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "INSTALLED_APPS": settings.INSTALLED_APPS,
            "MIDDLEWARE": settings.MIDDLEWARE,
        }
        data["sys_path"] = []
        if self.request is not None:
            user = getattr(self.request, "user", None)
            pk = getattr(user, "pk", None)
            data["user_str"] = f"#{pk}" if pk is not None else None
            data["request_GET_items"] = [(key, FILTERED) for key in self.request.GET]
            data["request_FILES_items"] = [(key, FILTERED) for key in self.request.FILES]
            data["request_insecure_uri"] = self.request.path
        return data


def _masked_arg(value):
    return value if isinstance(value, int | float | bool) or value is None else FILTERED


class PrivateAdminEmailHandler(AdminEmailHandler):
    """Django's mail_admins handler, plain text only, through `PrivateExceptionReporter`; the message's
    arguments other than numbers (a path, an exception's text, a name) are masked in the subject and
    body, the message itself (the code's own words) is kept."""

    def __init__(self, include_html=False, email_backend=None, reporter_class=None):
        super().__init__(
            include_html=False,
            email_backend=email_backend,
            reporter_class=reporter_class or "commission.monitoring.PrivateExceptionReporter",
        )

    def emit(self, record):
        record = copy.copy(record)
        if isinstance(record.args, dict):
            record.args = {key: _masked_arg(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_masked_arg(value) for value in record.args)
        super().emit(record)


class PrivateFormatter(logging.Formatter):
    """The server's log: a traceback keeps its files, lines and code, and the exceptions' types, not their
    messages (PostgreSQL's quote the row's values, ours may name a person)."""

    def formatException(self, ei):  # noqa: N802 (logging's name)
        _exc_type, value, tb = ei
        chain = []
        while value is not None and value not in chain:
            chain.append(value)
            value = value.__cause__ or (None if value.__suppress_context__ else value.__context__)
        parts = []
        for index, exception in enumerate(reversed(chain)):
            if index:
                parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
            frames = exception.__traceback__ if exception is not chain[0] else tb
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(frames))
            parts.append(f"{type(exception).__module__}.{type(exception).__qualname__}: {FILTERED}\n")
        return "".join(parts).rstrip("\n")


# --- Sentry ------------------------------------------------------------------------------------------

# What an event keeps: where it happened (stack, release, environment, the route's pattern), not whom.
_EVENT_KEYS_KEPT = {
    "event_id",
    "timestamp",
    "platform",
    "level",
    "logger",
    "transaction",
    "transaction_info",
    "server_name",
    "release",
    "environment",
    "dist",
    "modules",
    "sdk",
    "tags",
    "fingerprint",
    "exception",
    "threads",
    "logentry",
    "breadcrumbs",
    "contexts",
    "request",
    "extra",
    "type",
}
_CONTEXTS_KEPT = {"runtime", "os", "device", "app", "trace", "celery"}
_BREADCRUMB_KEYS_KEPT = {"type", "category", "level", "timestamp"}


def _scrub_stacktrace(stacktrace):
    for frame in (stacktrace or {}).get("frames", []):
        frame.pop("vars", None)


def scrub_breadcrumb(crumb, hint=None):
    """A breadcrumb keeps its kind and time: its message (a log line, a query's parameters) is dropped."""
    return {key: value for key, value in crumb.items() if key in _BREADCRUMB_KEYS_KEPT}


def scrub_event(event, hint=None):
    """Sentry's before_send: the event without anything that may name or describe a person."""
    for key in list(event):
        if key not in _EVENT_KEYS_KEPT:
            del event[key]
    request = event.get("request")
    if request is not None:
        # The method only: the URL's path may hold a one-time token, the route's pattern is the transaction.
        event["request"] = {key: request[key] for key in ("method",) if key in request}
    for exception in (event.get("exception") or {}).get("values", []):
        if exception.get("value"):
            exception["value"] = FILTERED
        _scrub_stacktrace(exception.get("stacktrace"))
    for thread in (event.get("threads") or {}).get("values", []):
        _scrub_stacktrace(thread.get("stacktrace"))
    logentry = event.get("logentry")
    if logentry is not None:
        # The code's own words, without the values put into them.
        event["logentry"] = {"message": logentry.get("message", "")}
    breadcrumbs = event.get("breadcrumbs")
    if breadcrumbs is not None:
        values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs
        event["breadcrumbs"] = {"values": [scrub_breadcrumb(crumb) for crumb in values]}
    if "contexts" in event:
        event["contexts"] = {key: value for key, value in event["contexts"].items() if key in _CONTEXTS_KEPT}
    if "extra" in event:
        # The Celery integration's job: its task's name, never its arguments.
        job = event["extra"].get("celery-job") or {}
        event["extra"] = {"celery-job": {"task_name": job["task_name"]}} if "task_name" in job else {}
    return event


def sentry_options(dsn, **overrides):
    """The options the site gives sentry_sdk.init (the tests reuse them with their own transport)."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {
        "dsn": dsn,
        "integrations": [DjangoIntegration(transaction_style="url"), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
        "traces_sample_rate": 0,
    }
    options.update(overrides)
    return options


def init_sentry(dsn, **overrides):
    import sentry_sdk

    with warnings.catch_warnings():
        # sentry-sdk 2.7x prefers its newer data_collection option, absent from the older releases the
        # range allows; send_default_pii=False is still honoured, and said explicitly here.
        warnings.filterwarnings(
            "ignore", message="The send_default_pii option is deprecated", category=DeprecationWarning
        )
        sentry_sdk.init(**sentry_options(dsn, **overrides))


# --- Heartbeat and job runs --------------------------------------------------------------------------

HEARTBEAT_TASK = "commission.monitoring.heartbeat"
HEARTBEAT_ENTRY = "heartbeat"
# Beat sends the heartbeat every minute; beyond this silence the worker or beat counts as down (beat
# writes when it sent a task every few minutes: django-celery-beat's sync).
SILENCE_LIMIT = timedelta(minutes=10)
# A daily job not successful for this long is late.
DAILY_LIMIT = timedelta(hours=26)


@shared_task(name=HEARTBEAT_TASK)
def heartbeat():
    """Every minute (CELERY_BEAT_SCHEDULE): its recorded success tells the health check a worker runs."""
    return "alive"


def daily_jobs():
    """{schedule entry name: task name} of the daily jobs: every beat entry but the heartbeat."""
    return {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] != HEARTBEAT_TASK
    }


def record_job_run(task_name, at=None):
    from commission.models import JobRun

    at = at or timezone.now()
    run, created = JobRun.objects.get_or_create(
        task=task_name, defaults={"first_success_at": at, "last_success_at": at}
    )
    if not created:
        JobRun.objects.filter(pk=run.pk).update(last_success_at=at)


@task_success.connect
def _on_task_success(sender=None, **kwargs):
    name = getattr(sender, "name", None)
    if name == HEARTBEAT_TASK or name in daily_jobs().values():
        try:
            record_job_run(name)
        except Exception:  # the job did its work: a failed record must not turn it into a failure
            logger.warning("Could not record the success of %s", name, exc_info=True)


# --- Health ------------------------------------------------------------------------------------------

# Statuses, stable codes for the operator's monitoring (not pages: nobody reads them in the site).
OK = "ok"
DOWN = "down"  # the check raised: the log says why (its type), the answer only which part
LATE = "late"
NEVER = "never"
PENDING = "pending"  # a daily job not yet due since the worker first answered
NOT_CONFIGURED = "not_configured"  # Redis without REDIS_URL
EAGER = "eager"  # tasks run in the web process: no worker, no beat, no daily job
_FINE = {OK, PENDING, NOT_CONFIGURED, EAGER}


def _check_database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _check_redis():
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return OK


def _age_status(at, limit, now):
    if at is None:
        return NEVER
    return OK if now - at <= limit else LATE


def _check_worker(now):
    from commission.models import JobRun

    run = JobRun.objects.filter(task=HEARTBEAT_TASK).first()
    return _age_status(run and run.last_success_at, SILENCE_LIMIT, now)


def _check_beat(now):
    from django_celery_beat.models import PeriodicTask

    last_sent = (
        PeriodicTask.objects.filter(name=HEARTBEAT_ENTRY).values_list("last_run_at", flat=True).first()
    )
    return _age_status(last_sent, SILENCE_LIMIT, now)


def _check_jobs(now):
    from commission.models import JobRun

    runs = {run.task: run for run in JobRun.objects.filter(task__in=[HEARTBEAT_TASK, *daily_jobs().values()])}
    heartbeat_run = runs.get(HEARTBEAT_TASK)
    # A new installation: a job not yet due since the worker first answered is pending, not late.
    young = heartbeat_run is not None and now - heartbeat_run.first_success_at <= DAILY_LIMIT
    statuses = {}
    for entry, task in sorted(daily_jobs().items()):
        run = runs.get(task)
        if run is None and young:
            statuses[entry] = PENDING
        else:
            statuses[entry] = _age_status(run and run.last_success_at, DAILY_LIMIT, now)
    return statuses


def _guarded(name, check, *args):
    try:
        return check(*args)
    except Exception as error:
        # The operator's log says why; the public answer only says which part.
        logger.warning("Health check %s failed: %s", name, type(error).__name__)
        return DOWN


def health_report():
    """(healthy, report): each part's status ("ok" or what is wrong), the failing parts named."""
    now = timezone.now()
    checks = {"database": _guarded("database", _check_database)}
    checks["redis"] = _guarded("redis", _check_redis) if settings.REDIS_URL else NOT_CONFIGURED
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Tasks run in the web process: no worker, no beat, no daily job (the demo; README: unfit for
        # production, which refuses to start so unless told CELERY_TASK_ALWAYS_EAGER=1).
        checks["worker"] = checks["beat"] = EAGER
        jobs = {}
    else:
        checks["worker"] = _guarded("worker", _check_worker, now)
        checks["beat"] = _guarded("beat", _check_beat, now)
        jobs = _guarded("jobs", _check_jobs, now)
        if not isinstance(jobs, dict):
            jobs = dict.fromkeys(sorted(daily_jobs()), jobs)
    failing = [name for name in ("database", "redis", "worker", "beat") if checks[name] not in _FINE]
    failing += [f"jobs.{entry}" for entry, status in jobs.items() if status not in _FINE]
    report = {"status": OK if not failing else DOWN, "checks": {**checks, "jobs": jobs}}
    if failing:
        report["failing"] = failing
    return not failing, report
