"""Admin building blocks shared by apps: records that are looked at in the admin but never edited there."""


class ViewOnlyAdminMixin:
    """No add, change or delete in the admin: audit rows, import runs and notes change only through their own paths."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
