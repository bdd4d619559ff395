"""The error pages, as a user meets them with DEBUG off: in French, in the DSFR layout, with a way back.

400, 403, 404 and 500 are Django's own handlers with the project's templates; a refused CSRF token is
Django's `csrf_failure` with templates/403_csrf.html; 429 is the lockout page (commission/lockout.py).
The 500 page renders without a request, so it must need neither the user nor the database.
"""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@login_not_required
def _server_error(request):
    raise RuntimeError("a bug")


@login_not_required
def _bad_request(request):
    raise SuspiciousOperation("a request the site cannot read")


@login_not_required
def _permission_denied(request):
    raise PermissionDenied


# The site's URLs, and three views that fail the way a bug, a forged request or a refusal fails.
urlpatterns = [
    path("essai/500/", _server_error),
    path("essai/400/", _bad_request),
    path("essai/403/", _permission_denied),
    path("", include("commission.urls")),
]

ERRORS = override_settings(DEBUG=False, ROOT_URLCONF=__name__)


def assert_error_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="fr"' in html
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html  # the DSFR layout
    assert f"Erreur {status}" in html
    assert heading in html
    assert f'href="{reverse("home")}"' in html and "Page d’accueil" in html
    # Nothing of Django's English pages.
    for english in ("Server Error", "Not Found", "Forbidden", "Bad Request", "CSRF verification failed"):
        assert english not in html
    return html


@ERRORS
def test_a_bug_answers_the_french_500_page_without_the_request_context():
    client = Client(raise_request_exception=False)
    response = client.get("/essai/500/")
    html = assert_error_page(response, 500, "Erreur du site")
    # Rendered without a request: no menu of a user, no link back it cannot check.
    assert "Se déconnecter" not in html
    assert "Revenir à la page précédente" not in html


@ERRORS
def test_a_bug_for_a_signed_in_user_still_answers_the_500_page():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    assert_error_page(client.get("/essai/500/"), 500, "Erreur du site")


@ERRORS
def test_a_request_the_site_cannot_read_answers_400():
    client = Client(raise_request_exception=False)
    assert_error_page(client.get("/essai/400/"), 400, "Requête incorrecte")


@ERRORS
def test_a_refusal_answers_403():
    client = Client()
    client.force_login(UserFactory())
    assert_error_page(client.get("/essai/403/"), 403, "Accès refusé")


@ERRORS
def test_an_unknown_page_answers_404_with_a_link_back_to_the_page_of_the_site_one_came_from():
    client = Client()
    client.force_login(UserFactory())
    came_from = "http://testserver" + reverse("parcours:dossiers")
    html = assert_error_page(client.get("/nulle-part/", HTTP_REFERER=came_from), 404, "Page introuvable")
    assert f'href="{came_from}"' in html and "Revenir à la page précédente" in html


@ERRORS
def test_the_link_back_never_leads_off_the_site():
    client = Client()
    client.force_login(UserFactory())
    html = assert_error_page(
        client.get("/nulle-part/", HTTP_REFERER="https://ailleurs.example/piege"), 404, "Page introuvable"
    )
    assert "ailleurs.example" not in html
    assert "Revenir à la page précédente" not in html


@ERRORS
def test_a_form_sent_without_its_csrf_token_answers_the_french_csrf_page():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    html = assert_error_page(client.post(reverse("logout")), 403, "Formulaire expiré")
    assert "rechargez-la" in html


@ERRORS
def test_the_lockout_page_answers_429_in_the_dsfr_layout(settings):
    settings.AXES_ENABLED = True
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": user.email, "password": "pas-le-bon"})
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="fr"' in html and 'class="fr-header"' in html and 'class="fr-footer"' in html
    assert "temporairement bloqué" in html
