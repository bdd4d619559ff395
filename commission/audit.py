"""The one mechanism that records reads of personal data: `get_or_404` for a single object, `record`
for lists, exports and downloads. Objects are named by type and id, never by a person's name."""

from axes.helpers import get_client_ip_address
from django.db import connection, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commission.enums import AuditAction
from commission.models import AccessLog


def client_ip(request):
    """The client's address as the lockout reads it (BEHIND_PROXY, PROXY_COUNT: commission/settings.py)."""
    return get_client_ip_address(request)


def person_id_of(obj):
    """The person an object is about, for the DPO's filter by person."""
    label = obj._meta.label
    if label == "beneficiaires.Beneficiaire":
        return obj.pk
    for path in (
        "beneficiaire_id",
        "demande.beneficiaire_id",
        "parcours.beneficiaire_id",
        "decision.demande.beneficiaire_id",
        "periode.parcours.beneficiaire_id",  # an AFIS right
    ):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        return value
    return None


def record(request, obj, action=AuditAction.READ, *, object_type=None, object_id=None, person_id=None):
    return AccessLog.objects.create(
        user=request.user,
        ip=client_ip(request),
        action=action,
        object_type=object_type or obj._meta.label,
        object_id=str(object_id if object_id is not None else obj.pk),
        person_id=person_id if person_id is not None else (person_id_of(obj) if obj is not None else None),
        path=request.path[:300],
    )


def record_list(request, objects, action=AuditAction.READ) -> None:
    """A page that lists persons reads each identity it shows: one row per object, one INSERT."""
    record_rows(
        request.user.pk,
        [(obj._meta.label, obj.pk, person_id_of(obj)) for obj in objects],
        action,
        ip=client_ip(request),
        path=request.path,
    )


def record_rows(user_id, rows, action=AuditAction.READ, *, ip=None, path="") -> None:
    """Rows of (object type, object id, person id), for one user, in one INSERT, chained after the last
    row written (see AccessLog.hash). Also for a task without a request (an export made in the
    background names the user who asked for it).

    On PostgreSQL the rows go as arrays (INSERT … SELECT unnest): preparing many model instances for
    bulk_create cost a list page twice the INSERT itself."""
    at, path = timezone.now(), path[:300]
    entries = [
        AccessLog(
            at=at,
            user_id=user_id,
            ip=ip,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            person_id=person_id,
            path=path,
        )
        for object_type, object_id, person_id in rows
    ]
    if not entries:
        return
    if connection.vendor != "postgresql":
        AccessLog.objects.bulk_create(entries)
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        AccessLog.objects.chain(entries)
        cursor.execute(
            f"INSERT INTO {AccessLog._meta.db_table} "  # noqa: S608 (table name from the model, values as parameters)
            "(at, user_id, ip, action, path, object_type, object_id, person_id, hash) "
            "SELECT %s, %s, %s::inet, %s, %s, unnest(%s::varchar[]), unnest(%s::varchar[]), unnest(%s::bigint[]), "
            "unnest(%s::varchar[])",
            [
                at,
                user_id,
                ip,
                str(action),
                path,
                [entry.object_type for entry in entries],
                [entry.object_id for entry in entries],
                [entry.person_id for entry in entries],
                [entry.hash for entry in entries],
            ],
        )


def get_or_404(request, queryset, action=AuditAction.READ, **lookup):
    """`get_object_or_404` on the user's scope, recording the read when the object is found."""
    obj = get_object_or_404(queryset, **lookup)
    record(request, obj, action)
    return obj


def mask_value(value: str) -> str:
    """Change history keeps which field changed, not what a person's identity or story was."""
    return "•••" if value else value
