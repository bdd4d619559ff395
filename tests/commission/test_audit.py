"""The audit trail: reads recorded by id, append-only in the application and, on PostgreSQL, in the database."""

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from commission import audit
from commission.enums import AuditAction
from commission.models import AccessLog
from commission.models.audit import AppendOnlyError
from tests.factories import BeneficiaireFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(user, path="/dossiers/1/"):
    request = RequestFactory().get(path, REMOTE_ADDR="192.0.2.10")
    request.user = user
    return request


def test_a_read_records_who_when_where_and_which_object_by_id():
    user = UserFactory()
    demande = DemandeFactory()
    found = audit.get_or_404(_request(user), type(demande).objects.all(), pk=demande.pk)
    entry = AccessLog.objects.get()
    assert found == demande
    assert (entry.user, entry.ip, entry.action) == (user, "192.0.2.10", AuditAction.READ)
    assert (entry.object_type, entry.object_id, entry.person_id) == (
        "parcours.Demande",
        str(demande.pk),
        demande.beneficiaire_id,
    )
    assert demande.beneficiaire.last_name not in str(entry)


def test_an_object_outside_the_scope_is_a_404_and_records_nothing():
    from django.http import Http404

    demande = DemandeFactory()
    with pytest.raises(Http404):
        audit.get_or_404(_request(UserFactory()), type(demande).objects.none(), pk=demande.pk)
    assert not AccessLog.objects.exists()


def test_the_application_cannot_change_or_delete_an_entry():
    entry = audit.record(_request(UserFactory()), BeneficiaireFactory())
    entry.action = AuditAction.EXPORT
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLog.objects.get().action == AuditAction.READ


def test_change_history_names_the_fields_but_masks_identity_values():
    person = BeneficiaireFactory(last_name="Okonkwo")
    person.last_name = "Adebayo"
    person.save()
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert "last_name" in entry.changes_dict
    assert "Adebayo" not in str(entry.changes) and "Okonkwo" not in str(entry.changes)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_on_the_audit_table():
    entry = audit.record(_request(UserFactory()), BeneficiaireFactory())
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE commission_accesslog SET action = 'export' WHERE id = %s", [entry.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM commission_accesslog WHERE id = %s", [entry.pk])
    assert AccessLog.objects.filter(pk=entry.pk, action=AuditAction.READ).exists()


def test_a_list_records_one_row_per_object_shown_in_one_insert():
    user = UserFactory()
    demandes = [DemandeFactory(), DemandeFactory()]
    person = BeneficiaireFactory()
    with CaptureQueriesContext(connection) as queries:
        audit.record_list(_request(user, path="/dossiers/"), [*demandes, person])
    # One INSERT for the three rows; beside it only the read of the chain's last hash (and its lock).
    assert [q["sql"].split()[0] for q in queries.captured_queries if "accesslog" in q["sql"]] == [
        "SELECT",
        "INSERT",
    ]
    rows = {
        (entry.object_type, entry.object_id, entry.person_id): (
            entry.user,
            entry.ip,
            entry.action,
            entry.path,
        )
        for entry in AccessLog.objects.all()
    }
    assert rows == {
        **{
            ("parcours.Demande", str(d.pk), d.beneficiaire_id): (
                user,
                "192.0.2.10",
                AuditAction.READ,
                "/dossiers/",
            )
            for d in demandes
        },
        ("beneficiaires.Beneficiaire", str(person.pk), person.pk): (
            user,
            "192.0.2.10",
            AuditAction.READ,
            "/dossiers/",
        ),
    }
    with CaptureQueriesContext(connection) as queries:
        audit.record_list(_request(user), [])
    assert not queries.captured_queries


def test_pages_that_show_identities_record_each_person_read(client):
    from django.urls import reverse
    from django.utils import timezone

    from commission.enums import OrganisationKind, Role
    from parcours.enums import DemandeState
    from tests.factories import AssociationFactory, DepartementFactory, OrganisationFactory

    departement = DepartementFactory()
    association = AssociationFactory(departement=departement)
    demandes = [
        DemandeFactory(
            departement=departement,
            association=association,
            complete=True,
            state=DemandeState.DEPOSEE,
            submitted_at=timezone.now(),
        )
        for _ in range(3)
    ]
    caseworker = UserFactory(organisation=association, roles=[Role.REFERENT])
    client.force_login(caseworker)
    client.get(reverse("beneficiaires:list"))
    listed = set(AccessLog.objects.filter(user=caseworker).values_list("person_id", flat=True))
    assert listed == {d.beneficiaire_id for d in demandes}
    client.get(reverse("beneficiaires:detail", args=[demandes[0].beneficiaire_id]))
    assert (
        AccessLog.objects.filter(
            user=caseworker,
            object_type="beneficiaires.Beneficiaire",
            object_id=str(demandes[0].beneficiaire_id),
        ).count()
        == 2
    )

    secretariat = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.SECRETARIAT],
    )
    client.force_login(secretariat)
    client.get(reverse("parcours:inbox"))
    client.get(reverse("parcours:instruction", args=[demandes[1].pk]))
    assert AccessLog.objects.filter(user=secretariat, object_type="parcours.Demande").count() == 4
