"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

import sqlalchemy as sa
from alembic import context, op

${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]  # noqa: F841 (name tables f"{p}...")
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]  # noqa: F841
    ${downgrades if downgrades else "pass"}
