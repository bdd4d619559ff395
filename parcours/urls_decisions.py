"""The prefect's decisions, their letters, and the foreigners' service's residence permits."""

from django.urls import path

from parcours.views import decisions, letters, titres

app_name = "decisions"

urlpatterns = [
    # The president (prefect or delegate)
    path("decisions/", decisions.a_decider, name="a_decider"),
    path("dossiers/<int:pk>/decision/", decisions.decider, name="decider"),
    path("afis/<int:pk>/apprecier/", decisions.afis_reassess, name="afis_reassess"),
    path("decisions/<int:pk>/corriger/", decisions.corriger, name="corriger"),
    # Letters
    path("courriers/<int:pk>/", letters.courrier_download, name="courrier"),
    path("decisions/<int:pk>/courriers/relancer/", letters.relancer, name="relancer"),
    # The foreigners' service
    path("autorisations-de-sejour/", titres.titre_list, name="titres"),
    path("autorisations-de-sejour/export.csv", titres.titre_export, name="titres_export"),
    path("autorisations-de-sejour/<int:pk>/", titres.titre_detail, name="titre"),
    path("autorisations-de-sejour/<int:pk>/correction/", titres.titre_correct, name="titre_correct"),
]
