"""The complainant search index (domain.complainant_search) built from the cases stored.

Migration 0007 fills it for the cases of earlier versions. It is rebuilt when the data dir's
key had to be made anew — a database moved or restored without its ``search.key`` — because
hashes made with a lost key can never match again.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from dnw_desk.domain import complainant_search
from dnw_desk.store.database import Database
from dnw_desk.store.search_secret import SECRET_FILE
from dnw_desk.store.tables import case_events, cases, complainant_keys

BATCH = 5000


def reindex_complainants(conn: Connection, secret: bytes) -> int:
    """Replace the index with the hashes of every case whose personal data is still stored;
    returns how many rows it now has."""
    conn.execute(delete(complainant_keys))
    rows = conn.execute(
        select(
            cases.c.id,
            cases.c.complainant_name,
            cases.c.phone,
            cases.c.id_number,
            cases.c.credit_code,
            func.json_extract(case_events.c.data, "$.complainant.contact_person"),
        )
        .join(
            case_events,
            (case_events.c.case_id == cases.c.id) & (case_events.c.type == "registered"),
        )
        .where(cases.c.pii_purged_at.is_(None))
    ).all()
    written = 0
    for start in range(0, len(rows), BATCH):
        keys = [
            {"digest": digest, "case_id": case_id}
            for case_id, name, phone, id_number, credit_code, contact in rows[start : start + BATCH]
            for digest in complainant_search.digests(
                secret,
                complainant_search.case_values(
                    name=name,
                    phone=phone,
                    id_number=id_number,
                    credit_code=credit_code,
                    contact_person=contact,
                ),
            )
        ]
        if keys:
            conn.execute(insert(complainant_keys), keys)
        written += len(keys)
    return written


def ensure_search_key(db: Database) -> None:
    """Load the data dir's key; when it had to be made anew while the index holds rows made
    with another, rebuild the index (at start-up, before anything searches or registers)."""
    fresh = not (db.path.parent / SECRET_FILE).exists()
    secret = db.search_secret
    if not fresh:
        return
    with db.write() as conn:
        if conn.execute(select(complainant_keys.c.case_id).limit(1)).first() is not None:
            reindex_complainants(conn, secret)
