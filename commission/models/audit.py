import datetime
import hashlib
import ipaddress
import json

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import AuditAction


class AppendOnlyError(Exception):
    pass


# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that orders the chain's inserts.
CHAIN_LOCK = 0x5053_505F_6C6F_67  # "PSP_log"


def canonical(row) -> str:
    """What a row's hash covers: every field but its id and its hash, in one fixed text form."""
    at = row.at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    ip = str(ipaddress.ip_address(row.ip)) if row.ip else None
    values = [
        at,
        row.user_id,
        ip,
        str(row.action),
        row.object_type,
        str(row.object_id),
        row.person_id,
        row.path,
    ]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous: str, row) -> str:
    return hashlib.sha256((previous + canonical(row)).encode()).hexdigest()


class AccessLogQuerySet(models.QuerySet):
    def last_hash(self) -> str:
        """The hash the next row chains to, taking the chain's lock first: on PostgreSQL a
        transaction-level advisory lock, so two requests never chain to the same row (held until the
        transaction ends), then the last hash, in one call of psp_accesslog_chain_head() (migration
        0011: a VOLATILE function, so its SELECT sees the rows committed while it waited for the lock);
        SQLite serialises writes itself."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT psp_accesslog_chain_head(%s)", [CHAIN_LOCK])
                return cursor.fetchone()[0] or ""
        return self.order_by("-pk").values_list("hash", flat=True).first() or ""

    def chain(self, rows):
        """Give each new row its hash, in order, after the last row written."""
        previous = self.last_hash()
        for row in rows:
            row.path = row.path[:300]
            row.hash = previous = chain_hash(previous, row)
        return rows

    def verify(self):
        """Walk the chain in id order. Returns (rows checked, last row, first broken row or None): the
        first row whose hash is not sha256(previous hash + its content), whether the row itself was
        changed or the one before it removed."""
        previous, checked, last = "", 0, None
        for row in self.order_by("pk").iterator(chunk_size=2000):
            if row.hash != chain_hash(previous, row):
                return checked, last, row
            previous, checked, last = row.hash, checked + 1, row
        return checked, last, None

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            return super().bulk_create(self.chain(list(objs)), *args, **kwargs)


class AccessLog(models.Model):
    """One row per read, download, export or letter of personal data: who, when, from where, which object.

    Append-only: the application never updates or deletes a row (save and delete refuse it), and on
    PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on the table (migrations 0006 and 0011).

    Each row carries `hash`: sha256 of the previous row's hash and this row's content (`canonical`), so a
    row removed or changed behind the application's back breaks the chain at the next row
    (`manage.py verify_access_log` names it).
    """

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur·rice"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Vide pour une tâche automatique (anonymisation planifiée)."),
    )
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("type d’objet"), max_length=50)
    object_id = models.CharField(_("identifiant"), max_length=40)
    person_id = models.BigIntegerField(
        _("personne concernée (identifiant)"), null=True, blank=True, db_index=True
    )
    path = models.CharField(_("adresse consultée"), max_length=300, blank=True)
    hash = models.CharField(_("empreinte chaînée"), max_length=64, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal des accès")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="accesslog_action_valid")
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only")
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            AccessLog.objects.chain([self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only")
