"""Lockout after failed logins: an account from one address at 5 failures, an address at 50, and the
client's address read from the header the operator's proxies set, not from the proxy itself."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "pas-le-bon-mot-de-passe"
HOME = "192.0.2.10"  # documentation addresses (RFC 5737): fictional clients
OFFICE = "198.51.100.20"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    # The defaults of commission/settings.py, said here so that the test reads on its own.
    assert (django_settings.AXES_FAILURE_LIMIT, django_settings.LOCKOUT_ADDRESS_FAILURE_LIMIT) == (5, 50)


def login(client, email, password, address=HOME, **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_from_that_address_only(client):
    user = UserFactory()
    for _ in range(4):
        assert login(client, user.email, WRONG).status_code == 200
    fifth = login(client, user.email, WRONG)
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Compte temporairement bloqué" in page
    assert "la connexion à ce compte depuis cette adresse est bloquée pendant 30 minutes" in page

    # Even the right password is refused from that address, and not checked.
    refused = login(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert not signed_in(client)

    # The same account from another address, and another account from that address, still log in.
    assert login(client, user.email, PASSWORD, address=OFFICE).status_code == 302
    client.logout()
    colleague = UserFactory()
    assert login(client, colleague.email, PASSWORD).status_code == 302


def test_the_login_page_says_how_many_tries_are_left(client):
    user = UserFactory()
    first = login(client, user.email, WRONG).content.decode()
    assert "Adresse électronique ou mot de passe incorrect" in first
    assert (
        "Il vous reste 4 essais avant le blocage de ce compte depuis cette adresse pendant 30 minutes."
        in first
    )
    for _ in range(2):
        login(client, user.email, WRONG)
    assert (
        "Il vous reste 1 essai avant le blocage de ce compte"
        in login(client, user.email, WRONG).content.decode()
    )


def test_an_unknown_account_is_answered_like_a_known_one(client):
    user = UserFactory()
    known = login(client, user.email, WRONG).content.decode()
    unknown = login(client, "personne@example.invalid", WRONG).content.decode()
    assert "Il vous reste 4 essais" in known
    assert "Il vous reste 4 essais" in unknown
    for _ in range(4):
        response = login(client, "personne@example.invalid", WRONG)
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()


def test_the_case_of_the_address_typed_does_not_give_more_tries(client):
    user = UserFactory(email="camille.martin@example.org")
    for email in ("Camille.Martin@example.org", "CAMILLE.MARTIN@EXAMPLE.ORG", "camille.martin@Example.org"):
        login(client, email, WRONG)
    page = login(client, " camille.MARTIN@example.org", WRONG).content.decode()
    assert "Il vous reste 1 essai avant" in page
    assert login(client, user.email, WRONG).status_code == 429


def test_fifty_failures_on_any_accounts_lock_the_address(client):
    user = UserFactory()
    for n in range(49):
        assert login(client, f"essai-{n}@example.invalid", WRONG).status_code == 200
    # The nearer limit is now the address's: the page says so.
    page = login(client, user.email, WRONG, address=HOME)
    assert page.status_code == 429
    assert "Adresse temporairement bloquée" in page.content.decode()
    assert "toute connexion depuis cette adresse est bloquée pendant 30 minutes" in page.content.decode()
    assert login(client, UserFactory().email, PASSWORD).status_code == 429
    # Another address is not concerned.
    assert login(client, user.email, PASSWORD, address=OFFICE).status_code == 302


def test_near_the_address_limit_the_page_counts_the_address_tries(client):
    for n in range(47):
        login(client, f"essai-{n}@example.invalid", WRONG)
    page = login(client, UserFactory().email, WRONG).content.decode()
    assert (
        "Il vous reste 2 essais avant le blocage de toute connexion depuis cette adresse pendant 30 minutes."
        in page
    )


def test_a_successful_login_clears_that_account_s_failures(client):
    user = UserFactory()
    for _ in range(4):
        login(client, user.email, WRONG)
    assert login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    assert "Il vous reste 4 essais" in login(client, user.email, WRONG).content.decode()


# --- behind the operator's proxies -------------------------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    """What BEHIND_PROXY=1 PROXY_COUNT=1 gives (checked against the settings module below)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    settings.AXES_IPWARE_PROXY_ORDER = "left-most"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


def test_behind_a_proxy_each_client_is_counted_on_its_own_address(client, behind_one_proxy):
    user = UserFactory()
    for _ in range(5):
        login(client, user.email, WRONG, address=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    assert login(client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=HOME).status_code == 429
    # Another client, through the same proxy, logs in to the same account.
    assert login(client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302


def test_behind_a_proxy_a_client_cannot_escape_its_count_by_writing_the_header(client, behind_one_proxy):
    user = UserFactory()
    for n in range(5):
        # The client sends "X-Forwarded-For: 203.0.113.n"; the proxy appends the address it sees.
        forged = f"203.0.113.{n}, {HOME}"
        login(client, user.email, WRONG, address=PROXY, HTTP_X_FORWARDED_FOR=forged)
    # Counted on the address the proxy saw, with or without what the client wrote before it.
    for forwarded in (HOME, f"198.18.0.1, {HOME}", f"nimporte-quoi, {HOME}"):
        locked = login(client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        assert locked.status_code == 429, forwarded
    assert login(client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302


def test_behind_a_proxy_nobody_is_locked_out_through_the_proxy_s_address(client, behind_one_proxy):
    user = UserFactory()
    for n in range(60):
        login(client, f"essai-{n}@example.invalid", WRONG, address=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    assert login(client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302


def test_behind_two_proxies_the_second_value_from_the_right_is_the_client(client, settings, behind_one_proxy):
    settings.AXES_IPWARE_PROXY_COUNT = 1  # PROXY_COUNT=2: a load balancer, then nginx
    balancer = "10.0.0.2"
    user = UserFactory()
    for n in range(5):
        login(
            client,
            user.email,
            WRONG,
            address=PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {HOME}, {balancer}",
        )
    assert (
        login(
            client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=f"{HOME}, {balancer}"
        ).status_code
        == 429
    )
    assert (
        login(
            client, user.email, PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=f"{OFFICE}, {balancer}"
        ).status_code
        == 302
    )


def test_the_access_log_records_the_address_the_lockout_counts(rf, behind_one_proxy):
    from commission.audit import client_ip

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.9, {HOME}")
    assert client_ip(request) == HOME
