from django.urls import path

from bridge.safety import public_views, views

app_name = "safety"
P = "participants/<uuid:participant_id>/"
urlpatterns = [
    path(P + "safety/", views.signal_list, name="signals"),
    path(P + "safety/<uuid:signal_id>/", views.signal_detail, name="signal"),
    path(P + "safety-plan/", views.plan, name="plan"),
    path(P + "safety-plan/print/", views.plan_print, name="plan_print"),
    path(P + "safety-plan/link/", views.plan_link_create, name="plan_link_create"),
    path(P + "safety-plan/link/revoke/", views.plan_link_revoke, name="plan_link_revoke"),
    path("safety/dispositions/", views.acknowledgements, name="acknowledgements"),
    path("me/alerts/", views.my_alerts, name="my_alerts"),
    # Public, authenticated by the private token in the URL (only its hash is stored).
    path("my-safety-plan/<str:token>/", public_views.public_plan, name="public_plan"),
]
