"""units as entities, portal people and sessions, office credentials, the unit queue's columns

A unit becomes a record (name + the halls it serves); unit credentials point at it, and the
halls of each existing credential (0007) become its unit's halls. The ``cases`` cache gains the
columns a unit's queue filters on (co-units, the rectification's unit, when the clock started),
filled here from each case's latest referral and rectification, whose unit names are stored in
clear.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 18:30:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from dnw_desk.contract.sqltypes import to_utc_text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    credential_halls = bind.execute(
        sa.text(
            "SELECT c.id, c.name, h.hall FROM unit_credentials c "
            "JOIN unit_credential_halls h ON h.credential_id = c.id WHERE NOT c.platform "
            "ORDER BY c.id, h.hall"
        )
    ).all()
    # Dropped first: SQLite rebuilds unit_credentials below, which nothing may reference then.
    op.drop_table("unit_credential_halls")
    _create_tables()
    with op.batch_alter_table("unit_credentials") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_unit_credentials_unit_id_units"), "units", ["unit_id"], ["id"]
        )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("co_units", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("rectification_unit", sa.Text(), nullable=True))
        batch.add_column(sa.Column("referred_at", sa.String(length=32), nullable=True))
        batch.create_index("ix_cases_lead_unit_hall", ["lead_unit", "hall"])
    _units_from_credentials(bind, credential_halls)
    _fill_case_columns(bind)


def _create_tables() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
    )
    op.create_table(
        "unit_halls",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("hall", sa.String(8), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_halls_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "hall", name=op.f("pk_unit_halls")),
        sa.UniqueConstraint("hall", "name", name="uq_unit_halls_hall_name"),
    )
    op.create_table(
        "office_credentials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("hall", sa.String(8), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_office_credentials_token_hash")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("hall", sa.String(8), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.Column("disabled_at", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_people_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("login", name=op.f("uq_people_login")),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_portal_sessions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_sessions")),
    )
    op.create_index("ix_portal_sessions_person_id", "portal_sessions", ["person_id"])
    op.create_table(
        "portal_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("case_number", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_portal_audit_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_audit")),
    )


def _units_from_credentials(bind: sa.Connection, rows: Sequence[Any]) -> None:
    """One unit per name and connected set of halls; each credential points at its unit."""
    now = datetime.now(UTC)
    unit_of: dict[tuple[str, str], int] = {}  # (hall, name) -> unit id
    halls_of: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for credential_id, name, hall in rows:
        halls_of.setdefault(credential_id, []).append(hall)
        names[credential_id] = name
    for credential_id, halls in halls_of.items():
        name = names[credential_id]
        found = next((unit_of[(h, name)] for h in halls if (h, name) in unit_of), None)
        if found is None:
            found = bind.execute(
                sa.text("INSERT INTO units (name, created_at) VALUES (:n, :t) RETURNING id"),
                {"n": name, "t": to_utc_text(now)},
            ).scalar_one()
        for hall in halls:
            if (hall, name) not in unit_of:
                unit_of[(hall, name)] = found
                bind.execute(
                    sa.text("INSERT INTO unit_halls (unit_id, hall, name) VALUES (:u, :h, :n)"),
                    {"u": found, "h": hall, "n": name},
                )
        bind.execute(
            sa.text("UPDATE unit_credentials SET unit_id = :u WHERE id = :c"),
            {"u": found, "c": credential_id},
        )


def _fill_case_columns(bind: sa.Connection) -> None:
    events = bind.execute(
        sa.text(
            "SELECT case_id, type, at, data FROM case_events "
            "WHERE type IN ('referred', 'rectification_opened') ORDER BY case_id, position"
        )
    ).all()
    latest: dict[str, dict[str, Any]] = {}
    for case_id, kind, at, data in events:
        values = latest.setdefault(case_id, {})
        data = _json(data)
        if kind == "referred":
            co_units = data.get("co_units") if isinstance(data.get("co_units"), list) else []
            values["co"] = "".join(f"|{u}" for u in co_units) + "|" if co_units else ""
            values["at"] = at
        else:
            values["rect"] = data.get("unit")
    for case_id, values in latest.items():
        bind.execute(
            sa.text(
                "UPDATE cases SET co_units = :co, referred_at = COALESCE(:at, referred_at), "
                "rectification_unit = COALESCE(:rect, lead_unit) WHERE id = :id"
                if "rect" in values
                else "UPDATE cases SET co_units = :co, referred_at = :at WHERE id = :id"
            ),
            {
                "id": case_id,
                "co": values.get("co", ""),
                "at": values.get("at"),
                "rect": values.get("rect"),
            },
        )


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def downgrade() -> None:
    op.create_table(
        "unit_credential_halls",
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("hall", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["unit_credentials.id"],
            name=op.f("fk_unit_credential_halls_credential_id_unit_credentials"),
        ),
        sa.PrimaryKeyConstraint("credential_id", "hall", name=op.f("pk_unit_credential_halls")),
    )
    op.execute(
        "INSERT INTO unit_credential_halls (credential_id, hall) SELECT c.id, h.hall "
        "FROM unit_credentials c JOIN unit_halls h ON h.unit_id = c.unit_id"
    )
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_lead_unit_hall")
        batch.drop_column("referred_at")
        batch.drop_column("rectification_unit")
        batch.drop_column("co_units")
    with op.batch_alter_table("unit_credentials") as batch:
        batch.drop_constraint(op.f("fk_unit_credentials_unit_id_units"), type_="foreignkey")
        batch.drop_column("unit_id")
    for table in ("portal_audit", "portal_sessions", "people", "office_credentials"):
        op.drop_table(table)
    op.drop_table("unit_halls")
    op.drop_table("units")
