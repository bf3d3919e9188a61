"""Alembic environment: run with the connection and prefix bridge.storage.migrate hands over."""

from alembic import context

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    version_table=config.attributes["version_table"],
    transactional_ddl=False,
)
with context.begin_transaction():
    context.run_migrations()
