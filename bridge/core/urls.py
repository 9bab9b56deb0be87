from django.urls import path

from bridge.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("home/panels/<slug:key>/", views.home_panel, name="home_panel"),
]
