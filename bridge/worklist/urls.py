from django.urls import path

from bridge.worklist import views

app_name = "worklist"
urlpatterns = [
    path("participants/<uuid:participant_id>/work/<uuid:item_id>/", views.work_item_resolve, name="resolve"),
]
