"""what a case waits for from the window (a return to review, an extension to decide, …) and
a running rectification's start and deadline

Revision ID: 0009
Revises: 0008

Cached columns of the fold (``CaseState.window_tasks``, the first of them; the rectification
columns stay empty: no rectification existed before), filled for the open cases already stored
by folding their timelines: a return recorded before return review existed is now a return to
review.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FINISHED = ("closed", "not_accepted")


def upgrade() -> None:
    from dnw_desk.domain.case import Event, EventType, fold
    from dnw_desk.store.tables import case_events, cases

    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("window_task", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("rectification_from", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("rectification_due", sa.String(length=32), nullable=True))
    conn = op.get_bind()
    open_ids = list(
        conn.execute(sa.select(cases.c.id).where(cases.c.status.not_in(FINISHED))).scalars()
    )
    updates = []
    for start in range(0, len(open_ids), 500):
        timelines: dict[str, list[Event]] = {}
        query = (
            sa.select(case_events)
            .where(case_events.c.case_id.in_(open_ids[start : start + 500]))
            .order_by(case_events.c.case_id, case_events.c.seq)
        )
        for row in conn.execute(query):
            timelines.setdefault(row.case_id, []).append(
                Event(row.id, row.case_id, EventType(row.type), row.at, row.actor, row.data)
            )
        for case_id, events in timelines.items():
            tasks = fold(events).window_tasks
            if tasks:
                updates.append({"b_id": case_id, "task": tasks[0]})
    if updates:
        conn.execute(
            sa.update(cases)
            .where(cases.c.id == sa.bindparam("b_id"))
            .values(window_task=sa.bindparam("task")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("rectification_due")
        batch.drop_column("rectification_from")
        batch.drop_column("window_task")
