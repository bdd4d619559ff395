"""Every role given or taken away is written to RoleChange, whatever grants it (admin, command, shell).

The actor is the signed-in user of the request (set by commission.middleware.RoleActorMiddleware for
the request's duration only), or nobody for a command."""

import contextlib
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save

from commission.models.roles import STAFF_FLAG, SUPERUSER_FLAG, RoleChange

FLAGS = (STAFF_FLAG, SUPERUSER_FLAG)


_actor = ContextVar("role_change_actor", default=None)


@contextlib.contextmanager
def acting_as(user):
    token = _actor.set(user)  # the request's lazy user: evaluated only if a role changes
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor():
    user = _actor.get()
    return user if getattr(user, "is_authenticated", False) else None


def _flags_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._role_flags_before = None
    if raw or (update_fields is not None and not set(update_fields) & set(FLAGS)):
        return
    stored = None
    if not instance._state.adding and instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).values(*FLAGS).first()
    instance._role_flags_before = stored or dict.fromkeys(FLAGS, False)


def _flags_after(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_role_flags_before", None)
    if raw or before is None:
        return
    actor = current_actor()
    RoleChange.objects.bulk_create(
        RoleChange(actor=actor, user=instance, role=flag, granted=getattr(instance, flag))
        for flag in FLAGS
        if bool(getattr(instance, flag)) != bool(before[flag])
    )


def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """`user.groups.add(group)` or `group.user_set.add(user)`: one row per user and group."""
    if action == "pre_clear":
        # The rows a clear removes are known only before it.
        instance._groups_cleared = list(
            sender.objects.filter(**{"group" if reverse else "user": instance}).values_list(
                "user_id", "group__name"
            )
        )
        return
    if action == "post_clear":
        pairs = getattr(instance, "_groups_cleared", [])
        granted = False
    elif action in ("post_add", "post_remove") and pk_set:
        granted = action == "post_add"
        if reverse:  # instance is a group, pk_set are users
            pairs = [(user_pk, instance.name) for user_pk in pk_set]
        else:
            names = dict(model.objects.filter(pk__in=pk_set).values_list("pk", "name"))
            pairs = [(instance.pk, names[group_pk]) for group_pk in pk_set]
    else:
        return
    actor = current_actor()
    RoleChange.objects.bulk_create(
        RoleChange(actor=actor, user_id=user_pk, role=name, granted=granted) for user_pk, name in pairs
    )


def connect():
    User = get_user_model()
    pre_save.connect(_flags_before, sender=User, dispatch_uid="role_flags_before")
    post_save.connect(_flags_after, sender=User, dispatch_uid="role_flags_after")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="role_groups_changed")
