from django.contrib import admin

from gongzhi.open311.models import Open311Client


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Read-only: keys are issued with ``manage.py open311_client`` (the key is shown once)."""

    list_display = ["name", "organisation", "key_prefix", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["name", "organisation", "key_prefix", "is_active", "last_used_at", "created_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
