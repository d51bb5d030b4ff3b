from django.urls import path

from gongzhi.residents import views

app_name = "residents"

urlpatterns = [
    path("households/<int:pk>/", views.household_file, name="household_file"),
    path("requests/", views.request_queue, name="request_queue"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/complete/", views.request_complete, name="request_complete"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("my-data/", views.my_data, name="my_data"),
    path("sharing/", views.agreement_list, name="agreement_list"),
    path("sharing/new/", views.agreement_new, name="agreement_new"),
    path("sharing/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("sharing/<int:pk>/approve/", views.agreement_approve, name="agreement_approve"),
    path("sharing/<int:pk>/revoke/", views.agreement_revoke, name="agreement_revoke"),
    path("police/", views.police_list, name="police_list"),
    path("police/new/", views.police_new, name="police_new"),
    path("police/<int:pk>/", views.police_detail, name="police_detail"),
    path("police/<int:pk>/approve/", views.police_approve, name="police_approve"),
    path("police/<int:pk>/reject/", views.police_reject, name="police_reject"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress.json", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/progress/", views.import_progress_fragment, name="import_progress_fragment"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/rollback/", views.import_rollback, name="import_rollback"),
    path("imports/reviews/", views.review_queue, name="review_queue"),
    path("imports/reviews/<int:pk>/resolve/", views.review_resolve, name="review_resolve"),
]
