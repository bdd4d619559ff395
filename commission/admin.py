"""The Django admin is for configuration only: organisations, agréments, commissions, mandates, users.
Persons and dossiers are never exposed here; they are reached through the scoped screens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from commission.models import Agrement, Commission, Departement, Mandat, Organisation, User


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


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "voting", "is_president", "scope", "start", "end"]
    list_filter = ["commission", "role", "scope", "voting"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation", "titulaire"]
    search_fields = ["user__last_name", "organisation__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["groups", "is_active", "organisation__departement"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "title", "organisation"]}),
        (_("Rôles et droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
