"""The private development database explains what is missing instead of failing obscurely."""

import pytest

from insights import localdb


def test_missing_postgresql_binaries_are_explained(monkeypatch, tmp_path):
    monkeypatch.delenv("PG_BIN_DIR", raising=False)
    monkeypatch.setattr(localdb.shutil, "which", lambda name: None)
    monkeypatch.setattr(localdb.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(localdb, "COMMON_BIN_DIRS", (str(tmp_path),))
    with pytest.raises(localdb.LocalDatabaseError, match="initdb, pg_ctl.*were not found"):
        localdb.find_bin_dir()


def test_pg_bin_dir_is_preferred(monkeypatch, tmp_path):
    for tool in ("initdb", "pg_ctl"):
        (tmp_path / tool).write_text("")
    monkeypatch.setenv("PG_BIN_DIR", str(tmp_path))
    assert localdb.find_bin_dir() == tmp_path


def test_the_command_line_rejects_unknown_actions(capsys):
    assert localdb.main(["destroy"]) == 2
    assert "usage" in capsys.readouterr().err


def test_a_folder_closed_to_the_server_account_moves_the_cluster_to_tmp(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    account = localdb.pwd.struct_passwd(("pgtest", "x", 54321, 54321, "", "/nonexistent", "/bin/false"))
    assert not localdb.can_reach(account, closed / "project")
    assert localdb.can_reach(None, closed / "project")
