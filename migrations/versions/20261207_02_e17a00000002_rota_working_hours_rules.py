"""rota: the group's working-hours rules (issue 17)

No day duty on the morning a night duty ends, at most N days in a row, the 勤務間インターバル (9 h, or
18 h after a 宿日直 without 許可), hard or soft. Off for every group until its coordinator sets them.

Revision ID: e17a00000002
Revises: e17a00000001
Create Date: 2026-12-08 01:14:23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e17a00000002'
down_revision = 'e17a00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('physician_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_day_after_night', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('max_consecutive_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rest_interval_hours', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('longer_rest_without_permit', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('work_rules_hard', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_check_constraint(
            'run_days', 'max_consecutive_days IS NULL OR max_consecutive_days BETWEEN 1 AND 14'
        )
        batch_op.create_check_constraint(
            'rest_hours', 'rest_interval_hours IS NULL OR rest_interval_hours BETWEEN 1 AND 24'
        )


def downgrade():
    with op.batch_alter_table('physician_groups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_physician_groups_rest_hours'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_physician_groups_run_days'), type_='check')
        batch_op.drop_column('work_rules_hard')
        batch_op.drop_column('longer_rest_without_permit')
        batch_op.drop_column('rest_interval_hours')
        batch_op.drop_column('max_consecutive_days')
        batch_op.drop_column('no_day_after_night')
