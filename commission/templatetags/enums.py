"""`{% enums "DemandeState" as DemandeState %}`: a TextChoices class in the template's context.

Templates compare a state or a kind with the enum's member, never with its value written out:
`{% if demande.state == DemandeState.AJOURNEE %}` survives a renamed value, and a misspelt member fails
loudly (the test settings make an unknown variable an error) instead of comparing with nothing.

As les-emplois does (itou/utils/templatetags/enums.py), with one difference: the class is found by its
name among the TextChoices of the project's own apps, so a template does not say which module declares
it (enums may move between apps) and this foundation app imports none of the apps above it.
"""

import functools
from pathlib import Path

from django import template
from django.apps import apps
from django.conf import settings
from django.db import models

register = template.Library()


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_apps() -> set[str]:
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts
    }


@functools.cache
def project_enums() -> dict[str, type[models.TextChoices]]:
    """Every TextChoices declared in one of the project's apps, by name (the apps' models import them
    all, so they are known once the apps are ready)."""
    own = _project_apps()
    found = {}
    for cls in _subclasses(models.TextChoices):
        module = cls.__module__
        if not any(module == app or module.startswith(f"{app}.") for app in own):
            continue
        if found.get(cls.__name__, cls) is not cls:
            raise template.TemplateSyntaxError(f"Two TextChoices of the project are named {cls.__name__}.")
        found[cls.__name__] = cls
    return found


@register.simple_tag
def enums(name):
    try:
        return project_enums()[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"No TextChoices named {name!r} in the project's apps.") from None
