from django.urls import path

from bridge.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/two-factor/", views.mfa_verify, name="mfa_verify"),
    path("accounts/two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<uuid:user_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<uuid:user_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
]
