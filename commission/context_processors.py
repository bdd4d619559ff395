import functools

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from commission.access import association_of
from commission.enums import Role
from commission.models import Notification

# (label, url name, namespaces or view names that mark it current, roles that see it)
NAVIGATION = [
    (_("Personnes accompagnées"), "beneficiaires:list", ("beneficiaires",), (Role.REFERENT,)),
    (
        _("Dossiers"),
        "parcours:dossiers",
        ("parcours:dossiers", "parcours:dossier"),
        (Role.REFERENT, Role.SECRETARIAT, Role.PRESIDENT),
    ),
    (
        _("Dossiers à instruire"),
        "parcours:inbox",
        ("parcours:inbox", "parcours:instruction"),
        (Role.SECRETARIAT,),
    ),
    (_("Séances"), "commission:seances", ("commission",), (Role.SECRETARIAT, Role.PRESIDENT, Role.MEMBRE)),
    (_("Décisions"), "decisions:a_decider", ("decisions:a_decider", "decisions:decider"), (Role.PRESIDENT,)),
    (_("Titres de séjour"), "decisions:titres", ("decisions:titres", "decisions:titre"), (Role.ETRANGERS,)),
    (_("Bilan annuel"), "bilan:bilan", ("bilan",), (Role.SECRETARIAT, Role.PRESIDENT, Role.ADMINISTRATEUR)),
    (_("Journal des accès"), "access_log", ("access_log",), (Role.ADMINISTRATEUR,)),
]


def site(request):
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "navigation": navigation(request),
        # A callable: read only by the pages that show it (base.html), not by every fragment.
        "lapsed_approvals": lambda: lapsed_approvals(request),
        "unread_notifications": unread_notifications(request),
    }


def lapsed_approvals(request):
    """For a caseworker whose association's approval lapsed: (département, ended on), said on every
    page (filing is closed until it is renewed)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    association = association_of(user)
    return association.lapsed_approvals() if association is not None else []


def unread_notifications(request):
    """The header's count of unread notifications. A callable, which the template calls: one query, made
    only by a page that shows it (not by the fragments htmx refreshes), and once however often shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return functools.cache(lambda: Notification.objects.for_user(user).unread().count())


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    current = {match.namespace, match.view_name} if match else set()
    items = []
    for label, name, marks, roles in NAVIGATION:
        if not any(user.has_role(role) for role in roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a screen not installed in this deployment
        items.append({"label": label, "url": url, "current": bool(current & set(marks))})
    return items
