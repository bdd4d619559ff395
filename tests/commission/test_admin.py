"""The Django admin configures; it never reads a person, a second-factor secret or a recovery code,
sets nobody's password, and lets nobody grant themselves a role. Every role change is recorded."""

import base64
import re

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission import two_factor
from commission.enums import OrganisationKind, Role
from commission.models import Mandat, RoleChange, User
from commission.models.audit import AppendOnlyError
from commission.seances.models import Vote
from tests.factories import (
    PASSWORD,
    AvisFactory,
    BeneficiaireFactory,
    OrganisationFactory,
    SeanceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

VOTE_COMMENT = "Commentaire confidentiel du membre sur Itohan"
DISSENT = "Désaccord consigné au procès-verbal sur la situation familiale"
URGENCY = "Départ imminent de la personne vers un autre pays"


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _change_data(user, **overrides):
    """What the user admin's change form posts for `user` (booleans only when ticked)."""
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": user.title,
        "organisation": user.organisation_id or "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not False}


def _user_change_url(user):
    return reverse("admin:commission_user_change", args=[user.pk])


# --- the administrator never reads a person nor a secret ------------------------------------------


def test_no_admin_page_shows_a_second_factor_secret_a_recovery_code_or_a_person(client, superuser):
    person = BeneficiaireFactory()
    member = UserFactory()
    device = TOTPDevice.objects.create(user=member, name="app", confirmed=True)
    codes = two_factor.new_recovery_codes(member)
    VoteFactory(comment=VOTE_COMMENT)
    AvisFactory(dissent=DISSENT)
    SeanceFactory(urgent=True, urgency_reason=URGENCY)
    # An entry written before the vote comments were masked: the (append-only) table keeps it.
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Vote),
        object_pk="1",
        object_repr="1/1: favorable",
        action=LogEntry.Action.UPDATE,
        changes={"comment": ["", VOTE_COMMENT]},
    )
    AccessAttempt.objects.create(
        username=member.email, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
    )

    pages = [client.get(reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200, opts.label
        pages.append(changelist)
        for obj in model._default_manager.all()[:3]:
            change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            assert change.status_code == 200, opts.label
            pages.append(change)
    text = "\n".join(page.content.decode() for page in pages)

    secrets = [
        device.key,
        base64.b32encode(device.bin_key).decode(),
        *codes,
        *(code.replace("-", "") for code in codes),
        person.last_name,
        person.first_names,
        VOTE_COMMENT,
        DISSENT,
        URGENCY,
    ]
    for secret in secrets:
        assert secret not in text
    assert len(pages) > 20  # the walk did reach the registered models


def test_django_otp_device_admins_are_not_registered():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_vote_comment_dissent_and_urgency_reason_are_masked_when_written():
    vote = VoteFactory(comment=VOTE_COMMENT)
    avis = AvisFactory(dissent=DISSENT)
    seance = SeanceFactory(urgent=True, urgency_reason=URGENCY)
    for obj, field in ((vote, "comment"), (avis, "dissent"), (seance, "urgency_reason")):
        entry = LogEntry.objects.get_for_object(obj).get()
        assert entry.changes_dict[field][1] == "•••"
    stored = " ".join(str(entry.changes) for entry in LogEntry.objects.all())
    for text in (VOTE_COMMENT, DISSENT, URGENCY):
        assert text not in stored


def test_audit_admin_search_does_not_look_into_the_stored_values(client, superuser):
    vote_type = ContentType.objects.get_for_model(Vote)
    LogEntry.objects.create(
        content_type=vote_type,
        object_pk="1",
        object_repr="1/1: favorable",
        action=LogEntry.Action.UPDATE,
        changes={"comment": ["", VOTE_COMMENT]},
    )
    response = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "Itohan"})
    assert response.status_code == 200
    assert "1/1: favorable" not in response.content.decode()


# --- passwords: a link, never a value ------------------------------------------------------------


def test_the_user_admin_has_no_password_field_nor_password_form(client, superuser):
    user = UserFactory()
    page = client.get(_user_change_url(user)).content.decode()
    assert 'name="password' not in page
    assert "/password/" not in page
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_user_password_change", args=[user.pk])
    assert client.get(_user_change_url(user) + "password/").status_code in (302, 404)
    response = client.post(_user_change_url(user), _change_data(user, password="Nouveau-mot-de-passe-2026"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    add_page = client.get(reverse("admin:commission_user_add")).content.decode()
    assert 'name="password' not in add_page


def test_the_address_of_an_account_cannot_be_changed_in_the_admin(client, superuser):
    user = UserFactory()
    client.post(_user_change_url(user), _change_data(user, email="pirate@example.org"))
    user.refresh_from_db()
    assert user.email != "pirate@example.org"


def test_action_sends_a_password_reset_link_to_the_account(client, superuser, mailoutbox):
    user = UserFactory()
    response = client.post(
        reverse("admin:commission_user_changelist"),
        {"action": "send_password_reset_link", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "Un lien de réinitialisation a été envoyé" in response.content.decode()
    assert [mail.to for mail in mailoutbox] == [[user.email]]
    assert re.search(r"/mot-de-passe/nouveau/[^/]+/[^/]+/", mailoutbox[0].body)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_action_resets_the_second_factor_and_emails_an_enrolment_link(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    two_factor.new_recovery_codes(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:commission_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [user.pk]},
            follow=True,
        )
    assert "a été réinitialisée" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not user.recoverycodedevice_set.exists()
    assert mailoutbox[-1].to == [user.email]
    assert "/securite/activation/" in mailoutbox[-1].body


def test_a_new_account_gets_no_password_and_receives_both_links(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:commission_user_add"),
            {
                "email": "nouvelle.secretaire@example.org",
                "first_name": "Claire",
                "last_name": "Martin",
                "title": "",
                "organisation": "",
                "is_active": "on",
                "groups": [str(Group.objects.get(name=Role.SECRETARIAT).pk)],
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.secretaire@example.org")
    assert not user.has_usable_password()
    bodies = "\n".join(mail.body for mail in mailoutbox if mail.to == [user.email])
    assert "/mot-de-passe/nouveau/" in bodies
    assert "/securite/activation/" in bodies
    assert RoleChange.objects.filter(user=user, role=Role.SECRETARIAT, granted=True, actor=superuser).exists()


# --- nobody grants themselves a role; every grant is recorded --------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"groups": "secretariat"},
        {"is_superuser": False},
        {"is_staff": False},
        {"organisation": "secretariat"},
    ],
    ids=["own groups", "own superuser flag", "own staff flag", "own organisation"],
)
def test_an_administrator_cannot_change_their_own_roles(client, superuser, overrides):
    if overrides.get("groups"):
        overrides = {"groups": [str(Group.objects.get(name=overrides["groups"]).pk)]}
    if overrides.get("organisation"):
        overrides = {"organisation": OrganisationFactory(kind=OrganisationKind.SECRETARIAT).pk}
    organisation_before = superuser.organisation_id
    before = RoleChange.objects.count()
    response = client.post(_user_change_url(superuser), _change_data(superuser, **overrides))
    assert response.status_code == 200
    assert "Vous ne pouvez pas modifier vos propres rôles" in response.content.decode()
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_staff
    assert not superuser.groups.exists()
    assert superuser.organisation_id == organisation_before
    assert RoleChange.objects.count() == before


def test_an_administrator_cannot_give_themselves_a_seat(rf, superuser):
    from commission.admin import MandatAdmin

    request = rf.post("/")
    request.user = superuser
    form_class = MandatAdmin(Mandat, admin.site).get_form(request)
    form = form_class(data={"user": superuser.pk})
    assert not form.is_valid()
    assert "Vous ne pouvez pas vous attribuer un mandat" in str(form.errors["user"])
    other = form_class(data={"user": UserFactory().pk})
    other.is_valid()
    assert "user" not in other.errors


def test_an_administrator_may_still_edit_their_own_name(client, superuser):
    response = client.post(_user_change_url(superuser), _change_data(superuser, first_name="Camille"))
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.first_name == "Camille"


def test_a_role_given_in_the_admin_is_recorded_with_who_whom_what_when(client, superuser):
    user = UserFactory()
    group = Group.objects.get(name=Role.SECRETARIAT)
    response = client.post(_user_change_url(user), _change_data(user, groups=[str(group.pk)], is_staff="on"))
    assert response.status_code == 302
    changes = {(c.actor, c.user, c.role, c.granted) for c in RoleChange.objects.filter(user=user)}
    assert changes == {
        (superuser, user, Role.SECRETARIAT, True),
        (superuser, user, "is_staff", True),
    }
    client.post(_user_change_url(user), _change_data(User.objects.get(pk=user.pk), groups=[]))
    assert RoleChange.objects.filter(
        user=user, role=Role.SECRETARIAT, granted=False, actor=superuser
    ).exists()


def test_role_changes_outside_the_admin_are_recorded_too():
    user = UserFactory(roles=[Role.MEMBRE])
    group = Group.objects.get(name=Role.PRESIDENT)
    group.user_set.add(user)
    user.is_superuser = True
    user.save()
    user.groups.clear()
    rows = list(RoleChange.objects.filter(user=user).order_by("pk").values_list("role", "granted", "actor"))
    assert rows[:3] == [(Role.MEMBRE, True, None), (Role.PRESIDENT, True, None), ("is_superuser", True, None)]
    assert sorted(rows[3:]) == [(Role.MEMBRE, False, None), (Role.PRESIDENT, False, None)]
    # A save that does not touch the flags writes nothing.
    user.first_name = "Alex"
    user.save()
    assert RoleChange.objects.filter(user=user).count() == 5


def test_role_changes_are_append_only():
    UserFactory(roles=[Role.MEMBRE])
    change = RoleChange.objects.get()
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()


def test_the_data_protection_officer_reads_the_role_changes(client):
    dpo = UserFactory(roles=[Role.ADMINISTRATEUR])
    user = UserFactory(roles=[Role.SECRETARIAT])
    client.force_login(dpo)
    page = client.get(reverse("role_changes")).content.decode()
    assert user.email in page
    assert "Secrétariat de la commission" in page
    assert "accordé" in page
    client.force_login(user)
    assert client.get(reverse("role_changes")).status_code == 404


def test_role_changes_admin_is_read_only(client, superuser):
    UserFactory(roles=[Role.MEMBRE])
    change = RoleChange.objects.exclude(user=superuser).first()
    assert client.get(reverse("admin:commission_rolechange_add")).status_code == 403
    assert client.post(reverse("admin:commission_rolechange_delete", args=[change.pk])).status_code == 403
    page = client.get(reverse("admin:commission_rolechange_change", args=[change.pk])).content.decode()
    assert 'name="_save"' not in page


# --- login history: read-only ----------------------------------------------------------------------


@pytest.mark.parametrize("model_name", ["accessattempt", "accesslog", "accessfailurelog"])
def test_login_history_admins_are_read_only(client, superuser, model_name):
    from django.apps import apps

    model = apps.get_model("axes", model_name)
    fields = {"username": "x@example.org", "ip_address": "192.0.2.1", "user_agent": "test"}
    if model_name == "accessattempt":
        fields["failures_since_start"] = 1
    obj = model.objects.create(**fields)
    base = f"admin:axes_{model_name}"
    assert client.get(reverse(f"{base}_add")).status_code == 403
    assert client.post(reverse(f"{base}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse(f"{base}_change", args=[obj.pk])).content.decode()
    assert 'name="_save"' not in page
    client.post(
        reverse(f"{base}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=obj.pk).exists()
