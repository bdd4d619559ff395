"""The person's own pages. The list of persons and a person's page show dossiers:
`parcours.urls_personnes` adds them to this namespace and is what the site includes."""

from django.urls import path

from beneficiaires import views

app_name = "beneficiaires"

urlpatterns = [
    path("personnes/nouvelle/", views.beneficiaire_create, name="create"),
    path("personnes/<int:pk>/modifier/", views.beneficiaire_update, name="update"),
    path(
        "personnes/<int:pk>/changer-d-association/", views.accompagnement_change, name="accompagnement_change"
    ),
]
