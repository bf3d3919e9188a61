"""Alembic migrations of the bridge's ``{prefix}spaceinbox_*`` tables."""
