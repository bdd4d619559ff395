"""No answer to a signed-in user is kept in a cache: every page of the site, downloads included, as
each signed-in role of the permission matrix's world reaches it (commission/cache_control.py)."""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import seed_factories
from tests.matrix_world import World
from tests.test_permission_matrix import MATRIX, SIGNED_IN

pytestmark = pytest.mark.django_db

# Files a role downloads from its own objects: each must really be served (200), and not be kept.
DOWNLOADS = {
    "referent": ("parcours:document_download", "decisions:courrier"),
    "secretariat": (
        "parcours:document_download",
        "bilan:export_download",
        "decisions:courrier",
        "commission:attendance_sheet",
        "commission:votes_export",
    ),
    "etrangers": ("decisions:titres_export",),
}


def _drain(response):
    """Read a download through the test client, which closes it without closing the database
    connection (a bare response.close() sends request_finished, which drops it on PostgreSQL)."""
    if response.streaming:
        b"".join(response.streaming_content)


def not_stored(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The permission matrix's world, built once for the module (rolled back at the end)."""
    with (
        override_settings(PRIVATE_FILES_ROOT=tmp_path_factory.mktemp("cache-private")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        seed_factories(request.node.nodeid)
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_every_page_a_signed_in_user_gets_says_no_store(world, role):
    client = Client()
    client.force_login(world.users[role])
    statuses, stored = {}, []
    for name, row in sorted(MATRIX.items()):
        url = reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)
        response = getattr(client, row.method)(url)
        _drain(response)
        statuses[name] = response.status_code
        if not not_stored(response):
            stored.append(
                f"{row.method.upper()} {url} ({response.status_code}): {response.get('Cache-Control')!r}"
            )
        if name == "logout":
            client.force_login(world.users[role])
    assert not stored, "answers to a signed-in user without Cache-Control: no-store\n" + "\n".join(stored)
    assert {name: statuses[name] for name in DOWNLOADS.get(role, ())} == dict.fromkeys(
        DOWNLOADS.get(role, ()), 200
    )


def test_anonymous_open_pages_are_left_to_their_views(client):
    # The health check says nothing of anyone: nothing forbids keeping it.
    assert "no-store" not in client.get(reverse("health")).get("Cache-Control", "")
    # The login page is never cached all the same: Django's LoginView says so itself.
    assert not_stored(client.get(reverse("login")))


def test_static_files_are_cached_even_for_a_signed_in_user(client, world, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as in development: no collectstatic before the tests
    client.force_login(world.users["secretariat"])
    response = client.get("/static/css/app.css")
    _drain(response)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_login_s_answer_already_says_no_store(client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert not_stored(response)
