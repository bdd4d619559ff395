"""Two colleagues editing the same record: the second save, based on an older version, is refused.

The version of a record is the last entry of its change history (django-auditlog writes one in the
same transaction as every save that changes a field). An edit form carries, in a hidden field, the
version it was shown with (`VersionedFormMixin`); when it comes back, `conflict()` locks the records
(`select_for_update`, held until the request's transaction ends) and reads the history written since.
A change there to a field the form writes refuses the save with who changed which fields and when;
the form is shown again with the user's input and the new version, so that a second submission,
checked by the user, saves on top of the colleague's change. Changes to fields the form does not
write (another step of the application, say) do not stand in the way: the view saves only its own
fields over a record it has just read again.
"""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FIELD = "version"


def _history(objects):
    """The change history of the saved `objects` (entries of any kind: change, creation, deletion)."""
    condition = Q(pk__in=[])
    for obj in objects:
        if obj is not None and obj.pk is not None:
            condition |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    return LogEntry.objects.filter(condition)


def current(objects) -> int:
    """The version of these records: the id of their last history entry (0 when none)."""
    if not any(obj is not None and obj.pk is not None for obj in objects):
        return 0
    return _history(objects).aggregate(last=Max("pk"))["last"] or 0


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@dataclass
class Conflict:
    """What changed since the version the user started from."""

    entries: list
    version: int

    @property
    def message(self) -> str:
        last = self.entries[-1]
        labels = []
        for entry in self.entries:
            model = entry.content_type.model_class()
            for name in entry.changes_dict or {}:
                label = _label(model, name)
                if label not in labels:
                    labels.append(label)
        at = timezone.localtime(last.timestamp)
        return _(
            "%(who)s a modifié cette fiche le %(day)s à %(time)s (champs : %(fields)s) pendant que vous la "
            "modifiiez. Vos saisies sont conservées ci-dessous : vérifiez-les puis enregistrez de nouveau."
        ) % {
            "who": str(last.actor) if last.actor else _("Une autre personne"),
            "day": date_format(at, "d/m/Y"),
            "time": date_format(at, "H:i"),
            "fields": ", ".join(label.lower() for label in labels) or _("fiche supprimée ou recréée"),
        }


def conflict(objects, *, since: int, fields=None) -> Conflict | None:
    """The changes made to `objects` after the version `since`, under a lock on their rows, or None.

    `fields` names the model fields the form writes: only changes to those stand in the way (None: any
    change). The lock lasts until the transaction ends, so no colleague's save slips between this
    check and the save that follows it."""
    objects = [obj for obj in objects if obj is not None and obj.pk is not None]
    with transaction.atomic():
        for obj in objects:
            list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
        entries = list(
            _history(objects).filter(pk__gt=since).select_related("actor", "content_type").order_by("pk")
        )
    if fields is not None:
        fields = set(fields)
        entries = [
            entry
            for entry in entries
            # A creation or deletion changes everything; a change matters when it touches our fields.
            if entry.action != LogEntry.Action.UPDATE or fields & set(entry.changes_dict or {})
        ]
    if not entries:
        return None
    return Conflict(entries=entries, version=current(objects))


class VersionedFormMixin:
    """An edit form that refuses a save based on an older version of its records.

    The form gets a hidden `version` field; the template renders it with `{% form_guard form %}`.
    `versioned_objects()` names the records the form writes (the ModelForm's instance by default),
    `versioned_fields()` the fields it writes (the form's model fields by default; None: all).
    A submission without the field (an old page, a script) is not checked."""

    def __init__(self, *args, versioned=None, version=None, **kwargs):
        # A plain Form names its record with `versioned=`; a ModelForm's is its instance. A page of many
        # forms reads the version of all their records at once and gives it with `version=`.
        self.versioned = versioned
        super().__init__(*args, **kwargs)
        # Read when the form is shown (a callable initial), once the subclass has its records.
        self.fields[FIELD] = forms.IntegerField(
            required=False,
            min_value=0,
            widget=forms.HiddenInput,
            initial=version if version is not None else (lambda: current(self.versioned_objects())),
        )

    def versioned_objects(self):
        return [self.versioned if self.versioned is not None else getattr(self, "instance", None)]

    def versioned_fields(self):
        if not isinstance(self, forms.ModelForm):
            return None  # its fields are not the model's: any change stands in the way
        return [name for name in self.fields if name != FIELD]

    def clean(self):
        cleaned_data = super().clean()
        # Not part of what the form saves: views may pass cleaned_data on as it is.
        since = cleaned_data.pop(FIELD, None)
        if since is None:
            return cleaned_data
        found = conflict(self.versioned_objects(), since=since, fields=self.versioned_fields())
        if found is not None:
            self.add_error(None, found.message)
            # Shown again with the new version: the user's next submission saves over it.
            data = self.data.copy()
            data[self.add_prefix(FIELD)] = str(found.version)
            self.data = data
        return cleaned_data
