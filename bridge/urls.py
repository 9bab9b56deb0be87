from django.urls import include, path

from bridge.api.main import urls as api_urls

urlpatterns = [
    path("", include("bridge.core.urls")),
    path("", include("bridge.accounts.urls")),
    path("", include("bridge.participants.urls")),
    path("", include("bridge.audit.urls")),
    path("", include("bridge.worklist.urls")),
    path("", include("bridge.clinical.urls")),
    path("", include("bridge.privacy.urls")),
    path("", include("bridge.directory.urls")),
    path("", include("bridge.intake.urls")),
    path("", include("bridge.planner.urls")),
    path("", include("bridge.scheduling.urls")),
    path("", include("bridge.notify.urls")),
    path("", include("bridge.measures.urls")),
    path("", include("bridge.aftercare.urls")),
    path("", include("bridge.safety.urls")),
    path("", include("bridge.fhir.urls")),
    path("", include("bridge.billing.urls")),
    path("", include("bridge.portal.urls")),
    path("api/v1/", api_urls()),
]

handler400 = "bridge.core.views.bad_request"
handler403 = "bridge.core.views.permission_denied"
handler404 = "bridge.core.views.page_not_found"
handler500 = "bridge.core.views.server_error"
