"""Administration of users, companies and memberships (admin role only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from nexo.core.models import ApiToken, AuditEntry, Company, Membership, User
from nexo.core.services import company_create


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(User)
class NexoUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*UserAdmin.fieldsets, ("Nexo", {"fields": ("language",)}))
    list_display = ("username", "email", "first_name", "last_name", "is_active")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "tax_id", "city", "currency")
    search_fields = ("name", "tax_id")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = company_create(by=request.user, **{f: form.cleaned_data[f] for f in form.cleaned_data})
        obj.pk = created.pk


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "object_repr", "action", "user")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
