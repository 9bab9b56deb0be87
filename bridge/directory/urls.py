from django.urls import path

from bridge.directory import views

app_name = "directory"

# The public pages: no sign-in (each view is login_not_required).
PUBLIC = ("search", "listing", "compare", "questions", "about")

urlpatterns = [
    path("find/", views.search, name="search"),
    path("find/compare/", views.compare, name="compare"),
    path("find/questions/", views.questions, name="questions"),
    path("find/about/", views.about, name="about"),
    path("find/<uuid:listing_id>/", views.listing, name="listing"),
    path("listing/", views.manage_index, name="manage_index"),
    path("listing/<uuid:program_id>/", views.manage, name="manage"),
    path("listing/<uuid:program_id>/preview/", views.preview, name="preview"),
    path("listing/<uuid:program_id>/accreditations/", views.accreditation_add, name="accreditation_add"),
    path("listing/<uuid:program_id>/licenses/", views.license_add, name="license_add"),
    path("listing/<uuid:program_id>/<str:kind>/<uuid:item_id>/renew/", views.renew, name="renew"),
    path("listing/<uuid:program_id>/<str:kind>/<uuid:item_id>/end/", views.end, name="end"),
]
