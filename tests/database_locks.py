"""Helpers for tests about what the database does when a statement fails: a lock held by another
connection, and the private cluster's server log (insights/localdb.py)."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psycopg
from django.contrib.auth.models import Permission
from django.db import connection

from educators.models import Educator
from insights import localdb
from permissions.models import HomeroomGrant
from students.models import Homeroom, School


@contextlib.contextmanager
def locked_elsewhere(model) -> Iterator[None]:
    """Another connection holds an exclusive lock on the model's table until the block ends."""
    params = connection.get_connection_params()
    with psycopg.connect(**{key: params[key] for key in ("dbname", "user", "host", "port") if key in params}) as other:
        other.execute(f'LOCK TABLE "{model._meta.db_table}" IN ACCESS EXCLUSIVE MODE')  # opens a transaction
        try:
            yield
        finally:
            other.rollback()


def fail_fast_on_locks() -> None:
    """This test's transaction waits a fifth of a second for a lock instead of the web's five seconds."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '200ms'")


def homeroom_teacher() -> tuple[Educator, Homeroom]:
    """A teacher holding one homeroom grant (no second factor needed), and the homeroom."""
    school = School.objects.create(local_id="SCH-LOCK", name="Lockwood K-8", school_type="K8")
    teacher = Educator.objects.create_user("l.teacher@district.example", full_name="Lee Teacher")
    homeroom = Homeroom.objects.create(school=school, name="5-301", grade="5", educator=teacher)
    HomeroomGrant.objects.create(
        user=teacher,
        permission=Permission.objects.get(content_type__app_label="students", codename="view_homeroom_students"),
        content_object=homeroom,
    )
    return teacher, homeroom


def private_cluster_log() -> Path | None:
    """The private cluster's server log, or None when DATABASE_URL points at another server."""
    socket_dir = localdb.cluster_dir(localdb.server_account()) / "socket"
    host = connection.get_connection_params().get("host")
    return socket_dir.parent / "server.log" if host == str(socket_dir) else None
