"""The one mechanism that records reads of personal data: `get_or_404` for a single object, `record`
for lists, exports and downloads. Objects are named by type and id, never by a person's name."""

from axes.helpers import get_client_ip_address
from django.db import connection
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


def record_list(request, objects) -> None:
    """A page that lists persons reads each identity it shows: one row per object, one INSERT.

    On PostgreSQL the rows go as arrays of the objects' types, ids and persons beside the request's own
    values (INSERT … SELECT unnest): preparing twenty model instances for bulk_create cost the list page
    twice the INSERT itself."""
    objects = list(objects)
    if not objects:
        return
    ip, path = client_ip(request), request.path[:300]
    if connection.vendor != "postgresql":
        AccessLog.objects.bulk_create(
            AccessLog(
                user_id=request.user.pk,
                ip=ip,
                action=AuditAction.READ,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                person_id=person_id_of(obj),
                path=path,
            )
            for obj in objects
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AccessLog._meta.db_table} "  # noqa: S608 (table name from the model, values as parameters)
            "(at, user_id, ip, action, path, object_type, object_id, person_id) "
            "SELECT %s, %s, %s::inet, %s, %s, unnest(%s::varchar[]), unnest(%s::varchar[]), unnest(%s::bigint[])",
            [
                timezone.now(),
                request.user.pk,
                ip,
                AuditAction.READ.value,
                path,
                [obj._meta.label for obj in objects],
                [str(obj.pk) for obj in objects],
                [person_id_of(obj) for obj in objects],
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
