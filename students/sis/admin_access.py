"""Who sees the SIS import pages in the admin: active holders of ``sis.run_imports`` (superusers hold it too)."""

from students.sis.runs import PERMISSION


class ImportersOnlyAdminMixin:
    """Shows an admin's pages only to importers; ``_allowed`` also guards the admins' own views."""

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)
