"""directory: saved column mappings for publishers' own layouts; organisations.import_key (issue 15)

A hub keeps, per name, which header of a publisher's file carries which field (and the one type of a file
without a kind column), so the next file of that publisher imports without questions. import_key names the
publisher's list an organisation was last imported from, so a later file lists what disappeared from it.

Revision ID: d15a1e000001
Revises: c14e3d000003
Create Date: 2026-12-06 19:47:21

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd15a1e000001'
down_revision = 'c14e3d000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('organisation_type', sa.Enum('hospital', 'clinic', 'home_care_clinic', 'home_care_hospital', 'dental_clinic', 'pharmacy', 'visiting_nursing', 'care_management', 'community_care_center', 'disability_consultation', 'care_facility', 'government', 'other', name='organisationtype', native_enum=False, length=32), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_directory_import_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_directory_import_mappings_hub_id_hubs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_import_mappings')),
    sa.UniqueConstraint('hub_id', 'name', name=op.f('uq_directory_import_mappings_hub_id_name'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_key', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_organisations_hub_import_key', ['hub_id', 'import_key'], unique=False)



def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_hub_import_key')
        batch_op.drop_column('import_key')

    op.drop_table('directory_import_mappings')
