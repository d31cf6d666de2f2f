"""meetings: 開催済み mark and RSVPs; hubs: whether the evidence pack carries a 出席者名簿 (issue 14)

Attendance recorded before a meeting started is an RSVP, not attendance: rows of meetings that had not
started when this migration ran (and were not cancelled) become 出席予定 (present, proxy, walk-ins) or
欠席予定 (absent), so nothing planned is counted as held.

Revision ID: a14e1d000001
Revises: bc4a1fc4a1a1
Create Date: 2026-12-06 12:20:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14e1d000001'
down_revision = 'bc4a1fc4a1a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_marked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pack_attendee_names', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    now = datetime.now(timezone.utc)
    future = sa.text(
        "meeting_id IN (SELECT id FROM meetings WHERE starts_at > :now AND cancelled_at IS NULL)"
    )
    for old, new in (("present", "attending"), ("proxy", "attending"), ("absent", "declined")):
        statement = sa.text(
            f"UPDATE meeting_participants SET status = :new, proxy_name = '' WHERE status = :old AND {future.text}"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        op.get_bind().execute(statement, {"new": new, "old": old, "now": now})


def downgrade():
    for new, old in (("attending", "invited"), ("declined", "invited")):
        op.get_bind().execute(
            sa.text("UPDATE meeting_participants SET status = :old WHERE status = :new"), {"new": new, "old": old}
        )
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.drop_column('pack_attendee_names')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('held_marked_at')
