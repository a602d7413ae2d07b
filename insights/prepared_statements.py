"""Prepared statements that survive a schema change made by another connection.

With ``DATABASE_PREPARED_STATEMENTS`` on, psycopg prepares each statement the second time a
connection runs it, and PostgreSQL plans it once for that connection. PostgreSQL re-plans a
prepared statement by itself after DDL, but when another connection changes the type of a column
the statement returns (a migration's ``AlterField``, run by the release phase while the old dynos
still serve), every later execution fails with "cached plan must not change result type", for as
long as the connection lives: minutes for a web worker, days for the job worker. psycopg forgets its
statements on a rollback and on the connection's own DDL, which covers a statement failing inside a
transaction; this covers autocommit, where nothing rolls back: the connection's statements are
deallocated and the statement runs again, to be prepared anew. A failed statement changed nothing,
so running it again is safe.
"""

from django.db.utils import NotSupportedError

# SQLSTATE feature_not_supported: what PostgreSQL raises when a cached plan's result type changed.
CACHED_PLAN_CHANGED = "0A000"


def replan_after_schema_change(execute, sql, params, many, context):
    """Django execute wrapper: on a stale prepared statement outside a transaction, forget the
    connection's prepared statements and run the statement once more."""
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as error:
        connection = context["connection"]
        stale_plan = getattr(error.__cause__, "sqlstate", None) == CACHED_PLAN_CHANGED
        if not stale_plan or not connection.get_autocommit():
            raise
        # psycopg sees DEALLOCATE ALL go by and forgets its own names for them too.
        connection.connection.execute("DEALLOCATE ALL", prepare=False)
        return execute(sql, params, many, context)


def install_replanning(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver (connected in InsightsConfig.ready) for connections that prepare."""
    prepares = connection.connection.prepare_threshold is not None
    if prepares and replan_after_schema_change not in connection.execute_wrappers:
        connection.execute_wrappers.append(replan_after_schema_change)
