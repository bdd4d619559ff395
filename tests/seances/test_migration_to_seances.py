"""The sessions moved from the commission app to their own (commission.seances) without losing a row:
the tables keep their names, and the content types (permissions, change history) follow the models."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("commission", "0007_accesslog_system_user"), ("seances", None)]


def migrate(targets):
    """Migrate the test database to `targets`; the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_sessions_rows_and_content_types_survive_the_move_to_their_own_app():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        Departement = old.get_model("commission", "Departement")
        Commission = old.get_model("commission", "Commission")
        Organisation = old.get_model("commission", "Organisation")
        User = old.get_model("commission", "User")
        Mandat = old.get_model("commission", "Mandat")
        Seance = old.get_model("commission", "Seance")
        Convocation = old.get_model("commission", "Convocation")
        OldContentType = old.get_model("contenttypes", "ContentType")
        departement = Departement.objects.create(code="99", name="Département de migration")
        commission = Commission.objects.create(departement=departement, name="Commission de migration")
        organisation = Organisation.objects.create(
            name="Service de l’État de migration", kind="service_etat", departement=departement
        )
        user = User.objects.create(email="membre.migration@example.invalid", organisation=organisation)
        mandat = Mandat.objects.create(
            commission=commission,
            user=user,
            organisation=organisation,
            role="titulaire",
            start=datetime.date(2026, 1, 1),
        )
        starts_at = timezone.now() + datetime.timedelta(days=10)
        seance = Seance.objects.create(commission=commission, starts_at=starts_at, place="Salle 1")
        Convocation.objects.create(seance=seance, mandat=mandat, sent_at=timezone.now())
        old_type, _created = OldContentType.objects.get_or_create(app_label="commission", model="seance")

        new = migrate(latest)

        NewSeance = new.get_model("seances", "Seance")
        moved = NewSeance.objects.get(pk=seance.pk)
        assert (moved.commission_id, moved.starts_at, moved.place) == (commission.pk, starts_at, "Salle 1")
        assert list(moved.convocations.values_list("mandat_id", flat=True)) == [mandat.pk]
        assert new.get_model("commission", "Mandat").objects.filter(pk=mandat.pk).exists()
        # The content type is the same row, now named after the sessions app.
        assert new.get_model("contenttypes", "ContentType").objects.get(pk=old_type.pk).app_label == "seances"
    finally:
        migrate(latest)
        ContentType.objects.clear_cache()
