"""The SFTP import sources in the admin: configure one, test its connection, pull it now.

Everything here needs ``sis.run_imports``, like the import pages. The password or private key is
write-only: the form never renders it, a blank field keeps what is stored, and the page shows only
what is safe to show (that a password is stored; the key's fingerprint and public half, which the
district installs on its server). Tests and pulls are jobs on the queue, never run in the request.
Adding, changing and deleting a source are audit events (where student data comes from matters).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from audit.recorder import command_recording, record_details
from students.sis.admin_access import ImportersOnlyAdminMixin
from students.sis.sftp.keys import describe_key, parse_host_keys, parse_private_key
from students.sis.sftp.models import ImportSource
from students.sis.tasks import check_connection_job, pull_source_job

SCHEDULE_FIELDS = ("enabled", "run_at")


class ImportSourceForm(forms.ModelForm):
    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    new_private_key = forms.CharField(
        label="Private key",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Paste an OpenSSH or PEM private key without a passphrase; it is stored encrypted.",
    )

    class Meta:
        model = ImportSource
        fields = [
            "name",
            "enabled",
            "host",
            "port",
            "username",
            "auth",
            "new_password",
            "new_private_key",
            "host_keys",
            "remote_folder",
            "file_pattern",
            "max_age_days",
            "run_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance
        if stored.password:
            self.fields["new_password"].help_text = "A password is stored; leave this blank to keep it."
        if stored.private_key:
            self.fields[
                "new_private_key"
            ].help_text = (
                f"A key is stored ({describe_key(parse_private_key(stored.private_key))}); leave this blank to keep it."
            )

    def clean_host_keys(self):
        text = self.cleaned_data["host_keys"]
        try:
            parse_host_keys(text)
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None
        return text

    def clean_new_private_key(self):
        text = self.cleaned_data["new_private_key"].strip()
        if text:
            try:
                parse_private_key(text)
            except ValueError as problem:
                raise forms.ValidationError(str(problem)) from None
        return text

    def clean(self):
        cleaned = super().clean()
        auth = cleaned.get("auth")
        if auth == ImportSource.Auth.PASSWORD and not (cleaned.get("new_password") or self.instance.password):
            self.add_error("new_password", "Enter the password Insights logs in with.")
        if auth == ImportSource.Auth.KEY and not (cleaned.get("new_private_key") or self.instance.private_key):
            self.add_error("new_private_key", "Paste the private key Insights logs in with.")
        return cleaned

    def save(self, commit=True):
        source = super().save(commit=False)
        if self.cleaned_data["new_password"]:
            source.password = self.cleaned_data["new_password"]
        if self.cleaned_data["new_private_key"]:
            source.private_key = self.cleaned_data["new_private_key"] + "\n"
        if source.auth == ImportSource.Auth.PASSWORD:
            source.private_key = ""
        else:
            source.password = ""
        if any(name in self.changed_data for name in SCHEDULE_FIELDS):
            source.last_scheduled_for = timezone.now()  # the next pull is the next run time, not a catch-up
        if commit:
            source.save()
        return source


@admin.register(ImportSource)
class ImportSourceAdmin(ImportersOnlyAdminMixin, admin.ModelAdmin):
    form = ImportSourceForm
    change_form_template = "admin/sis/importsource/change_form.html"
    list_display = ("name", "enabled", "host", "run_at", "next_pull", "last_pull", "last_test")
    readonly_fields = ("client_public_key", "pinned_fingerprints", "next_pull", "last_pull", "last_test")
    actions = ["pull_selected", "test_selected"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "run_at", "next_pull"]}),
        ("Server", {"fields": ["host", "port", "username", "host_keys", "pinned_fingerprints"]}),
        ("Login", {"fields": ["auth", "new_password", "new_private_key", "client_public_key"]}),
        ("Package", {"fields": ["remote_folder", "file_pattern", "max_age_days"]}),
        ("Outcomes", {"fields": ["last_pull", "last_test"]}),
    ]

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    @admin.display(description="public key for the server's authorized_keys")
    def client_public_key(self, source):
        if source.auth != ImportSource.Auth.KEY or not source.private_key:
            return "—"
        return parse_private_key(source.private_key).export_public_key().decode().strip()

    @admin.display(description="pinned fingerprints")
    def pinned_fingerprints(self, source):
        keys = parse_host_keys(source.host_keys)
        if not keys:
            return "None: every connection is refused until a host key is pinned."
        return format_html_join(mark_safe("<br>"), "{}", ((describe_key(key),) for key in keys))

    @admin.display(description="next scheduled pull")
    def next_pull(self, source):
        if not source.pk or not source.enabled:
            return "—"
        return timezone.localtime(source.next_scheduled_time(timezone.now()))

    @admin.display(description="last pull")
    def last_pull(self, source):
        run = source.last_pull_run
        if run is None:
            return "—"
        link = reverse("admin:sis_importrun_change", args=[run.pk])
        return format_html('<a href="{}">{}</a>: {}', link, run, run.get_status_display())

    @admin.display(description="last connection test")
    def last_test(self, source):
        if source.last_test_at is None:
            return "—"
        outcome = "OK" if source.last_test_ok else "failed"
        return f"{outcome} ({timezone.localtime(source.last_test_at):%Y-%m-%d %H:%M}): {source.last_test_message}"

    def save_model(self, request, obj, form, change):
        """The change and its audit event commit together; the event names the fields changed, never a secret."""
        with command_recording(actor=request.user, action="sis_source_change"):
            super().save_model(request, obj, form, change)
            record_details(source=obj.name, created=not change, fields=sorted(form.changed_data))

    def delete_model(self, request, obj):
        with command_recording(actor=request.user, action="sis_source_delete"):
            record_details(source=obj.name)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for source in queryset:
            self.delete_model(request, source)

    def get_urls(self):
        own = [
            path("<int:source_id>/pull/", self.admin_site.admin_view(self.pull_view), name="sis_importsource_pull"),
            path("<int:source_id>/test/", self.admin_site.admin_view(self.test_view), name="sis_importsource_test"),
        ]
        return own + super().get_urls()

    def _source(self, request, source_id) -> ImportSource:
        if not self._allowed(request):
            raise PermissionDenied
        return get_object_or_404(ImportSource, pk=source_id)

    def _start_pulls(self, request, sources) -> None:
        for source in sources:
            pull_source_job.defer(source_id=source.pk, actor_id=request.user.pk)
            messages.success(request, f"Pulling {source} on the worker: its run appears in the import history.")

    def _start_tests(self, request, sources) -> None:
        for source in sources:
            check_connection_job.defer(source_id=source.pk, actor_id=request.user.pk)
            messages.success(request, f"Testing {source} on the worker: reload this page for the outcome.")

    def pull_view(self, request, source_id):
        source = self._source(request, source_id)
        if request.method == "POST":
            self._start_pulls(request, [source])
        return redirect("admin:sis_importsource_change", source.pk)

    def test_view(self, request, source_id):
        source = self._source(request, source_id)
        if request.method == "POST":
            self._start_tests(request, [source])
        return redirect("admin:sis_importsource_change", source.pk)

    @admin.action(description="Pull the selected sources now")
    def pull_selected(self, request, queryset):
        self._start_pulls(request, queryset)

    @admin.action(description="Test the selected sources' connections")
    def test_selected(self, request, queryset):
        self._start_tests(request, queryset)
