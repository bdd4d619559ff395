"""The home page's to-do sections. Each app contributes its own (`parcours.todo`, `commission.seances.todo`)
with `@provider`, registered when the app is ready, so the foundation imports none of them.

A provider takes the user and the day and returns the sections for that user's roles; `order` places
each section on the page whatever app it comes from; `link` gives each row the page where its work is
done (every row of the home page is a link: tests/test_todo_links.py)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commission.enums import Role
from commission.models import Agrement

ROWS_PER_SECTION = 10

_providers = []


@dataclass
class Section:
    key: str
    title: str
    empty: str
    order: int
    rows: list = field(default_factory=list)
    total: int = 0
    urls: list = field(default_factory=list)

    @property
    def entries(self):
        """(row, url of the page where its work is done), for each row shown."""
        return list(zip(self.rows, self.urls, strict=True))


def section(key, title, empty, queryset: QuerySet, *, order: int, link: Callable[[object], str]) -> Section:
    rows = list(queryset[: ROWS_PER_SECTION + 1])
    total = len(rows) if len(rows) <= ROWS_PER_SECTION else queryset.count()
    rows = rows[:ROWS_PER_SECTION]
    return Section(
        key=key, title=title, empty=empty, order=order, rows=rows, total=total, urls=[link(r) for r in rows]
    )


def provider(func):
    """Register `func(user, *, today, now) -> list[Section]` as a source of home sections."""
    if func not in _providers:
        _providers.append(func)
    return func


def sections_for(user) -> list[Section]:
    now = timezone.now()
    today = timezone.localdate()
    sections = [s for source in _providers for s in source(user, today=today, now=now)]
    return sorted(sections, key=lambda s: s.order)


@provider
def agrements(user, *, today, now):
    if not user.has_role(Role.ADMINISTRATEUR):
        return []
    expiring = Agrement.objects.filter(
        end__gte=today, end__lte=today + datetime.timedelta(days=90), revoked_on__isnull=True
    )
    return [
        section(
            "agrements",
            _("Agréments d’associations arrivant à échéance dans les 90 jours"),
            _("Aucun agrément n’arrive à échéance."),
            expiring.select_related("association", "departement").order_by("end"),
            order=110,
            # The agrément is kept with its association, in the configuration pages.
            link=lambda agrement: reverse(
                "admin:commission_organisation_change", args=[agrement.association_id]
            ),
        )
    ]
