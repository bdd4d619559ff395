"""The administrator's screen over the access log: filters, export (itself audited), and nobody else."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from commission import audit
from commission.enums import AuditAction, Role
from commission.models import AccessLog
from tests.factories import BeneficiaireFactory, UserFactory

pytestmark = pytest.mark.django_db


def _read(user, person):
    request = RequestFactory().get("/")
    request.user = user
    audit.record(request, person)


def test_administrator_filters_by_person_and_user_and_exports_csv(client):
    reader, other = UserFactory(), UserFactory()
    person, someone_else = BeneficiaireFactory(), BeneficiaireFactory()
    _read(reader, person)
    _read(other, person)
    _read(reader, someone_else)
    admin = UserFactory(roles=[Role.ADMINISTRATEUR])
    client.force_login(admin)

    page = client.get(reverse("access_log"), {"reference": person.reference, "user": reader.email})
    assert page.context["page"].paginator.count == 1
    assert person.last_name not in page.content.decode()

    export = client.get(reverse("access_log"), {"reference": person.reference, "format": "csv"})
    lines = export.content.decode().strip().splitlines()
    assert lines[0].startswith("date;utilisateur")
    assert len(lines) == 3
    assert AccessLog.objects.filter(user=admin, action=AuditAction.EXPORT).count() == 1


def test_period_end_before_start_is_explained(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATEUR]))
    response = client.get(reverse("access_log"), {"start": "2026-05-02", "end": "2026-05-01"})
    assert "La fin de la période doit suivre son début" in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.SECRETARIAT, Role.REFERENT, Role.MEMBRE, Role.PRESIDENT, Role.ETRANGERS]
)
def test_other_roles_do_not_see_the_log(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("access_log")).status_code == 404
