"""Who may open which URL: one row per named URL of the site, one outcome per role.

Each row says how to probe the URL (method, and the URL's arguments for the user's "own" objects:
those of association A1, of département A, of session S1) and which roles it is ALLOWED to. Every
other signed-in role gets a 404 (someone else's page is not confirmed to exist), and an anonymous
visitor is sent to the login page, unless the row says otherwise (open pages, logout).

Then, for each role allowed on its own objects, the same request on someone else's objects answers
404: the other association's (A2), the other département's (B), the session a member is not
convened to (S2), an item of another session under one's own. And no page any role reaches shows the
last name or the reference of a person that role may not see.

A URL without a row fails the test, and so does a row whose URL is gone.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse

from tests.conftest import seed_factories
from tests.matrix_world import World

pytestmark = pytest.mark.django_db

ALLOWED = "allowed (200, or 302 to a page of the site other than the login page)"
NOT_FOUND = "404"
TO_LOGIN = "302 to the login page"
EMPTY = "200 showing no person at all (a list whose scope is empty for this role)"

ROLES = ("anonymous", "referent", "secretariat", "president", "membre", "etrangers", "administrateur")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"secretariat", "president"})

# Sides that differ from one's own only by an agenda item: probed on rows that take one.
POINT_SIDES = frozenset({"point-of-s2", "point-of-b"})

# Whose objects are someone else's, for a role allowed on its own: (user, side of the world).
FOREIGN = {
    "referent": (("referent", "a2"), ("referent", "b"), ("referent_2", "own")),
    "secretariat": (("secretariat", "b"), ("secretariat", "point-of-b")),
    "president": (("president", "b"), ("president", "point-of-b")),
    "etrangers": (("etrangers", "b"),),
    "membre": (("membre", "s2"), ("membre", "b"), ("membre", "point-of-s2")),
    "administrateur": (),
}


@dataclass(frozen=True)
class Row:
    allowed: frozenset
    kwargs: Callable | None = None  # side of the world -> the URL's kwargs
    method: str = "get"
    owned: bool = True  # False: the kwargs name no object of anyone (a password-reset token)
    outcomes: dict = field(default_factory=dict)  # explicit outcomes, for what the defaults do not say

    def expected(self, role):
        if role in self.outcomes:
            return self.outcomes[role]
        if role in self.allowed:
            return ALLOWED
        return TO_LOGIN if role == "anonymous" else NOT_FOUND


def pk(name):
    return lambda side: {"pk": getattr(side, name).pk}


def seance_point(side):
    return {"pk": side.seance.pk, "point_pk": side.point.pk}


REFERENT = frozenset({"referent"})
SECRETARIAT = frozenset({"secretariat"})
PRESIDENT = frozenset({"president"})
ETRANGERS = frozenset({"etrangers"})
IN_SESSION = STAFF | {"membre"}

MATRIX = {
    # --- the site: open pages, home, login and password reset --------------------------------------
    "home": Row(SIGNED_IN),
    "health": Row(EVERYONE),
    "login": Row(EVERYONE),  # signed-in users are sent on to the home page
    "logout": Row(frozenset(), method="post", outcomes=dict.fromkeys(ROLES, TO_LOGIN)),
    "password_reset": Row(EVERYONE),
    "password_reset_done": Row(EVERYONE),
    "password_reset_confirm": Row(
        EVERYONE, kwargs=lambda side: {"uidb64": "MQ", "token": "jeton-invalide"}, owned=False
    ),
    "password_reset_complete": Row(EVERYONE),
    "two_factor_verify": Row(SIGNED_IN),
    "two_factor_setup": Row(SIGNED_IN),
    # The e-mailed enrolment link: a token of nobody's here, answered by a "link not valid" page.
    "two_factor_enrol": Row(SIGNED_IN, kwargs=lambda side: {"token": "jeton-invalide"}, owned=False),
    "two_factor_send_link": Row(SIGNED_IN, method="post"),
    "two_factor_recovery_codes": Row(SIGNED_IN),
    # The data-protection officer's access log: the administrator only.
    "access_log": Row(frozenset({"administrateur"})),
    "role_changes": Row(frozenset({"administrateur"})),
    # One's own notifications; someone else's (here, none of anyone) is a 404.
    "notifications": Row(SIGNED_IN),
    "notifications_mark_all_read": Row(SIGNED_IN, method="post"),
    "notification_open": Row(frozenset(), kwargs=lambda side: {"pk": 999_999}, owned=False),
    # --- persons: the association's, and the identity the prefecture needs ---------------------------
    "beneficiaires:list": Row(SIGNED_IN),  # each sees their scope, possibly empty
    "beneficiaires:create": Row(REFERENT),
    "beneficiaires:detail": Row(REFERENT | STAFF, kwargs=pk("person")),
    "beneficiaires:update": Row(REFERENT, kwargs=pk("person")),
    # The person chose another association: recorded by the secretariat or the current association.
    "beneficiaires:accompagnement_change": Row(REFERENT | SECRETARIAT, kwargs=pk("person")),
    # --- dossiers ------------------------------------------------------------------------------------
    "parcours:dossiers": Row(SIGNED_IN),  # each sees their scope, possibly empty
    "parcours:demande_create": Row(
        REFERENT, kwargs=lambda side: {"beneficiaire_pk": side.person.pk}, method="post"
    ),
    "parcours:renouvellement_create": Row(REFERENT, kwargs=pk("parcours"), method="post"),
    # The person withdraws or left: the accompanying association or the secretariat records it.
    "parcours:parcours_exit": Row(REFERENT | SECRETARIAT, kwargs=pk("parcours")),
    "parcours:dossier": Row(REFERENT | STAFF, kwargs=pk("dossier")),
    "parcours:dossier_edit": Row(REFERENT, kwargs=lambda side: {"pk": side.draft.pk, "etape": "situation"}),
    "parcours:dossier_submit": Row(REFERENT, kwargs=pk("draft"), method="post"),
    "parcours:dossier_withdraw": Row(REFERENT, kwargs=pk("dossier")),
    # Naming who handles the dossier: its association's caseworker, or the secretariat's agent.
    "parcours:dossier_assign": Row(REFERENT | SECRETARIAT, kwargs=pk("dossier"), method="post"),
    "parcours:document_upload": Row(REFERENT, kwargs=pk("draft")),
    "parcours:document_download": Row(REFERENT | STAFF, kwargs=pk("document")),
    "parcours:document_replace": Row(REFERENT, kwargs=pk("document")),
    "parcours:message_post": Row(REFERENT | SECRETARIAT, kwargs=pk("dossier"), method="post"),
    "parcours:inbox": Row(SECRETARIAT),
    "parcours:instruction": Row(SECRETARIAT, kwargs=pk("dossier")),
    # The secretariat answers a person's right of access (RGPD art. 15).
    "parcours:access_report": Row(SECRETARIAT, kwargs=pk("person"), method="post"),
    # --- decisions, letters, permits -----------------------------------------------------------------
    # The president's and the foreigners' service's lists answer others with an empty page (their
    # module docstrings promise a 404: see the report of issue 7).
    "decisions:a_decider": Row(PRESIDENT),
    "decisions:decider": Row(PRESIDENT, kwargs=pk("avis")),
    # The notification: the association hands it to the person; the prefecture wrote it.
    "decisions:courrier": Row(REFERENT | STAFF, kwargs=pk("courrier")),
    "decisions:relancer": Row(SECRETARIAT, kwargs=pk("decision"), method="post"),
    "commission:seance_courriers": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:seance_courriers_progression": Row(SECRETARIAT, kwargs=pk("seance")),
    "decisions:titres": Row(ETRANGERS),
    "decisions:titres_export": Row(ETRANGERS),
    "decisions:titre": Row(ETRANGERS, kwargs=pk("titre")),
    "decisions:titre_correct": Row(ETRANGERS, kwargs=pk("titre"), method="post"),
    # An AFIS right « à compléter » assessed again by the secretariat; a decision corrected by the
    # president (material error).
    "decisions:afis_reassess": Row(SECRETARIAT, kwargs=pk("afis"), method="post"),
    "decisions:corriger": Row(PRESIDENT, kwargs=pk("decision")),
    # --- annual report and exports -------------------------------------------------------------------
    # The e-mailed "export ready" link: a forged token is a 404 for everyone signed in.
    "bilan:export_link": Row(frozenset(), kwargs=lambda side: {"token": "jeton-invalide"}, owned=False),
    "bilan:bilan": Row(STAFF | {"administrateur"}),
    "bilan:export_dossiers": Row(STAFF, method="post"),
    # An export belongs to the one user who asked for it (here the secretariat of A).
    "bilan:export_job": Row(SECRETARIAT, kwargs=pk("job")),
    "bilan:export_download": Row(SECRETARIAT, kwargs=pk("job")),
    # Relaunching one's own export (a finished one is left as it is: back to its page).
    "bilan:export_relaunch": Row(SECRETARIAT, kwargs=pk("job"), method="post"),
    # --- sessions: the secretariat runs them, members read pseudonymised dossiers of theirs ----------
    "commission:seances": Row(SIGNED_IN),  # each sees their scope, possibly empty
    "commission:seance_create": Row(SECRETARIAT),
    "commission:seance": Row(IN_SESSION, kwargs=pk("seance")),
    "commission:agenda": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:point_remove": Row(SECRETARIAT, kwargs=seance_point, method="post"),
    "commission:seance_convene": Row(SECRETARIAT, kwargs=pk("seance"), method="post"),
    "commission:attendance": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:seance_open": Row(SECRETARIAT, kwargs=pk("seance"), method="post"),
    "commission:seance_close": Row(SECRETARIAT, kwargs=pk("seance"), method="post"),
    "commission:seance_reconvene": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:seance_reschedule": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:seance_cancel": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:minutes": Row(IN_SESSION, kwargs=pk("seance")),
    "commission:minutes_relaunch": Row(SECRETARIAT, kwargs=pk("seance"), method="post"),
    "commission:attendance_sheet": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:votes_export": Row(SECRETARIAT, kwargs=pk("seance")),
    "commission:point": Row(IN_SESSION, kwargs=seance_point),
    "commission:point_manage": Row(SECRETARIAT, kwargs=seance_point),
    "commission:point_tally": Row(SECRETARIAT, kwargs=seance_point),
}


def url_names(resolver=None, prefix=""):
    """Every named URL of the site as "namespace:name", the admin site's excepted."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from url_names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif pattern.name:
            yield prefix + pattern.name


def test_every_url_has_a_row_and_every_row_a_url():
    names = set(url_names())
    assert not names - MATRIX.keys(), "URLs without a row in the permission matrix"
    assert not MATRIX.keys() - names, "rows of the permission matrix whose URL is gone"


def _outcome(response, expected):
    login = reverse("login")
    if expected == EMPTY and response.status_code == 200:
        return EMPTY
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(login):
            return TO_LOGIN
        if location.startswith("/"):
            return ALLOWED
    if response.status_code == 200:
        return ALLOWED
    return f"{response.status_code} {response.get('Location', '')}".strip()


def _leaks(response, hidden_markers):
    if response.streaming or response.status_code != 200:
        return set()
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")):
        return set()
    body = response.content.decode().lower()
    return {marker for marker in hidden_markers if marker.lower() in body}


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's 58 tests inside a transaction rolled back at the end;
    each test still runs in its own transaction (a savepoint inside this one), so what a test writes
    is undone before the next."""
    with (
        override_settings(PRIVATE_FILES_ROOT=tmp_path_factory.mktemp("matrix-private")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        seed_factories(request.node.nodeid)
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(world, name):
    row = MATRIX[name]
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    def probe(role, side, expected):
        url = reverse(name, kwargs=row.kwargs(world.sides[side]) if row.kwargs else None)
        response = getattr(clients[role], row.method)(url)
        sees_nobody = role == "anonymous" or expected == EMPTY
        hidden = world.all_markers() if sees_nobody else world.hidden_markers(role)
        return url, _outcome(response, expected), _leaks(response, hidden)

    failures = []
    for role in ROLES:
        expected = row.expected(role)
        url, outcome, leaks = probe(role, "own", expected)
        if outcome != expected:
            failures.append(f"{role} {row.method.upper()} {url}: {outcome}, expected {expected}")
        if leaks:
            failures.append(f"{role} {row.method.upper()} {url}: shows {sorted(leaks)}")
        if row.kwargs is None or not row.owned or expected != ALLOWED or role == "anonymous":
            continue
        for user, side in FOREIGN[role]:
            if side in POINT_SIDES and row.kwargs is not seance_point:
                continue
            url, outcome, leaks = probe(user, side, NOT_FOUND)
            if outcome != NOT_FOUND or leaks:
                failures.append(
                    f"{user} {row.method.upper()} {url} (objects of {side}): {outcome}, expected {NOT_FOUND}"
                    + (f"; shows {sorted(leaks)}" if leaks else "")
                )
    assert not failures, "\n".join(failures)
