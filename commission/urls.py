from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from beneficiaires import audit_views
from commission import notification_views, security_views, views
from commission.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(email_template_name="registration/password_reset_email.txt"),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("parcours.urls_personnes")),
    path("", include("parcours.urls")),
    path("", include("parcours.urls_decisions")),
    path("", include("parcours.urls_bilan")),
    path("", include("commission.seances.urls")),
    path("securite/verification/", security_views.two_factor_verify, name="two_factor_verify"),
    path("securite/activation/", security_views.two_factor_setup, name="two_factor_setup"),
    path("securite/activation/lien/", security_views.two_factor_send_link, name="two_factor_send_link"),
    path("securite/activation/<str:token>/", security_views.two_factor_enrol, name="two_factor_enrol"),
    path(
        "securite/codes-de-secours/",
        security_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
    path(
        "notifications/tout-marquer-comme-lu/",
        notification_views.notification_mark_all_read,
        name="notifications_mark_all_read",
    ),
    path("journal-des-acces/", audit_views.access_log, name="access_log"),
    path("journal-des-roles/", security_views.role_changes, name="role_changes"),
    path("admin/", admin.site.urls),
]
