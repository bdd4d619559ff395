"""French as a prefecture writes it: what the pages say, checked where it is written.

The project writes its French in the message ids themselves (no catalogue of its own), so a French
label that happens to be an English word of Django's catalogues is silently replaced: the session
state "Close" became « Fermer », a verb, shouted in a badge. Every label and every `{% translate %}` of
the templates must therefore come out as written. Apostrophes are typographic (’) in every text a user
reads. States agree with their noun.
"""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from commission.seances.enums import SeanceState
from commission.templatetags.enums import project_enums
from parcours.enums import TitreSejourState
from tests.factories import SeanceFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})

COMMENTS = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|<!--.*?-->", re.S)
TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
STRAIGHT_APOSTROPHE = re.compile(r"[^\W\d_]'[^\W\d_]")


def _labels():
    for name, enum in sorted(project_enums().items()):
        for member in enum:
            yield f"{name}.{member.name}", member.label._args[0]  # the message id, as written


def test_no_label_of_a_state_or_kind_is_rewritten_by_a_catalogue():
    with translation.override("fr"):
        rewritten = [
            f"{where}: {msgid!r} -> {gettext(msgid)!r}"
            for where, msgid in _labels()
            if gettext(msgid) != msgid
        ]
    assert not rewritten, "\n".join(rewritten)


def test_no_translate_tag_of_a_template_is_rewritten_by_a_catalogue():
    rewritten = []
    with translation.override("fr"):
        for path in TEMPLATE_FILES:
            for match in TRANSLATE.finditer(path.read_text()):
                msgid = match.group(1) if match.group(1) is not None else match.group(2)
                if gettext(msgid) != msgid:
                    rewritten.append(f"{path.relative_to(TEMPLATES)}: {msgid!r} -> {gettext(msgid)!r}")
    assert not rewritten, "\n".join(rewritten)


def test_apostrophes_are_typographic_in_templates_and_labels():
    straight = []
    for path in TEMPLATE_FILES:
        source = COMMENTS.sub(" ", path.read_text())
        texts = [TAGS.sub(" ", source)] + [m.group(1) or m.group(2) or "" for m in TRANSLATE.finditer(source)]
        straight += [
            f"{path.relative_to(TEMPLATES)}: {m.group()!r}"
            for t in texts
            for m in STRAIGHT_APOSTROPHE.finditer(t)
        ]
    straight += [f"{where}: {msgid!r}" for where, msgid in _labels() if STRAIGHT_APOSTROPHE.search(msgid)]
    assert not straight, "\n".join(straight)


def test_a_closed_session_is_said_closed_not_told_to_close():
    with translation.override("fr"):
        badge = render_to_string(
            "commission/seances/_state_badge.html", {"seance": SeanceFactory.build(state=SeanceState.CLOSE)}
        )
    assert "Clôturée" in badge
    assert "Fermer" not in badge


@pytest.mark.parametrize(
    "state, label",
    [
        (TitreSejourState.DELIVRE, "Délivrée"),
        (TitreSejourState.EXPIRE, "Expirée"),
        (TitreSejourState.NON_RENOUVELE, "Non renouvelée (fin du parcours)"),
    ],
)
def test_a_residence_permit_state_agrees_with_l_autorisation(state, label):
    with translation.override("fr"):
        assert state.label == label
