from django.urls import path

from bridge.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
    path("accounts/drafts/save/", views.draft_save, name="draft_save"),
    path("accounts/drafts/load/", views.draft_load, name="draft_load"),
    path("accounts/drafts/discard/", views.draft_discard, name="draft_discard"),
    path("accounts/two-factor/", views.mfa_verify, name="mfa_verify"),
    path("accounts/two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<uuid:user_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<uuid:user_id>/roles/", views.staff_roles, name="staff_roles"),
    path("staff/<uuid:user_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
]
