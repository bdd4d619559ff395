"""The one validator of the site's input (commission/validators.py): what text, dates and numbers every
form refuses, in French, and what the database refuses whatever the form did."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from beneficiaires.models import Beneficiaire
from commission.validators import CleanInputMixin, TextValidator, safe_next
from parcours.models import BaremeAfis, Demande, DroitAfis, ForfaitRsa
from tests.factories import BeneficiaireFactory, DemandeFactory, DroitAfisFactory


def message_of(validator, value):
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.messages[0]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Oka\x07for", "caractère de contrôle invisible (U+0007)"),
        ("Ada\x00eze", "caractère de contrôle invisible (U+0000)"),
        ("Eze\x7f", "caractère de contrôle invisible (U+007F"),
        ("Ba\x85la", "caractère de contrôle invisible (U+0085"),
        ("\u202eroflakO", "change le sens d’écriture (U+202E RIGHT-TO-LEFT OVERRIDE)"),
        ("Nne\u2066ka\u2069", "change le sens d’écriture (U+2066"),
        ("Ada\u200feze", "change le sens d’écriture (U+200F"),
        ("Ade\ufffdola", "caractère illisible (U+FFFD"),
        ("Ade\ud800ola", "caractère illisible (U+D800"),
    ],
)
def test_invisible_characters_are_refused_with_a_french_message_naming_them(value, words):
    assert words in message_of(TextValidator(multiline=True), value)


def test_line_breaks_and_tabs_are_text_in_a_textarea_only():
    TextValidator(multiline=True)("Première ligne\r\n\tdeuxième ligne")
    message = message_of(TextValidator(), "Okafor\nAdaeze")
    assert message == "Ce champ tient sur une ligne : retirez les retours à la ligne et tabulations."


@pytest.mark.parametrize(
    "value", ["Ngozi Ọbáfẹ́mi", "Nguyễn Thị Minh Khai", "محمد عبد الله", "Łucja Żółć", "O’Neil-Dupré (née X)"]
)
def test_names_in_any_script_pass(value):
    TextValidator()(value)


class SampleForm(CleanInputMixin, forms.Form):
    name = forms.CharField()
    story = forms.CharField(widget=forms.Textarea, required=False)
    birth_date = forms.DateField(required=False)
    decided_on = forms.DateField(required=False)
    amount = forms.DecimalField(required=False)
    count = forms.IntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added after __init__, as ProjetForm does: cleaned all the same.
        self.fields["late"] = forms.CharField(required=False)


def errors_of(**data):
    form = SampleForm({"name": "Okafor", **data})
    form.is_valid()
    return {name: errors[0] for name, errors in form.errors.items()}


def test_a_form_with_the_mixin_refuses_each_kind_of_hostile_value_and_keeps_it():
    form = SampleForm({"name": "Oka\x07for", "late": "\u202ex", "story": "Ligne 1\nLigne 2"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "late"}
    assert 'value="Oka\x07for"' in str(form["name"])  # what was typed is kept


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "birth_date",
            "1800-01-01",
            "La date de naissance doit être comprise entre le 01/01/1900 et aujourd’hui.",
        ),
        ("decided_on", "2015-12-31", "La date doit être comprise entre le 01/01/2016"),
        ("decided_on", "9999-12-31", "La date doit être comprise entre le 01/01/2016"),
        ("decided_on", "2024-02-30", "Saisissez une date valide."),
        ("amount", "-1", "Indiquez un nombre positif ou nul."),
        ("amount", "-0.01", "Indiquez un nombre positif ou nul."),
        ("amount", "NaN", "Saisissez un nombre."),
        ("amount", "1e309", "Ce nombre est trop grand : vérifiez-le."),
        ("count", "-1", "Indiquez un nombre positif ou nul."),
        ("count", "99999999999999999999", "Ce nombre est trop grand : vérifiez-le."),
    ],
)
def test_implausible_dates_and_numbers_are_refused_in_french(field, value, message):
    assert errors_of(**{field: value})[field].startswith(message)


def test_the_birth_date_range_ends_today_and_the_procedure_ten_years_ahead():
    today = timezone.localdate()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "birth_date" in errors_of(birth_date=tomorrow)
    assert errors_of(birth_date=today.isoformat(), decided_on=tomorrow) == {}
    assert errors_of(decided_on=f"{today.year + 10}-12-31") == {}
    assert "decided_on" in errors_of(decided_on=f"{today.year + 11}-01-01")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/dossiers/3/", "/dossiers/3/"),
        ("/dossiers/?page=2#fil", "/dossiers/?page=2#fil"),
        ("home", None),
        ("parcours:dossier", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("/\x00", None),
        ("/\u202e", None),
        (None, None),
    ],
)
def test_a_next_target_is_a_path_of_the_site_or_nothing(target, expected):
    request = RequestFactory().get("/")
    assert safe_next(request, target) == expected


# --- the database refuses negative amounts and a birth date before 1900 --------------------------


def refused(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


@pytest.mark.django_db
def test_the_database_refuses_negative_amounts():
    person = BeneficiaireFactory()
    refused(Beneficiaire.objects.filter(pk=person.pk), ressources_mensuelles=Decimal("-1"))
    demande = DemandeFactory()
    refused(Demande.objects.filter(pk=demande.pk), ressources_foyer=Decimal("-0.01"))
    bareme = BaremeAfis.objects.all()[:1].get()
    for column in ("amount_0", "amount_1", "amount_2", "amount_3", "increment_per_child"):
        refused(BaremeAfis.objects.filter(pk=bareme.pk), **{column: Decimal("-5")})
    forfait = ForfaitRsa.objects.all()[:1].get()
    refused(ForfaitRsa.objects.filter(pk=forfait.pk), amount=Decimal("-5"))
    droit = DroitAfisFactory()
    refused(DroitAfis.objects.filter(pk=droit.pk), monthly_amount=Decimal("-5"))
    # Zero and unknown stay possible.
    Beneficiaire.objects.filter(pk=person.pk).update(ressources_mensuelles=0)
    Demande.objects.filter(pk=demande.pk).update(ressources_foyer=None)


@pytest.mark.django_db
def test_the_database_refuses_a_birth_date_before_1900():
    person = BeneficiaireFactory()
    refused(Beneficiaire.objects.filter(pk=person.pk), birth_date=datetime.date(1899, 12, 31))
    Beneficiaire.objects.filter(pk=person.pk).update(birth_date=datetime.date(1900, 1, 1))
