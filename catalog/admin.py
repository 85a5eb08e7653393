from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import ApproverGroup, Service, ServiceCategory, ServiceDependency


class DependencyInline(admin.TabularInline):
    model = ServiceDependency
    fk_name = "service"
    autocomplete_fields = ("depends_on",)
    extra = 0


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name_nb", "code", "state", "criticality", "support_group", "owner")
    list_select_related = ("support_group", "owner")
    list_filter = ("state", "criticality", "category")
    search_fields = ("name_nb", "name_en", "code")
    autocomplete_fields = ("owner", "support_group")
    inlines = [DependencyInline]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name_nb", "code", "sort_order")
    search_fields = ("name_nb", "code")


@admin.register(ApproverGroup)
class ApproverGroupAdmin(admin.ModelAdmin):
    """Approver groups have no page of their own yet; administrators keep them (and their members) here."""

    list_display = ("name_nb", "code")
    search_fields = ("name_nb", "name_en", "code")
    autocomplete_fields = ("members",)
