"""Every page that shows a person's identity writes an access-log row naming that person.

The permission matrix's world gives every person a last name found nowhere else (`Zz…nom`). Each URL
of the matrix is requested as each role, on that role's own objects; when the answer shows a
person's last name, the access log must have gained a row for that person during the request. A
page listing many persons writes them in one INSERT (checked below on the dossiers' list).

Downloads whose content cannot be searched (PDF minutes, exports) are checked by their own tests.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commission.enums import AuditAction
from commission.models import AccessLog
from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import MATRIX, ROLES

pytestmark = pytest.mark.django_db

# The matrix's world, built once for this module as for the matrix's.
module_world = matrix.module_world
world = matrix.world


def _last_id():
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _persons_shown(response, persons):
    """The persons (pk) whose last name the response shows."""
    if response.streaming or response.status_code != 200:
        return set()
    if not response.get("Content-Type", "").startswith(("text/", "application/json")):
        return set()
    body = response.content.decode().lower()
    return {pk for last_name, pk in persons.items() if last_name.lower() in body}


@pytest.fixture
def persons(world):
    last_names = {names[0] for names in world.names.values()}
    return dict(Beneficiaire.objects.filter(last_name__in=last_names).values_list("last_name", "pk"))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_page_showing_identity_logs_a_read_of_each_person_shown(world, persons, name):
    row = MATRIX[name]
    failures = []
    for role in ROLES:
        if role == "anonymous":
            continue
        client = Client()
        client.force_login(world.users[role])
        url = reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)
        before = _last_id()
        response = getattr(client, row.method)(url)
        shown = _persons_shown(response, persons)
        logged = set(
            AccessLog.objects.filter(pk__gt=before, user=world.users[role]).values_list(
                "person_id", flat=True
            )
        )
        if missing := shown - logged:
            names = sorted(n for n, pk in persons.items() if pk in missing)
            failures.append(f"{role} {row.method.upper()} {url}: shows {names} and logged no read of them")
    assert not failures, "\n".join(failures)


def test_the_check_sees_identity_where_it_is_shown(world, persons):
    """The walk above is not vacuous: the person's own page shows the name, and it is logged."""
    client = Client()
    client.force_login(world.users["referent"])
    person = world.sides["own"].person
    before = _last_id()
    response = client.get(reverse("beneficiaires:detail", kwargs={"pk": person.pk}))
    assert person.pk in _persons_shown(response, persons)
    assert AccessLog.objects.filter(pk__gt=before, person_id=person.pk).exists()


def test_a_list_of_many_persons_is_logged_in_one_insert(world, persons):
    client = Client()
    client.force_login(world.users["secretariat"])
    before = _last_id()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("parcours:dossiers"))
    shown = _persons_shown(response, persons)
    assert len(shown) > 1
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT") and "accesslog" in q["sql"]
    ]
    assert len(inserts) == 1
    assert shown <= set(AccessLog.objects.filter(pk__gt=before).values_list("person_id", flat=True))


@pytest.mark.parametrize("role", ["secretariat", "membre"])
def test_a_minutes_download_logs_each_person_on_the_agenda(world, role):
    """The minutes are a PDF the walk cannot read: they name the session's dossiers, each is logged."""
    side = world.sides["own"]
    client = Client()
    client.force_login(world.users[role])
    before = _last_id()
    response = client.get(reverse("commission:minutes", kwargs={"pk": side.seance.pk}))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(pk__gt=before, user=world.users[role])
    assert set(rows.values_list("action", "person_id")) == {
        (AuditAction.DOWNLOAD, point.demande.beneficiaire_id) for point in side.seance.points.all()
    }
