"""What every template holds to: states and kinds come from their enums, never written out."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from commission.templatetags.enums import project_enums

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# The tags that decide something: a quoted literal in them is a value compared with.
DECIDING_TAG = re.compile(r"{%-?\s*(?:if|elif|with)\s(.*?)-?%}", re.S)
LITERAL = re.compile(r"""(["'])(.*?)\1""")
# Literals that are another vocabulary spelt like a state or kind, with the reason.
NOT_A_STATE = {
    # A section key of the home page (commission/todo.py), named like the reminder it lists.
    ("commission/home_rows.html", "aps_a_delivrer"),
}


def state_and_kind_values() -> dict[str, str]:
    """Each value of a state or kind enum of the project (by the naming rule: …State, …Kind, …Status),
    with the enum that declares it."""
    return {
        value: name
        for name, enum in project_enums().items()
        if name.endswith(("State", "Kind", "Status"))
        for value in enum.values
    }


def literal_states_in(text: str, values: dict[str, str], template: str = "") -> list[str]:
    found = []
    for tag in DECIDING_TAG.finditer(text):
        for _quote, literal in LITERAL.findall(tag.group(1)):
            for word in re.split(r"[\s,]+", literal):
                if word in values and (template, word) not in NOT_A_STATE:
                    found.append(f"{word!r} ({values[word]}) in {{% {tag.group(1).strip()} %}}")
    return found


def test_the_state_and_kind_values_are_read_from_the_enums():
    values = state_and_kind_values()
    assert values["brouillon"] == "DemandeState"
    assert values["clos"] == "PointState"
    assert values["a_renouveler"] == "TitreSejourState"
    assert "renouvellement" in values and "convoquee" in values


def test_the_check_finds_a_literal_state_in_a_condition():
    values = state_and_kind_values()
    assert literal_states_in('{% if demande.state == "brouillon" %}', values)
    assert literal_states_in("{% elif seance.state in 'close annulee' %}", values)
    assert not literal_states_in("{% if demande.state == DemandeState.BROUILLON %}", values)
    assert not literal_states_in('{% translate "brouillon" %}', values)


def test_no_template_compares_with_a_literal_state_or_kind():
    values = state_and_kind_values()
    offenders = {}
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file():
            name = str(path.relative_to(TEMPLATES_DIR))
            if found := literal_states_in(path.read_text(encoding="utf-8"), values, name):
                offenders[name] = found
    assert offenders == {}


def test_enums_tag_puts_the_enum_in_the_context():
    html = Template(
        '{% load enums %}{% enums "DemandeState" as DemandeState %}'
        "{% if state == DemandeState.AJOURNEE %}{{ DemandeState.AJOURNEE.label }}{% endif %}"
    ).render(Context({"state": "ajournee"}))
    assert html == "Ajournée"


def test_enums_tag_refuses_an_unknown_enum():
    with pytest.raises(TemplateSyntaxError, match="DemandeEtat"):
        Template('{% load enums %}{% enums "DemandeEtat" as X %}').render(Context())


@pytest.mark.django_db
def test_a_page_loads_htmx_once_from_a_script_file(client):
    page = client.get(reverse("login")).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert [s for s in scripts if "htmx" in s] == [
        next(s for s in scripts if "django_htmx/htmx-2.min.js" in s)
    ]
    # The Content-Security-Policy allows scripts from the site only: no inline script.
    assert all("src=" in s for s in scripts)


def test_breadcrumb_is_django_dsfr_s_with_home_the_links_and_the_current_page():
    html = Template(
        '{% load components %}{% breadcrumb "Modifier" "Personnes accompagnées" "/personnes/" "PSP-1" "/personnes/1/" %}'
    ).render(Context())
    assert 'class="fr-breadcrumb"' in html and 'aria-label="vous êtes ici' in html
    links = re.findall(r'<a class="fr-breadcrumb__link"([^>]*)>([^<]*)</a>', html)
    assert [(text, 'aria-current="page"' in attrs) for attrs, text in links] == [
        ("Accueil", False),
        ("Personnes accompagnées", False),
        ("PSP-1", False),
        ("Modifier", True),
    ]
