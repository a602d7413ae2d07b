"""The README's demo logins for the audit log: `privacy` reads it, `admin` (a superuser) does not."""

import pytest

from audit.readers import audit_readers

pytestmark = pytest.mark.django_db


def test_only_the_privacy_officer_of_the_demo_cast_holds_the_audit_permission(demo):
    assert list(audit_readers().values_list("email", flat=True)) == [demo.educator("privacy").email]


@pytest.mark.parametrize(("login", "status"), [("privacy", 200), ("admin", 403)])
def test_the_audit_log_opens_for_the_privacy_officer_and_not_for_the_superuser(client_for, login, status):
    assert client_for(login).get("/admin/audit/accessevent/").status_code == status
