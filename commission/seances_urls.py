from django.urls import path

from commission import seances_views

app_name = "commission"

urlpatterns = [
    path("seances/<int:pk>/", seances_views.seance_detail, name="seance"),
]
