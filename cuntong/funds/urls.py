from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("lines/", views.LineListView.as_view(), name="line_list"),
    path("lines/<int:pk>/", views.LineDetailView.as_view(), name="line_detail"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/new/", views.ContractEditView.as_view(), name="contract_add"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.ContractEditView.as_view(), name="contract_edit"),
    path("contracts/<int:pk>/sign/", views.contract_action, {"action": "sign"}, name="contract_sign"),
    path("contracts/<int:pk>/amend/", views.contract_action, {"action": "amend"}, name="contract_amend"),
    path("contracts/<int:pk>/terminate/", views.contract_action, {"action": "terminate"}, name="contract_terminate"),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestFormView.as_view(), name="request_add"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/edit/", views.RequestFormView.as_view(), name="request_edit"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("appeals/new/<int:entry>/", views.AppealCreateView.as_view(), name="appeal_add"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal_detail"),
    path("appeals/<int:pk>/<slug:action>/", views.appeal_action, name="appeal_action"),
    path("ledger/", views.LedgerListView.as_view(), name="ledger_list"),
    path("ledger/verify/", views.ledger_verify, name="ledger_verify"),
    path("ledger/<int:pk>/", views.LedgerDetailView.as_view(), name="ledger_detail"),
    path("subsidies/", views.SubsidyBatchListView.as_view(), name="subsidy_list"),
    path("subsidies/new/", views.SubsidyBatchCreateView.as_view(), name="subsidy_add"),
    path("subsidies/<int:pk>/", views.SubsidyBatchDetailView.as_view(), name="subsidy_detail"),
    path("subsidies/lines/", views.SubsidyLineListView.as_view(), name="subsidy_line_list"),
    path("subsidies/lines/<int:pk>/", views.SubsidyLineDetailView.as_view(), name="subsidy_line_detail"),
    path("export.xlsx", views.audit_export, name="export"),
    path("public/<slug:code>/", views.public_ledger, name="public_ledger"),
    path("public/<slug:code>/head.json", views.public_ledger_json, name="public_ledger_json"),
]
