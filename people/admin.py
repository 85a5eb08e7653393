from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from people.models import OrgUnit, SupportGroup, SupportGroupMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "last_name", "email", "org_unit", "is_active")
    list_select_related = ("org_unit",)
    list_filter = ("is_active", "is_staff", "is_service_account", "groups")
    search_fields = ("username", "first_name", "last_name", "email", "employee_number")
    autocomplete_fields = ("org_unit",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Master data"),
            {
                "fields": (
                    "org_unit",
                    "job_title",
                    "phone",
                    "office_location",
                    "cost_centre",
                    "employee_number",
                    "preferred_language",
                    "is_service_account",
                )
            },
        ),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "parent", "manager", "cost_centre")
    list_select_related = ("parent", "manager")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "manager")


class MembershipInline(admin.TabularInline):
    model = SupportGroupMembership
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(SupportGroup)
class SupportGroupAdmin(SimpleHistoryAdmin):
    list_display = ("name_nb", "code", "lead", "is_first_line")
    list_select_related = ("lead",)
    search_fields = ("name_nb", "name_en", "code")
    autocomplete_fields = ("lead",)
    inlines = [MembershipInline]
