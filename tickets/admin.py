from django.contrib import admin

from tickets.models import CannedResponse, Ticket, TicketEvent


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "group")
    list_filter = ("group",)
    search_fields = ("title", "body")


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "type", "author", "is_public", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the domain layer, so the timeline stays whole."""

    list_display = ("number", "title", "status", "priority", "support_group", "assignee", "opened_at")
    list_select_related = ("support_group", "assignee")
    list_filter = ("kind", "status", "priority")
    search_fields = ("number", "title")
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
