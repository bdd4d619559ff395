"""`load_demo --reset` after the demo was used: pages read (access-log rows), a role taken away and
given back (role-change rows), notifications read, messages written, an account added by the
administrator in a demo organisation. These rows are append-only (on PostgreSQL a trigger refuses their
deletion) or protect the accounts: the reset keeps the accounts and wipes the rest."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from commission.enums import Role
from commission.models import AccessLog, Departement, Notification, Organisation, RoleChange, User
from demo import dataset
from parcours import thread
from parcours.enums import DemandeState, MessageSide
from parcours.models import Demande, Message

PERSONS = 3


def use_the_demo(client):
    """What people do in the demo before someone resets it; returns the account the admin added."""
    secretariat = User.objects.get(email=f"secretariat@{dataset.EMAIL_DOMAIN}")
    referent = User.objects.get(email=f"referent.horizon-garonne@{dataset.EMAIL_DOMAIN}")
    demande = (
        Demande.objects.filter(beneficiaire__accompagnements__association=referent.organisation)
        .exclude(state=DemandeState.BROUILLON)
        .order_by("pk")
        .first()
    )
    for user in (secretariat, referent):
        client.force_login(user)
        for url in (
            reverse("home"),
            reverse("parcours:dossiers"),
            reverse("parcours:dossier", args=[demande.pk]),
        ):
            assert client.get(url).status_code == 200, url
        notification = Notification.objects.filter(recipient=user).first()
        if notification is not None:
            client.get(reverse("notification_open", args=[notification.pk]))
    thread.post(demande, author=referent, side=MessageSide.ASSOCIATION, body="Pièce déposée ce matin.")
    thread.post(demande, author=secretariat, side=MessageSide.SECRETARIAT, body="Bien reçue, merci.")
    president = User.objects.get(email=f"president@{dataset.EMAIL_DOMAIN}")
    president.groups.remove(Group.objects.get(name=Role.PRESIDENT))
    # An account the administrator created during the demo, in one of its organisations, with a read.
    newcomer = User.objects.create_user(
        email="nouvelle.collegue@example.invalid",
        password=dataset.PASSWORD,
        organisation=Organisation.objects.get(name=dataset.SECRETARIAT),
    )
    newcomer.groups.add(Group.objects.get(name=Role.SECRETARIAT))
    client.force_login(newcomer)
    assert client.get(reverse("parcours:dossier", args=[demande.pk])).status_code == 200
    return newcomer


@pytest.mark.django_db
def test_reset_after_the_demo_was_used_reloads_it_and_keeps_the_append_only_rows(client):
    dataset.load(persons=PERSONS)
    demandes = Demande.objects.count()
    newcomer = use_the_demo(client)
    access_rows, role_rows = AccessLog.objects.count(), RoleChange.objects.count()
    assert access_rows and Message.objects.exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()

    assert dataset.load(reset=True, persons=PERSONS)

    assert Departement.objects.filter(code=dataset.DEPARTEMENT_CODE).count() == 1
    assert Demande.objects.count() == demandes
    assert not Message.objects.filter(body="Pièce déposée ce matin.").exists()
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    # The append-only rows are all there, the president holds the role again (one more row says so).
    assert AccessLog.objects.count() == access_rows
    assert AccessLog.objects.verify()[2] is None
    assert RoleChange.objects.count() == role_rows + 1
    assert (
        User.objects.get(email=f"president@{dataset.EMAIL_DOMAIN}")
        .groups.filter(name=Role.PRESIDENT)
        .exists()
    )
    # The added account stays, outside any organisation: it no longer reads the demo's persons.
    newcomer.refresh_from_db()
    assert newcomer.organisation is None
    for login in dataset.logins():
        assert client.login(email=login.email, password=dataset.PASSWORD), login.email


@pytest.mark.django_db
def test_load_demo_reset_prints_the_logins_and_one_line(client):
    dataset.load(persons=PERSONS)
    use_the_demo(client)
    stdout, stderr = StringIO(), StringIO()

    call_command("load_demo", "--reset", stdout=stdout, stderr=stderr)

    assert stdout.getvalue().splitlines() == [
        f"{login.role} : {login.email} / {dataset.PASSWORD}" for login in dataset.logins()
    ]
    assert len(stderr.getvalue().strip().splitlines()) == 1
    assert "chargées" in stderr.getvalue()
