"""What every form of the site refuses, in one place: invisible characters in text, implausible dates,
negative or overflowing numbers; and where a `next` parameter may send the browser.

`CleanInputMixin` puts these validators on every field of a form, by the field's type, so a form
written tomorrow is covered as soon as it inherits the mixin (tests/test_hostile_input.py checks that
every form of the project does, and drives every form of every role with hostile values).

Refused in text:
- control characters: C0 (U+0000–U+001F) but for tab, line feed and carriage return in a multi-line
  field (a textarea), DEL (U+007F) and C1 (U+0080–U+009F). They are invisible, make a spreadsheet
  export fail and can forge lines in a log;
- the bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069) and the
  invisible direction marks (U+200E, U+200F, U+061C). They reorder what is shown ("Trojan source"), so
  that a name or a reference reads differently from what is stored, and an invisible mark in a name
  defeats the duplicate check and the search. Text in Arabic or Hebrew script displays correctly without
  them: the Unicode bidirectional algorithm orders it by itself;
- the replacement character U+FFFD, the lone surrogates and the non-characters U+FFFE/U+FFFF: what
  bytes that were not valid UTF-8 become once decoded. Django decodes a query string or a form body
  with errors="replace", so invalid UTF-8 arrives as U+FFFD and is refused here with a form error.
"""

import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f"
_LINE_BREAKS = "\t\n\r"
_DEL_C1 = "\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_UNDECODABLE = "\ufffd\ufffe\uffff\ud800-\udfff"

CONTROL_MULTILINE = re.compile(f"[{_C0}{_DEL_C1}]")
CONTROL_SINGLE_LINE = re.compile(f"[{_C0}{_LINE_BREAKS}{_DEL_C1}]")
BIDI = re.compile(f"[{_BIDI}]")
UNDECODABLE = re.compile(f"[{_UNDECODABLE}]")
# Everything a stored text must never hold, line breaks aside: for the exports and the tests.
FORBIDDEN_IN_TEXT = re.compile(f"[{_C0}{_DEL_C1}{_BIDI}{_UNDECODABLE}]")

# The PSP was created by loi n° 2016-444 of 13 April 2016: no date of the procedure precedes 2016.
PROCEDURE_START = datetime.date(2016, 1, 1)
# How far ahead a date of the procedure may lie: a permit's validity, a session's day.
PROCEDURE_YEARS_AHEAD = 10
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# The largest number any form takes: a 32-bit integer column holds it on every database.
MAX_INTEGER = 2_147_483_647


def _code_point(character):
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


@deconstructible
class TextValidator:
    """Refuses control, bidirectional and undecodable characters; `multiline` lets tab and line breaks
    through (a textarea)."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        if match := UNDECODABLE.search(value):
            raise ValidationError(
                _(
                    "Ce texte contient un caractère illisible (%(char)s), souvent le reste d’un copier-coller "
                    "depuis un document mal encodé : retapez le passage concerné."
                ),
                code="undecodable",
                params={"char": _code_point(match.group())},
            )
        if match := BIDI.search(value):
            raise ValidationError(
                _(
                    "Ce texte contient un caractère invisible qui change le sens d’écriture (%(char)s) : "
                    "retapez le texte au lieu de le coller, ou supprimez ce caractère."
                ),
                code="bidi",
                params={"char": _code_point(match.group())},
            )
        control = CONTROL_MULTILINE if self.multiline else CONTROL_SINGLE_LINE
        if match := control.search(value):
            message = (
                _(
                    "Ce texte contient un caractère de contrôle invisible (%(char)s) : retapez le texte "
                    "au lieu de le coller, ou supprimez ce caractère."
                )
                if self.multiline or match.group() not in _LINE_BREAKS
                else _("Ce champ tient sur une ligne : retirez les retours à la ligne et tabulations.")
            )
            raise ValidationError(message, code="control", params={"char": _code_point(match.group())})

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.multiline == self.multiline


def validate_text(value, multiline=False):
    TextValidator(multiline)(value)


def procedure_end(today=None):
    today = today or timezone.localdate()
    return datetime.date(today.year + PROCEDURE_YEARS_AHEAD, 12, 31)


@deconstructible
class DateRangeValidator:
    """A plausible date: a birth date between 1900 and today; any other date of the procedure between
    the year of the law that created the PSP and ten years ahead."""

    BIRTH = "birth"
    PROCEDURE = "procedure"

    def __init__(self, kind=PROCEDURE):
        self.kind = kind

    def __call__(self, value):
        if not isinstance(value, datetime.date):
            return
        if isinstance(value, datetime.datetime):
            value = value.date()
        today = timezone.localdate()
        if self.kind == self.BIRTH:
            if not EARLIEST_BIRTH_DATE <= value <= today:
                raise ValidationError(
                    _("La date de naissance doit être comprise entre le %(start)s et aujourd’hui."),
                    code="date_range",
                    params={"start": date_format(EARLIEST_BIRTH_DATE, "SHORT_DATE_FORMAT")},
                )
        elif not PROCEDURE_START <= value <= procedure_end(today):
            raise ValidationError(
                _(
                    "La date doit être comprise entre le %(start)s (le parcours de sortie de la prostitution "
                    "date de la loi du 13 avril 2016) et le %(end)s : vérifiez l’année."
                ),
                code="date_range",
                params={
                    "start": date_format(PROCEDURE_START, "SHORT_DATE_FORMAT"),
                    "end": date_format(procedure_end(today), "SHORT_DATE_FORMAT"),
                },
            )

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and other.kind == self.kind


validate_birth_date = DateRangeValidator(DateRangeValidator.BIRTH)
validate_procedure_date = DateRangeValidator(DateRangeValidator.PROCEDURE)

not_negative = MinValueValidator(0, _("Indiquez un nombre positif ou nul."))
not_too_large = MaxValueValidator(MAX_INTEGER, _("Ce nombre est trop grand : vérifiez-le."))


class CleanInputMixin:
    """For every form of the site: its fields refuse what no user means to type (see the module's
    docstring). Text fields get `TextValidator` (multi-line for a textarea); date fields a plausible
    range, the birth-date range for the fields named in `birth_date_fields`; number fields a floor of 0
    and a ceiling of MAX_INTEGER unless they declare their own."""

    birth_date_fields = ("birth_date",)

    def full_clean(self):
        # At cleaning rather than at creation: a form may add fields after its __init__ (ProjetForm).
        for name, field in self.fields.items():
            secure_field(field, birth_date=name in self.birth_date_fields)
        super().full_clean()


def _add(field, validator):
    if validator not in field.validators:
        field.validators.append(validator)


def secure_field(field, *, birth_date=False):
    """Put on `field` the validators its type calls for (see CleanInputMixin)."""
    if isinstance(field, forms.CharField):
        _add(field, TextValidator(multiline=isinstance(field.widget, forms.Textarea)))
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        _add(field, validate_birth_date if birth_date else validate_procedure_date)
    elif isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        if field.min_value is None:
            _add(field, not_negative)
        if field.max_value is None:
            _add(field, not_too_large)


def safe_next(request, target):
    """`target` if it is a path of this site (what a `next` parameter may redirect to), else None.

    Only a path: not a URL name, which `redirect()` would try to reverse (a crafted `next=home:x`
    answered 500), nor another host or scheme."""
    if not isinstance(target, str) or not target.startswith("/") or FORBIDDEN_IN_TEXT.search(target):
        return None
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
