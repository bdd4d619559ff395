from django.urls import path

from beneficiaires import views

app_name = "beneficiaires"

urlpatterns = [
    path("personnes/", views.beneficiaire_list, name="list"),
    path("personnes/nouvelle/", views.beneficiaire_create, name="create"),
    path("personnes/<int:pk>/", views.beneficiaire_detail, name="detail"),
    path("personnes/<int:pk>/modifier/", views.beneficiaire_update, name="update"),
]
