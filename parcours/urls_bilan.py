from django.urls import path

from parcours.views import bilan, exports

app_name = "bilan"

urlpatterns = [
    # The annual report: page, and its PDF / CSV / XLSX (?format=…)
    path("bilan/", bilan.bilan_view, name="bilan"),
    # Exports of the dossier list with its filters
    path("dossiers/export/", exports.export_start, name="export_dossiers"),
    path("exports/<int:pk>/", exports.export_job, name="export_job"),
    path("exports/<int:pk>/telecharger/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/relancer/", exports.export_relaunch, name="export_relaunch"),
    path("exports/lien/<str:token>/", exports.export_link, name="export_link"),
]
