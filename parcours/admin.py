"""Dated reference data the secretariat or an administrator maintains: rules, AFIS scales, RSA amounts,
and the paragraphs of the letters the prefecture words itself (appeal routes)."""

from django.contrib import admin

from parcours.models import BaremeAfis, ForfaitRsa, RegleParcours, TexteCourrier


@admin.register(RegleParcours)
class RegleParcoursAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "term_months", "cap_months", "legal_reference"]


@admin.register(BaremeAfis)
class BaremeAfisAdmin(admin.ModelAdmin):
    list_display = [
        "territoire",
        "effective_from",
        "amount_0",
        "amount_1",
        "amount_2",
        "amount_3",
        "increment_per_child",
    ]
    list_filter = ["territoire"]


@admin.register(ForfaitRsa)
class ForfaitRsaAdmin(admin.ModelAdmin):
    list_display = ["territoire", "effective_from", "amount", "legal_reference"]
    list_filter = ["territoire"]


@admin.register(TexteCourrier)
class TexteCourrierAdmin(admin.ModelAdmin):
    """A new wording is a new row from the day it applies: letters already produced keep theirs."""

    list_display = ["kind", "departement", "effective_from"]
    list_filter = ["kind", "departement"]
    list_select_related = ["departement"]
