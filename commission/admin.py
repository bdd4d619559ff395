"""The Django admin is for configuration only: organisations, agréments, commissions, mandates, users.

The administrator configures; it never reads a person, nor signs in as one:
- persons and dossiers are never exposed here; they are reached through the scoped screens;
- no second-factor secret, QR code or recovery code is shown (django-otp's own admins are removed);
- no password is set here: the user admin sends a reset link, and resets the second factor by sending
  an enrolment link, both to the account's own address (which cannot be changed here afterwards);
- nobody changes their own roles; every role given or taken away is recorded (RoleChange);
- the change history (django-auditlog) shows masked fields masked, even in entries written before
  they were masked; login history (django-axes) is read-only.
"""

from auditlog.admin import LogEntryAdmin as BaseLogEntryAdmin
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import PasswordResetForm
from django.db.models import Exists, OuterRef
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from commission import two_factor
from commission.audit import mask_value
from commission.models import Agrement, Commission, Departement, Mandat, Organisation, RoleChange, User
from commission.validators import CleanInputMixin

# --- second factor: no secret, QR code or recovery code in the admin --------------------------------
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_mayotte"]
    search_fields = ["code", "name"]


class AgrementInline(admin.TabularInline):
    model = Agrement
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "departement"]
    list_filter = ["kind", "departement"]
    search_fields = ["name"]
    list_select_related = ["departement"]
    inlines = [AgrementInline]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["name", "departement"]
    list_select_related = ["departement"]


class MandatAdminForm(CleanInputMixin, forms.ModelForm):
    editor = None  # the signed-in administrator, set per request by MandatAdmin.get_form

    class Meta:
        model = Mandat
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)

    def clean_user(self):
        user = self.cleaned_data.get("user")
        if self.editor is not None and user is not None and user.pk == self.editor.pk:
            raise forms.ValidationError(
                _(
                    "Vous ne pouvez pas vous attribuer un mandat : un siège ouvre les dossiers de la "
                    "commission. Demandez-le à un·e autre administrateur·rice."
                )
            )
        return user


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    form = MandatAdminForm
    list_display = ["user", "organisation", "role", "voting", "is_president", "scope", "start", "end"]
    list_filter = ["commission", "role", "scope", "voting"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation", "titulaire"]
    search_fields = ["user__last_name", "organisation__name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})


# --- users ------------------------------------------------------------------------------------------

# What opens a way into the persons' files (the organisation sets a role's scope): nobody changes these
# on their own account.
ROLE_FIELDS = ("groups", "is_staff", "is_superuser", "organisation")


class AccountPasswordResetForm(CleanInputMixin, PasswordResetForm):
    """Django's reset e-mail, to one chosen account (even one without a password yet)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__({"email": user.email}, *args, **kwargs)
        self.user = user

    def get_users(self, email):
        return [self.user] if self.user.is_active else []


def send_password_reset(request, user):
    form = AccountPasswordResetForm(user)
    form.is_valid()
    form.save(
        request=request,
        use_https=request.is_secure(),
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    )


class UserAdminForm(CleanInputMixin, forms.ModelForm):
    editor = None  # the signed-in administrator, set per request by UserAdmin.get_form

    class Meta:
        model = User
        fields = [  # never the password
            "email",
            "first_name",
            "last_name",
            "title",
            "organisation",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.editor is not None and self.instance.pk == self.editor.pk:
            for field in ROLE_FIELDS:
                if field in self.fields and field in self.changed_data:
                    self.add_error(
                        field,
                        _(
                            "Vous ne pouvez pas modifier vos propres rôles ni vos droits : demandez-le à "
                            "un·e autre administrateur·rice."
                        ),
                    )
        return cleaned


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active", "second_factor"]
    list_filter = ["groups", "is_active", "organisation__departement"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["groups"]
    fieldsets = [
        (None, {"fields": ["email", "second_factor"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "title", "organisation"]}),
        (_("Rôles et droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "title", "organisation"]}),
        (_("Rôles et droits"), {"fields": ["is_active", "is_staff", "groups"]}),
    ]
    actions = ["send_password_reset_link", "reset_second_factor"]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The address receives the reset and enrolment links: changing it here would hand the account
        # to whoever reads the new mailbox.
        return ["email", "second_factor", "last_login", "date_joined"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def lookup_allowed(self, lookup, value, request=None):
        return not lookup.startswith("password") and super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_second_factor=Exists(devices))

    @admin.display(description=_("Double authentification"), boolean=True)
    def second_factor(self, obj):
        return obj.has_second_factor

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """A new account receives a link to choose its password and one to enrol its authenticator."""
        send_password_reset(request, obj)
        two_factor.send_enrolment_link(obj)
        self.message_user(
            request,
            _(
                "Un lien pour choisir le mot de passe et un lien d’activation de la double authentification ont été envoyés à %(email)s."
            )
            % {"email": obj.email},
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Envoyer un lien de réinitialisation du mot de passe"))
    def send_password_reset_link(self, request, queryset):
        users = [user for user in queryset if user.is_active]
        for user in users:
            send_password_reset(request, user)
        self.message_user(
            request,
            ngettext(
                "Un lien de réinitialisation a été envoyé à %(count)d compte actif.",
                "Un lien de réinitialisation a été envoyé à %(count)d comptes actifs.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Réinitialiser la double authentification"))
    def reset_second_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            two_factor.reset(user)
        self.message_user(
            request,
            ngettext(
                "La double authentification de %(count)d compte a été réinitialisée : un lien "
                "d’activation lui a été envoyé par courriel.",
                "La double authentification de %(count)d comptes a été réinitialisée : un lien "
                "d’activation leur a été envoyé par courriel.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that nobody edits from the admin: it can be listed and opened, never changed."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "user", "role_label", "granted"]
    list_filter = ["granted", "role"]
    list_select_related = ["actor", "user"]
    search_fields = ["user__email", "actor__email"]
    date_hierarchy = "at"

    @admin.display(description=_("rôle ou droit"))
    def role_label(self, obj):
        return obj.role_label


# --- login history (django-axes): read-only ---------------------------------------------------------


class AccessAttemptAdmin(ReadOnlyAdmin, axes_admin.AccessAttemptAdmin):
    actions = None


class AxesAccessLogAdmin(ReadOnlyAdmin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(ReadOnlyAdmin, axes_admin.AccessFailureLogAdmin):
    pass


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AxesAccessLog, AxesAccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):  # AXES_ENABLE_ADMIN
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)


# --- change history (django-auditlog): masked fields stay masked ------------------------------------


def masked_fields(entry) -> set[str]:
    """The fields that the model's auditlog registration masks (each app's auditing.py)."""
    model = entry.content_type.model_class()
    if model is None:
        return set()
    if not auditlog.contains(model):
        return set()
    return set(auditlog.get_model_fields(model)["mask_fields"])


def masked_changes(entry) -> dict:
    """The entry's changes with the masked fields' values masked again, whatever was stored: entries
    written before a field was masked keep their values in the (append-only) table."""
    masked = masked_fields(entry)
    changes = {}
    for field, change in (entry.changes_dict or {}).items():
        if isinstance(change, dict):  # a many-to-many change: names of related objects
            changes[field] = change
        elif field in masked:
            changes[field] = [mask_value(value) for value in change]
        else:
            changes[field] = change
    return changes


class LogEntryAdmin(BaseLogEntryAdmin):
    # Not "changes": a search on the stored values would confirm an unmasked value without showing it.
    search_fields = ["object_repr", "actor__email"]

    @admin.display(description=_("Modifications"))
    def msg(self, obj):
        changes = masked_changes(obj)
        rows = []
        for field, change in sorted(changes.items()):
            if isinstance(change, dict):
                values = (change.get("operation", ""), ", ".join(str(o) for o in change.get("objects", [])))
            else:
                values = tuple(str(v) for v in change)
            rows.append((field, *values))
        if not rows:
            return ""
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("Champ"),
            _("Avant"),
            _("Après"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, LogEntryAdmin)
