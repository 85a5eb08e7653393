from django.contrib import admin

from tickets.models import CannedResponse, InboundMail, Ticket, TicketEvent


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


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """The record of every mail the fetch handled. Deleting a record lets that mail be imported again."""

    list_display = ("received_at", "outcome", "sender", "subject", "ticket", "mailbox")
    list_filter = ("outcome", "mailbox")
    search_fields = ("message_id", "sender", "subject")
    list_select_related = ("ticket",)
    readonly_fields = (
        "message_id", "mailbox", "sender", "subject", "received_at", "outcome", "ticket", "reason",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
