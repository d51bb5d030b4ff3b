"""The work-order pages, mounted at /work-orders/."""

from django.urls import path

from gongzhi.work_orders import views

app_name = "work_orders"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("late/", views.inbox_late, name="inbox_late"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.staff_new, name="staff_new"),
    path("bulk-dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("export/", views.export_list, name="export"),
    path("kpis/", views.kpi_dashboard, name="kpis"),
    path("map/", views.order_map, name="map"),
    path("board/", views.board, name="board"),
    path("board/<int:pk>/", views.board_detail, name="board_detail"),
    path("board/<int:pk>/follow/", views.follow, name="follow"),
    path("board/<int:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("similar/", views.similar, name="similar"),
    path("board/<int:pk>/attachments/<int:attachment_pk>/", views.board_attachment, name="board_attachment"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:verb>/", views.act, name="act"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/publish/", views.publish_attachment, name="publish_attachment"),
]
