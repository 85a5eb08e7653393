from django.contrib import admin

from incidents.models import Alert, EventRule, MonitoringEvent, MonitoringSource, PriorityRule


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    """The impact × urgency matrix; only the priority of a cell is editable."""

    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_display_links = None
    ordering = ("impact", "urgency")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EventRule)
class EventRuleAdmin(admin.ModelAdmin):
    """Monitoring events' severity × service criticality → priority, and whether a clear resolves."""

    list_display = ("severity", "criticality", "priority", "auto_resolve")
    list_editable = ("priority", "auto_resolve")
    list_display_links = None
    list_filter = ("severity", "criticality")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonitoringSource)
class MonitoringSourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "service_account", "auto_resolve", "created_at")
    search_fields = ("code", "name")
    raw_id_fields = ("service_account",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("dedup_key", "source", "service", "ticket", "state", "severity", "count", "last_seen")
    list_filter = ("state", "source", "severity")
    search_fields = ("dedup_key", "ticket__number")
    list_select_related = ("source", "service", "ticket")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "source", "dedup_key", "severity", "outcome", "ticket", "received_at")
    list_filter = ("source", "severity", "outcome")
    search_fields = ("event_id", "dedup_key", "ticket__number")
    list_select_related = ("source", "ticket")
    readonly_fields = [f.name for f in MonitoringEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
