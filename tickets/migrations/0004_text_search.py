"""Indexes for the queue's free-text search, per database.

SQLite: an FTS5 table with the trigram tokenizer over title and description, kept in step by triggers,
so a search for any part of a word ("skriver" in "nettverksskriveren") is an index lookup instead of a
scan of every description. PostgreSQL: trigram (pg_trgm) GIN indexes on the expressions Django's
`icontains` compares, `UPPER(column::text)`.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE tickets_ticket_search USING fts5("
    "title, description, content='tickets_ticket', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tickets_ticket_search_insert AFTER INSERT ON tickets_ticket BEGIN "
    "INSERT INTO tickets_ticket_search(rowid, title, description) VALUES (new.id, new.title, new.description); "
    "END",
    "CREATE TRIGGER tickets_ticket_search_delete AFTER DELETE ON tickets_ticket BEGIN "
    "INSERT INTO tickets_ticket_search(tickets_ticket_search, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "END",
    "CREATE TRIGGER tickets_ticket_search_update AFTER UPDATE OF title, description ON tickets_ticket BEGIN "
    "INSERT INTO tickets_ticket_search(tickets_ticket_search, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO tickets_ticket_search(rowid, title, description) VALUES (new.id, new.title, new.description); "
    "END",
    "INSERT INTO tickets_ticket_search(tickets_ticket_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_ticket_search_update",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_delete",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_insert",
    "DROP TABLE IF EXISTS tickets_ticket_search",
]
POSTGRES_FORWARD = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS ticket_title_trgm ON tickets_ticket USING gin (UPPER("title"::text) gin_trgm_ops)',
    "CREATE INDEX IF NOT EXISTS ticket_description_trgm ON tickets_ticket "
    'USING gin (UPPER("description"::text) gin_trgm_ops)',
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS ticket_description_trgm",
    "DROP INDEX IF EXISTS ticket_title_trgm",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_pending_for_approval")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        ),
    ]
