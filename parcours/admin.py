"""Dated reference data the secretariat or an administrator maintains: rules, AFIS scales, RSA amounts."""

from django.contrib import admin

from parcours.models import BaremeAfis, ForfaitRsa, RegleParcours


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
