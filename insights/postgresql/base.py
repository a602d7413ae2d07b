"""Django's PostgreSQL backend, with bulk writes cut to what one statement may carry.

Statements travel with their parameters bound on the server (settings: ``server_side_binding``),
and PostgreSQL's protocol carries at most 65,535 parameters in one. Django's PostgreSQL backend
sends a ``bulk_create`` or ``bulk_update`` of any size as one statement, so a write sized by the
district (a large district's homeroom grants, its review items) failed once rows × columns passed
the limit. Here they are cut into statements under it, as Django's SQLite and Oracle backends do.
"""

from django.db.backends.postgresql import base, features, operations

MAX_PARAMETERS = 65_535


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = MAX_PARAMETERS


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        return MAX_PARAMETERS // len(fields) if fields else len(objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
