"""Signed in as the demo's administrator (role administrateur, staff and superuser), no URL shows a
person: every URL of the permission matrix and every page of the Django admin is requested, over the
matrix's world whose persons carry last names found nowhere else, and none may appear, nor a second
factor's secret or a recovery code. (The pseudonymous reference may: the change history names its
objects by it, as members read the dossiers.)"""

import base64

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission import two_factor
from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

module_world = matrix.module_world
world = matrix.world


def _administrator(world):
    user = world.users["administrateur"]
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def _pages(client, world):
    for name, row in sorted(MATRIX.items()):
        if row.method != "get":
            continue
        url = reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)
        yield url, client.get(url)
    yield reverse("admin:index"), client.get(reverse("admin:index"))
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        yield url, client.get(url)
        for obj in model._default_manager.all()[:3]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            yield url, client.get(url)


def test_the_administrator_reaches_no_page_showing_a_person_or_a_secret(world):
    member = world.users["membre"]
    device = TOTPDevice.objects.create(user=member, name="app", confirmed=True)
    codes = two_factor.new_recovery_codes(member)
    forbidden = [
        *(last_name for last_name, _reference in world.names.values()),
        device.key,
        base64.b32encode(device.bin_key).decode(),
        *codes,
    ]
    client = _administrator(world)

    shown, answered = [], 0
    for url, response in _pages(client, world):
        if response.status_code != 200 or response.streaming:
            continue
        answered += 1
        body = response.content.decode(errors="replace")
        shown += [f"{url}: {secret}" for secret in forbidden if secret in body]

    assert answered > 30  # the walk reached the administrator's pages and the admin's
    assert not shown, "\n".join(shown)
