from django.urls import path

from parcours.views import documents, dossiers, instruction, listes, messages, privacy, sorties

app_name = "parcours"

urlpatterns = [
    # Lists (caseworkers: their association's dossiers; secretariat: the commission's submitted ones)
    path("dossiers/", listes.dossier_list, name="dossiers"),
    # The caseworker's application
    path("personnes/<int:beneficiaire_pk>/demande/", dossiers.demande_create, name="demande_create"),
    path("parcours/<int:pk>/renouvellement/", dossiers.renouvellement_create, name="renouvellement_create"),
    path("parcours/<int:pk>/sortie/", sorties.parcours_exit, name="parcours_exit"),
    path("dossiers/<int:pk>/", dossiers.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/modifier/<slug:etape>/", dossiers.dossier_edit, name="dossier_edit"),
    path("dossiers/<int:pk>/deposer/", dossiers.dossier_submit, name="dossier_submit"),
    path("dossiers/<int:pk>/retrait/", dossiers.dossier_withdraw, name="dossier_withdraw"),
    path("dossiers/<int:pk>/attribution/", dossiers.dossier_assign, name="dossier_assign"),
    # Documents
    path("dossiers/<int:pk>/documents/ajouter/", documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
    path("documents/<int:pk>/remplacer/", documents.document_replace, name="document_replace"),
    # Thread between association and secretariat
    path("dossiers/<int:pk>/messages/", messages.message_post, name="message_post"),
    # The secretariat's completeness check
    path("instruction/", instruction.inbox, name="inbox"),
    path("dossiers/<int:pk>/instruction/", instruction.instruction, name="instruction"),
    # Right of access (RGPD art. 15)
    path("personnes/<int:pk>/droit-d-acces/", privacy.access_report, name="access_report"),
]
