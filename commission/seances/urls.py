from django.urls import path

from commission.seances import courriers, views

app_name = "commission"

urlpatterns = [
    path("seances/", views.seance_list, name="seances"),
    path("seances/nouvelle/", views.seance_create, name="seance_create"),
    path("seances/<int:pk>/", views.seance_detail, name="seance"),
    # The secretariat prepares and runs the session
    path("seances/<int:pk>/ordre-du-jour/", views.agenda, name="agenda"),
    path("seances/<int:pk>/ordre-du-jour/<int:point_pk>/retirer/", views.point_remove, name="point_remove"),
    path("seances/<int:pk>/convoquer/", views.seance_convene, name="seance_convene"),
    path("seances/<int:pk>/presences/", views.attendance, name="attendance"),
    path("seances/<int:pk>/ouvrir/", views.seance_open, name="seance_open"),
    path("seances/<int:pk>/clore/", views.seance_close, name="seance_close"),
    path("seances/<int:pk>/reporter/", views.seance_reschedule, name="seance_reschedule"),
    path("seances/<int:pk>/annuler/", views.seance_cancel, name="seance_cancel"),
    path("seances/<int:pk>/reconvoquer/", views.seance_reconvene, name="seance_reconvene"),
    path("seances/<int:pk>/proces-verbal/", views.minutes_download, name="minutes"),
    path("seances/<int:pk>/proces-verbal/relancer/", views.minutes_relaunch, name="minutes_relaunch"),
    path("seances/<int:pk>/feuille-emargement/", views.attendance_sheet_download, name="attendance_sheet"),
    path("seances/<int:pk>/votes.csv", views.votes_export, name="votes_export"),
    # The letters of the decisions taken on the session's items
    path("seances/<int:pk>/courriers/", courriers.seance_courriers, name="seance_courriers"),
    path(
        "seances/<int:pk>/courriers/progression/",
        courriers.seance_courriers_progression,
        name="seance_courriers_progression",
    ),
    # Agenda items: the member's page (dossier and vote), the secretariat's (tally and opinion)
    path("seances/<int:pk>/points/<int:point_pk>/", views.point_detail, name="point"),
    path("seances/<int:pk>/points/<int:point_pk>/conduite/", views.point_manage, name="point_manage"),
    path("seances/<int:pk>/points/<int:point_pk>/decompte/", views.point_tally, name="point_tally"),
]
