from django.urls import path

from bridge.fhir import app_views, everything, export_views, smart_views, token_views, views

app_name = "fhir"

urlpatterns = [
    path("fhir/metadata", views.metadata, name="metadata"),
    # SMART Backend Services: discovery (at the FHIR base and the site root) and the token endpoint.
    path("fhir/.well-known/smart-configuration", smart_views.smart_configuration, name="smart_config"),
    path(".well-known/smart-configuration", smart_views.smart_configuration, name="smart_config_root"),
    path("oauth/token", smart_views.token_view, name="smart_token"),
    path("fhir/$export", export_views.export_system, name="export"),
    path("fhir/Patient/$export", export_views.export_patients, name="export_patients"),
    path("fhir/Group/<str:group_id>/$export", export_views.export_group, name="export_group"),
    path("fhir/$export-status/<uuid:job_id>", export_views.export_status, name="export_status"),
    path("fhir/$export-file/<uuid:file_id>", export_views.export_file, name="export_file"),
    path("fhir/Patient/<str:resource_id>/$everything", everything.patient_everything, name="everything"),
    path("fhir/<str:resource_type>", views.search_type, name="search"),
    path("fhir/<str:resource_type>/<str:resource_id>", views.read, name="read"),
    # The director's page for issuing and revoking tokens.
    path("settings/api-tokens/", token_views.token_list, name="token_list"),
    path("settings/api-tokens/<uuid:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("settings/api-clients/", smart_views.client_list, name="client_list"),
    path("settings/api-clients/<uuid:client_id>/revoke/", smart_views.client_revoke, name="client_revoke"),
    path("settings/api-clients/policy/<uuid:program_id>/", smart_views.policy_set, name="policy_set"),
    # i20b: the director's patient apps (SMART App Launch), never deleted, only disabled.
    path("settings/patient-apps/", app_views.app_list, name="app_list"),
    path("settings/patient-apps/<uuid:app_id>/disable/", app_views.app_disable, name="app_disable"),
]
