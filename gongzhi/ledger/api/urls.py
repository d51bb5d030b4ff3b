from django.urls import path

from gongzhi.ledger.api import views

urlpatterns = [
    path("ledger/checkpoint", views.LatestCheckpointView.as_view(), name="ledger-checkpoint"),
    path("ledger/checkpoints/", views.CheckpointHistoryView.as_view(), name="ledger-checkpoints"),
    path("ledger/proof/inclusion", views.InclusionProofView.as_view(), name="ledger-inclusion"),
    path("ledger/proof/consistency", views.ConsistencyProofView.as_view(), name="ledger-consistency"),
    path("ledger/entries", views.EntriesView.as_view(), name="ledger-entries"),
    path("ledger/cosignatures", views.CosignatureView.as_view(), name="ledger-cosignatures"),
]
