"""Hostile input is answered cleanly, everywhere: never a 5xx, never an invalid value stored.

The forms are not listed here: each role GETs every page the permission matrix allows it, and the
<form method="post"> elements of those pages are parsed (html.parser) and submitted with values from a
shared corpus, one hostile value per kind of field per round. A form added tomorrow is covered as soon
as a page shows it. The GET parameters of every page (its search forms, `page`, filters) get the
same treatment, with invalid UTF-8 bytes in the query string. The whole corpus goes through a few
representative forms. After each form, every text, date and number column of the project's tables is
read again: a value that the validators of commission/validators.py refuse, and that was not there
before, fails the test.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission.validators import (
    EARLIEST_BIRTH_DATE,
    FORBIDDEN_IN_TEXT,
    PROCEDURE_START,
    CleanInputMixin,
    procedure_end,
)
from tests.conftest import seed_factories
from tests.matrix_world import World
from tests.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

# --- the corpus ----------------------------------------------------------------------------------

CORPUS = {
    "text": [
        "Oka\x07for",  # C0 control (bell)
        "\u202eroflakO",  # right-to-left override
        "Ada\x00eze",  # NUL byte
        "Ba\x85la",  # C1 control (next line)
        "Eze\x7f",  # DEL
        "Nne\u2066ka\u2069",  # bidi isolates
        "Ade\ufffdola",  # what invalid UTF-8 becomes once decoded
        "x" * 10_000,
        "'; DROP TABLE beneficiaires_beneficiaire; --",
        '<script>alert("xss")</script>',
        '=HYPERLINK("https://example.invalid")',
        "Ligne\rforgée\nINFO faux journal",
    ],
    "date": ["1800-01-01", "9999-12-31", "2024-02-30", "0001-01-01", "-1", "demain"],
    "number": ["-1", "1e309", "NaN", "-Infinity", "99999999999999999999", "1" * 400, "-0.01"],
    "choice": ["valeur-inconnue", "-1", "99999999999999999999", "\x00", "' OR 1=1 --"],
    "time": ["25:61", "\x00", "-1"],
    "tel": ["06\x0712 34", "\u202e87 65 43 21 60", "+33\x00"],
    "email": ["a\x07@example.org", "\u202eb@example.org", "x" * 10_000 + "@example.org"],
    "url": ["javascript:alert(1)", "https://exa\u202emple.org", "https://\x00"],
    # Hidden inputs: ids, actions, duplicates seen.
    "hidden": ["abc", "-1", "99999999999999999999", "1,2,\x00", "' OR 1=1 --"],
    "next": [
        "accueil",
        "home:nope",
        "javascript:alert(1)",
        "//evil.example/",
        "https://evil.example/",
        "/\x00",
    ],
}
SCRIPT = '<script>alert("xss")</script>'
PAGE_NUMBERS = ["-1", "abc", "0", "99999999999999999999", "1e309", "NaN"]
# Bytes that are not UTF-8, as a browser or an attacker may send them in a query string.
INVALID_UTF8_QUERY = "q=%FF%FE%C0%AF&page=%80&etat=%ED%A0%80&referent=%C3%28"
ROUNDS = 3


def kind_of(field):
    """The corpus a form field draws from, by its HTML shape."""
    tag, type_, name = field["tag"], field.get("type", "text"), field["name"]
    if name == "next":
        return "next"
    if type_ == "hidden":
        return "hidden"
    if type_ in ("tel", "email", "url"):
        return type_
    if tag == "select" or type_ in ("radio", "checkbox"):
        return "choice"
    if type_ == "date":
        return "date"
    if type_ == "time":
        return "time"
    if type_ == "number" or field.get("inputmode") in ("numeric", "decimal"):
        return "number"
    return "text"


# --- reading the forms of a page -------------------------------------------------------------------


class FormParser(HTMLParser):
    """The forms of a page: method, action, and their fields with the value the page proposes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "multipart": attrs.get("enctype") == "multipart/form-data",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if (
            tag in ("button", "input")
            and attrs.get("type", "submit" if tag == "button" else "text") == "submit"
        ):
            if name:
                self._form["buttons"].append((name, attrs.get("value", "")))
            return
        if not name:
            return
        if tag == "input":
            field = {"tag": "input", "name": name, "type": attrs.get("type", "text"), **attrs}
            field["checked"] = "checked" in attrs
            self._form["fields"].append(field)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": name, "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = {"tag": "select", "name": name, "type": "select", "value": None, "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["options"].append(value)
            if "selected" in attrs or self._select["value"] is None:
                self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html, page_url):
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        form["action"] = form["action"] or page_url
        if form["action"].startswith("?"):
            form["action"] = page_url.split("?")[0] + form["action"]
    return parser.forms


def plausible(field):
    """A value the form would likely accept for this field, so that one hostile field at a time can
    reach the database if nothing refuses it (None: send nothing)."""
    kind, value = kind_of(field), field.get("value")
    if field["type"] == "checkbox":
        return value if field["checked"] else None
    if kind == "choice":
        options = [option for option in field.get("options", []) if option]
        return value or (options[0] if options else "")
    if value:
        return value
    return {
        "text": "Texte ordinaire",
        "date": timezone.localdate().isoformat(),
        "number": "1",
        "time": "14:00",
        "tel": "06 12 34 56 78",
        "email": "personne@example.org",
        "url": "https://visio.example.org/salle",
    }.get(kind, "")


def kinds_in(form):
    return sorted(
        {kind_of(f) for f in form["fields"] if f["name"] != "csrfmiddlewaretoken" and f["type"] != "file"}
    )


def hostile_data(form, kind, index):
    """The form as the page proposes it, plausibly filled, with every field of `kind` (all kinds for
    "all") given the corpus's value number `index`; the submit buttons in turn."""
    data = {}
    for field in form["fields"]:
        name = field["name"]
        if field["type"] == "file":
            data[name] = SimpleUploadedFile("pi\u00e8ce\u202egpj.pdf", b"%PDF-1.4\x00\x07 not a pdf")
            continue
        if name == "csrfmiddlewaretoken":
            data[name] = field.get("value", "")
            continue
        if kind in ("all", kind_of(field)):
            corpus = CORPUS[kind_of(field)]
            data[name] = corpus[index % len(corpus)]
        elif field["type"] == "radio":
            # The checked one of the group, or else its first.
            if field["checked"] or name not in data:
                data[name] = field.get("value", "")
        else:
            value = plausible(field)
            if value is not None:
                data.setdefault(name, value)
    data = {name: value for name, value in data.items() if value is not None}
    if form["buttons"]:
        name, value = form["buttons"][index % len(form["buttons"])]
        data[name] = value
    return data


# --- what the database holds ---------------------------------------------------------------------

PROJECT_APPS = ("commission", "beneficiaires", "parcours", "seances")
# Written by the site itself, not typed: the access log keeps the path asked for.
NOT_TYPED = {"commission.accesslog"}


def invalid_values():
    """(table, pk, column, value) of every stored value the validators would refuse."""
    today = timezone.localdate()
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.label_lower in NOT_TYPED:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:

                def bad(value):
                    return isinstance(value, str) and FORBIDDEN_IN_TEXT.search(value)

            elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                low, high = (
                    (EARLIEST_BIRTH_DATE, today)
                    if field.name == "birth_date"
                    else (PROCEDURE_START, procedure_end(today))
                )

                def bad(value, low=low, high=high):
                    return value is not None and not low <= value <= high

            elif isinstance(field, (models.DecimalField, models.IntegerField)) and not field.primary_key:

                def bad(value):
                    return value is not None and (
                        value < 0 or (isinstance(value, Decimal) and not value.is_finite())
                    )

            else:
                continue
            for pk, value in model._default_manager.values_list("pk", field.attname):
                if bad(value):
                    found.add((model._meta.label, pk, field.name, repr(value)[:80]))
    return found


# --- the world, once per module ------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        override_settings(PRIVATE_FILES_ROOT=tmp_path_factory.mktemp("hostile-private")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        seed_factories(request.node.nodeid)
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def client_of(world, role):
    client = Client(raise_request_exception=True)
    client.force_login(world.users[role])
    return client


def pages_of(world, role):
    """The URLs of the pages `role` may GET on its own objects, from the permission matrix."""
    for name, row in sorted(MATRIX.items()):
        if row.method != "get" or role not in row.allowed:
            continue
        if name in ("logout", "login", "health") or name.startswith("password_reset"):
            continue
        yield name, reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)


def request(client, method, url, data=None, **kwargs):
    """(status, body) or the exception the view raised, as a failure line."""
    try:
        response = getattr(client, method)(url, data, **kwargs)
    except Exception as error:  # the view crashed: what a visitor would get as a 500
        return 500, f"{type(error).__name__}: {str(error)[:200]}"
    body = ""
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode(errors="replace")
    return response.status_code, body


def post_hostile(client, form, plan, failures, label):
    """Submit `form` once per (kind, corpus index) of `plan`."""
    for kind, index in plan:
        data = hostile_data(form, kind, index)
        status, body = request(client, "post", form["action"], data)
        where = f"{label} POST {form['action']} ({kind} #{index})"
        if status >= 500:
            failures.append(f"{where}: {status} {body[:300]}")
        elif SCRIPT in body:
            failures.append(f"{where}: shows the script unescaped")


ROLES = ("referent", "secretariat", "president", "membre", "etrangers", "administrateur")


@pytest.mark.parametrize("role", ROLES)
def test_every_form_of_every_role_answers_hostile_values_without_error_nor_storing_them(world, role):
    client = client_of(world, role)
    before = invalid_values()
    failures, seen = [], set()
    for name, url in pages_of(world, role):
        status, html = request(client, "get", url)
        assert status < 500, f"{role} GET {url}: {status} {html[:300]}"
        for form in forms_of(html, url):
            key = (urlsplit(form["action"]).path, tuple(sorted(f["name"] for f in form["fields"])))
            if form["method"] != "post" or key in seen or form["action"] == reverse("logout"):
                continue
            seen.add(key)
            # One kind of field hostile at a time, then all of them; the corpus turns from form to form.
            plan = [(kind, len(seen)) for kind in kinds_in(form)] + [("all", len(seen))]
            post_hostile(client, form, plan, failures, f"{role} ({name})")
            stored = invalid_values() - before
            if stored:
                failures.append(f"{role} ({name}) POST {form['action']} stored {sorted(stored)}")
                before |= stored
    assert seen, f"no form found on the pages of {role}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_answers_hostile_parameters_without_error(world, role):
    client = client_of(world, role)
    failures = []
    for index, (_name, url) in enumerate(pages_of(world, role)):
        status, html = request(client, "get", url)
        get_fields = {
            field["name"]: kind_of(field)
            for form in forms_of(html, url)
            if form["method"] == "get"
            for field in form["fields"]
        }
        queries = [f"{INVALID_UTF8_QUERY}&format=%FF"]
        for round_ in range(ROUNDS):
            params = {field: CORPUS[kind][round_ % len(CORPUS[kind])] for field, kind in get_fields.items()}
            # Each page its own page numbers: across the pages, every one is tried.
            params["page"] = PAGE_NUMBERS[(index * ROUNDS + round_) % len(PAGE_NUMBERS)]
            queries.append(urlencode(params))
        for query in queries:
            status, body = request(client, "get", f"{url}?{query}")
            if status >= 500:
                failures.append(f"{role} GET {url}?{query[:120]}: {status} {body[:300]}")
            elif SCRIPT in body:
                failures.append(f"{role} GET {url}?{query[:120]}: shows the script unescaped")
    assert not failures, "\n".join(failures)


def _representative_forms(world):
    """(role, page URL, form method): a person's identity (names, dates, amounts, phone), the
    application's situation (amount, free text), a new session (date, time, link), the president's
    decision (dates, reasons)."""
    own = world.sides["own"]
    return [
        ("referent", reverse("beneficiaires:create"), "post"),
        ("referent", reverse("parcours:dossier_edit", args=[own.draft.pk, "situation"]), "post"),
        ("secretariat", reverse("commission:seance_create"), "post"),
        ("president", reverse("decisions:decider", args=[own.avis.pk]), "post"),
    ]


# The kinds whose whole corpus goes through the representative forms; the others get one value.
WHOLE_CORPUS = ("text", "date", "number")


def test_the_whole_corpus_on_representative_forms(world):
    before = invalid_values()
    failures = []
    for role, url, method in _representative_forms(world):
        client = client_of(world, role)
        _status, html = request(client, "get", url)
        page_forms = [form for form in forms_of(html, url) if form["method"] == method]
        page_forms = [form for form in page_forms if form["action"] != reverse("logout")]
        assert page_forms, f"no form on {url} for {role}"
        for form in page_forms:
            plan = [
                (kind, index)
                for kind in kinds_in(form)
                for index in range(len(CORPUS[kind]) if kind in WHOLE_CORPUS else 1)
            ]
            post_hostile(client, form, plan, failures, role)
    stored = invalid_values() - before
    assert not failures, "\n".join(failures)
    assert not stored, f"stored: {sorted(stored)}"


def test_a_huge_or_malformed_object_id_is_a_404(world):
    client = client_of(world, "secretariat")
    huge = 10**20
    for name in ("parcours:dossier", "beneficiaires:detail", "commission:seance", "parcours:instruction"):
        url = reverse(name, kwargs={"pk": 1}).replace("/1/", f"/{huge}/")
        status, body = request(client, "get", url)
        assert status == 404, f"{url}: {status} {body[:200]}"
        bad = reverse(name, kwargs={"pk": 1}).replace("/1/", "/abc/")
        assert request(client, "get", bad)[0] == 404


@pytest.mark.parametrize("target", CORPUS["next"])
def test_a_crafted_next_after_the_second_factor_goes_home(client, target):
    from tests.factories import UserFactory

    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post(reverse("two_factor_verify"), {"token": code, "next": target})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", "") and location.path.startswith("/")
    assert response["Location"] in (reverse("home"), target.replace("\x00", "%00"))


@pytest.mark.parametrize("target", CORPUS["next"])
def test_a_crafted_next_after_a_message_goes_back_to_the_dossier(world, target):
    dossier = world.sides["own"].dossier
    client = client_of(world, "referent")
    response = client.post(
        reverse("parcours:message_post", args=[dossier.pk]),
        {"message-body": "Pièce ajoutée.", "message-next": target},
    )
    # A NUL byte makes the hidden field itself invalid: the page comes back, the message unsent.
    assert response.status_code == (200 if "\x00" in target else 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("parcours:dossier", args=[dossier.pk]) + "#fil-echanges"


def test_invalid_utf8_in_a_form_body_is_a_form_error_not_a_500(world):
    client = client_of(world, "referent")
    person = world.sides["own"].person
    url = reverse("beneficiaires:update", args=[person.pk])
    former = person.last_name
    body = b"last_name=%FF%FEnom&first_names=Ada&sexe=F&household_size=1&dependent_children=0"
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "caractère illisible" in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == former


# --- every form of the project cleans its input ---------------------------------------------------

# Owned elsewhere, and holding no free text that is stored: the password and the one-time code.
OUTSIDE_THE_MIXIN = {"commission.forms.LoginForm", "commission.security_views.TokenForm"}


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_of_the_project_inherits_the_input_cleaning():
    import importlib

    from django.urls import get_resolver

    assert get_resolver().url_patterns  # imports every view module, and the forms they define
    for module in ("beneficiaires.forms", "parcours.forms", "parcours.forms_instruction", "parcours.filters"):
        importlib.import_module(module)
    project = re.compile(r"^(commission|beneficiaires|parcours)\.")
    found = {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in _subclasses(forms.BaseForm)
        if project.match(cls.__module__)
    }
    assert len(found) > 15
    missing = sorted(
        name
        for name, cls in found.items()
        if not issubclass(cls, CleanInputMixin) and name not in OUTSIDE_THE_MIXIN
    )
    assert not missing, f"forms without CleanInputMixin: {missing}"
