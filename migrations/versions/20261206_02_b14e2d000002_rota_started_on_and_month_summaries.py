"""rota: 運用開始日 of a physician group (issue 14)

C-3-c coverage counts from max(年度 start, started_on); NULL keeps counting from the 年度 start.

Revision ID: b14e2d000002
Revises: a14e1d000001
Create Date: 2026-12-06 14:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b14e2d000002'
down_revision = 'a14e1d000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('physician_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('physician_groups', schema=None) as batch_op:
        batch_op.drop_column('started_on')
