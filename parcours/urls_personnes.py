"""The person's URLs, under the `beneficiaires` namespace: the person's own pages (`beneficiaires.urls`:
new person, changes, change of association) and the pages that show their dossiers
(`parcours.views.beneficiaires`: the list and a person's page). Assembled here because `parcours`
knows `beneficiaires`, never the reverse."""

from django.urls import path

from beneficiaires import urls as beneficiaires_urls
from parcours.views import beneficiaires

app_name = "beneficiaires"

urlpatterns = [
    path("personnes/", beneficiaires.beneficiaire_list, name="list"),
    path("personnes/<int:pk>/", beneficiaires.beneficiaire_detail, name="detail"),
    *beneficiaires_urls.urlpatterns,
]
