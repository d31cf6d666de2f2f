"""rota: a swap accepted by the coordinator on behalf of a physician without a login (issue 17)

Revision ID: e17a00000001
Revises: d15a1e000001
Create Date: 2026-12-07 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e17a00000001'
down_revision = 'd15a1e000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rota_swap_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_for_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_rota_swap_requests_accepted_for_by_user_id_users'),
            'users', ['accepted_for_by_user_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('rota_swap_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rota_swap_requests_accepted_for_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('accepted_for_by_user_id')
