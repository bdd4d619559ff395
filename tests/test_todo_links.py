"""Every row of every role's home page is a link to the page where its work is done, and that page
opens for that role (200). The world of the permission matrix, with one row in every section."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.enums import DemandeState, RappelKind, TitreSejourState
from parcours.models import Demande, Parcours, TitreSejour
from tests.factories import AgrementFactory, AssociationFactory, DemandeFactory, RappelFactory
from tests.matrix_world import World

pytestmark = pytest.mark.django_db

# The sections each role must find filled in this world: the test cannot pass on empty homes.
EXPECTED_SECTIONS = {
    "referent": {"rappels", "mes_dossiers", "non_attribues", "complements", "brouillons", "echeances"},
    "secretariat": {"rappels", "mes_dossiers", "non_attribues", "a_instruire", "recevables", "seances"},
    "president": {"a_decider", "seances"},
    "membre": {"seances"},
    "etrangers": {"rappels", "aps_a_delivrer", "aps_expirant"},
    "administrateur": {"agrements"},
}


def _fill_every_section(world):
    today = timezone.localdate()
    own, other = world.sides["own"], world.sides["a2"]
    referent, secretariat = world.users["referent"], world.users["secretariat"]
    for state in (DemandeState.COMPLEMENT_DEMANDE, DemandeState.RECEVABLE):
        waiting = DemandeFactory(
            association=world.asso_1,
            departement=world.dep_a,
            complete=True,
            state=state,
            submitted_at=timezone.now() - datetime.timedelta(days=5),
            admissible_at=timezone.now() if state == DemandeState.RECEVABLE else None,
            referent=referent,
        )
    Demande.objects.filter(pk=own.dossier.pk).update(referent=referent, instructeur=secretariat)
    Demande.objects.filter(pk=own.avis.pk).update(referent=None)
    # A term ending within a month, with its reminder to the association.
    term_end = today + datetime.timedelta(days=30)
    Parcours.objects.filter(pk=own.parcours.pk).update(current_term_end=term_end)
    own.parcours.refresh_from_db()
    RappelFactory(
        parcours=own.parcours, kind=RappelKind.ECHEANCE_30, due_on=term_end, organisation=world.asso_1
    )
    # The foreigners' service: a permit to issue with its reminder, another expiring soon.
    RappelFactory(
        parcours=own.parcours,
        kind=RappelKind.APS_A_DELIVRER,
        titre_sejour=own.titre,
        due_on=today,
        organisation=None,
    )
    TitreSejour.objects.filter(pk=other.titre.pk).update(
        state=TitreSejourState.DELIVRE,
        number="APS00000042",
        issued_on=today - datetime.timedelta(days=150),
        valid_until=today + datetime.timedelta(days=20),
    )
    # The secretariat: an admissible dossier waiting for a session (the last one made above).
    RappelFactory(
        parcours=None,
        demande=waiting,
        kind=RappelKind.DOSSIER_EN_ATTENTE,
        due_on=today,
        commission=waiting.commission,
        organisation=None,
        key=f"dossier:{waiting.pk}",
    )
    # The administrator: an agrément ending within 90 days.
    AgrementFactory(
        association=AssociationFactory(departement=world.dep_a, agrement=False),
        departement=world.dep_a,
        start=today - datetime.timedelta(days=3 * 365 - 30),
        end=today + datetime.timedelta(days=30),
    )
    # The administrator configures through the admin site, as the demo's administrator does.
    administrateur = world.users["administrateur"]
    administrateur.is_staff = administrateur.is_superuser = True
    administrateur.save(update_fields=["is_staff", "is_superuser"])


def test_every_home_row_of_every_role_is_a_link_that_opens_for_that_role(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    world = World()
    _fill_every_section(world)
    failures = []
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200, role
        page = response.content.decode()
        sections = response.context["sections"]
        filled = {section.key for section in sections if section.rows}
        missing = EXPECTED_SECTIONS.get(role, set()) - filled
        if missing:
            failures.append(f"{role}: sections without rows {sorted(missing)}")
        for section in sections:
            for row, url in section.entries:
                if f'href="{url}"' not in page:
                    failures.append(f"{role} {section.key}: {row!r} is not a link to {url}")
                target = client.get(url)
                if target.status_code != 200:
                    failures.append(f"{role} {section.key}: {url} answers {target.status_code}")
        # No row of the page's tables is left without a link.
        for body in re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S):
            for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
                if "<a " not in tr:
                    failures.append(f"{role}: a row without a link: {' '.join(tr.split())[:120]}")
    assert not failures, "\n".join(failures)
