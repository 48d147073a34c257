"""Alembic environment for flashpoint's store, configured from Python rather than an ini file.

`flashpoint.store.migrate.upgrade()` hands over an open connection (already inside the
write transaction) through `config.attributes["connection"]`. When Alembic is driven by
hand with `alembic_config(url)`, a short-lived engine is built from `sqlalchemy.url`
with the same SQLite settings the Store uses.
"""

from __future__ import annotations

from alembic import context

from flashpoint.store.schema import include_object, metadata

config = context.config


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        include_object=include_object,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        return
    from flashpoint.store.db import Database
    from flashpoint.store.url import resolve_url

    db = Database(resolve_url(config.get_main_option("sqlalchemy.url")))
    try:
        with db.write() as conn:
            context.configure(connection=conn, target_metadata=metadata,
                              include_object=include_object)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        db.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
