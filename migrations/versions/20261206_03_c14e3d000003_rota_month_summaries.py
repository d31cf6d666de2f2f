"""rota: manual month summaries before 運用開始日, each backed by an uploaded document (issue 14)

A group that kept its rota in Excel before 運用開始日 enters those months' night and 休日 slots and how many
had a 主 and a 副, with the Excel (or a scan) as evidence; C-3-c adds them, shown as 手入力の集計（資料あり）.

Revision ID: c14e3d000003
Revises: b14e2d000002
Create Date: 2026-12-06 19:04:42

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c14e3d000003'
down_revision = 'b14e2d000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rota_summary_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['physician_groups.id'], name=op.f('fk_rota_summary_documents_group_id_physician_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_rota_summary_documents_hub_id_hubs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_rota_summary_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_summary_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_rota_summary_documents_stored_name'))
    )
    with op.batch_alter_table('rota_summary_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_summary_documents_group_id'), ['group_id'], unique=False)

    op.create_table('rota_month_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('covered >= 0 AND covered <= slots', name=op.f('ck_rota_month_summaries_covered_within_slots')),
    sa.ForeignKeyConstraint(['document_id'], ['rota_summary_documents.id'], name=op.f('fk_rota_month_summaries_document_id_rota_summary_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_rota_month_summaries_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['physician_groups.id'], name=op.f('fk_rota_month_summaries_group_id_physician_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_rota_month_summaries_hub_id_hubs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_month_summaries')),
    sa.UniqueConstraint('group_id', 'month', name=op.f('uq_rota_month_summaries_group_id_month'))
    )
    with op.batch_alter_table('rota_month_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_rota_month_summaries_hub_month', ['hub_id', 'month'], unique=False)



def downgrade():
    with op.batch_alter_table('rota_month_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_rota_month_summaries_hub_month')

    op.drop_table('rota_month_summaries')
    with op.batch_alter_table('rota_summary_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_summary_documents_group_id'))

    op.drop_table('rota_summary_documents')
