"""The database side of search: FTS5 tables on SQLite, ``tsvector`` columns on PostgreSQL.

These structures stay out of the SQLAlchemy models. ``install`` creates them and fills them
from the existing rows; the Alembic migration calls it, and so does ``db.create_all()``
through a metadata event (``install_listeners``, called by ``create_app``). ``uninstall``
removes every one of them.

The index is kept fresh by database triggers rather than ORM events: a trigger also sees
bulk ``UPDATE`` statements, raw SQL and ``ON DELETE CASCADE``, which never pass through the
ORM, and it runs in the writer's own transaction, so a rolled-back change leaves no trace.
Every trigger does the same thing: recompute the documents of the products (articles,
conditions) whose ids it names.

Tokenising is the same idea on both backends: English stemming, accents folded
("Avène" is found by "avene"), prefixes matched at query time. SQLite uses FTS5's
``porter unicode61 remove_diacritics 2`` tokenizer; PostgreSQL a copy of the ``english``
configuration with the ``unaccent`` dictionary in front of the stemmer.

SQLite keeps its own copy of the text in each FTS5 table (not an external-content or
contentless table): deleting a row of those needs the exact text that was indexed, which
is gone once a brand or ingredient has been renamed, and SQLite 3.40 has no
``contentless_delete``. The copy is also what ``snippet()`` reads.

The vocabulary (``search_word``, a model) lists every word of the pages readers can see,
unstemmed, lower case and without accents, for spelling mistakes (``vocabulary``).
``install`` makes it again once its table exists. On PostgreSQL it is the manual's "did
you mean" recipe: ``ts_stat`` over 'simple' vectors, and a GIN trigram index (pg_trgm,
created if missing, dropped again only if this module created it); on SQLite the same
words are read from the same text in Python. Triggers on ``search_word`` give
``search_word_version`` a new random token whenever its words change (on SQLite per row
written, on PostgreSQL per statement), so that a process may keep the words in memory.
"""

# ruff: noqa: S608  (DDL assembled only from this module's constants, never from input)

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, insert, inspect, select, text
from sqlalchemy.engine import Connection

from storefront.db import listen_once, utcnow
from storefront.extensions import db
from storefront.search.models import SearchWord
from storefront.search.query import fold, words_of

SEARCH_COLUMN = "search_vector"
TS_CONFIG = "storefront_search"
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Marks the text search configuration when installing it also installed ``unaccent``.
_CREATED_UNACCENT = "search: created unaccent"


@dataclass(frozen=True)
class Field:
    """One searchable text: its FTS5 column, its weight (A highest) and its SQL source.

    ``source`` is SQL over the indexed row, which is aliased ``src``; ``{agg}`` stands for
    the backend's string aggregate.
    """

    name: str
    weight: str
    source: str


@dataclass(frozen=True)
class Dependency:
    """A change to ``table`` (``event``) alters the indexed rows whose ids ``ids`` lists."""

    table: str
    event: str
    ids: str


@dataclass(frozen=True)
class SearchIndex:
    table: str
    fields: tuple[Field, ...]
    watched: tuple[str, ...]
    dependencies: tuple[Dependency, ...] = ()

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def gin_index(self) -> str:
        return f"ix_{self.table}_{SEARCH_COLUMN}"

    @property
    def document_function(self) -> str:
        return f"{self.table}_search_document"

    @property
    def own_trigger(self) -> str:
        return f"{self.table}_search__{self.table}_write"

    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def all_dependencies(self) -> tuple[Dependency, ...]:
        """Triggers on the indexed table itself, then those on the tables that feed it."""
        watched = ", ".join(self.watched)
        own = (
            Dependency(self.table, "INSERT", "NEW.id"),
            Dependency(self.table, f"UPDATE OF {watched}", "OLD.id, NEW.id"),
            Dependency(self.table, "DELETE", "OLD.id"),
        )
        return own + self.dependencies

    def trigger_name(self, dependency: Dependency) -> str:
        verb = dependency.event.split()[0].lower()
        return f"{self.table}_search__{dependency.table}_{verb}"


_INGREDIENT_NAMES = (
    "(SELECT {agg}(i.name, ' ') FROM product_ingredient AS link "
    "JOIN ingredient AS i ON i.id = link.ingredient_id WHERE link.product_id = src.id)"
)
# The skin conditions whose page recommends the product.
_CONDITION_NAMES = (
    "(SELECT {agg}(c.name, ' ') FROM recommendation AS r "
    "JOIN condition AS c ON c.id = r.condition_id WHERE r.product_id = src.id)"
)

PRODUCTS = SearchIndex(
    table="product",
    fields=(
        Field("name", "A", "src.name"),
        Field("brand", "B", "(SELECT b.name FROM brand AS b WHERE b.id = src.brand_id)"),
        Field("key_ingredients", "B", _INGREDIENT_NAMES),
        Field("conditions", "B", _CONDITION_NAMES),
        Field("short_description", "B", "src.short_description"),
        Field("description", "C", "src.description"),
        Field("ingredients_list", "D", "src.ingredients_list"),
        # A prescription medicine's brand names ("Renova, Retin-A") identify it like a name.
        Field("brand_names", "A", "src.brand_names"),
    ),
    watched=("name", "brand_id", "short_description", "description", "ingredients_list",
             "brand_names"),
    dependencies=(
        Dependency("brand", "UPDATE OF name", "SELECT id FROM product WHERE brand_id = NEW.id"),
        Dependency("ingredient", "UPDATE OF name",
                   "SELECT product_id FROM product_ingredient WHERE ingredient_id = NEW.id"),
        Dependency("product_ingredient", "INSERT", "NEW.product_id"),
        Dependency("product_ingredient", "UPDATE", "OLD.product_id, NEW.product_id"),
        Dependency("product_ingredient", "DELETE", "OLD.product_id"),
        Dependency("recommendation", "INSERT", "NEW.product_id"),
        Dependency("recommendation", "UPDATE", "OLD.product_id, NEW.product_id"),
        Dependency("recommendation", "DELETE", "OLD.product_id"),
        Dependency("condition", "UPDATE OF name",
                   "SELECT product_id FROM recommendation WHERE condition_id = NEW.id"),
    ),
)

ARTICLES = SearchIndex(
    table="article",
    fields=(
        Field("title", "A", "src.title"),
        Field("question", "B", "src.question"),
        Field("summary", "B", "src.summary"),
        Field("body", "C", "src.body"),
    ),
    watched=("title", "question", "summary", "body"),
)

CONDITIONS = SearchIndex(
    table="condition",
    fields=(
        Field("name", "A", "src.name"),
        Field("summary", "B", "src.summary"),
        Field("causes", "C", "src.causes"),
        Field("what_helps", "C", "src.what_helps"),
    ),
    watched=("name", "summary", "causes", "what_helps"),
)

INDEXES = (PRODUCTS, ARTICLES, CONDITIONS)

# The product index as each migration made it. Migrations install the definition of their
# own time, so that an old migration never reads a column or table a later one adds.
_CONDITION_TABLES = ("recommendation", "condition")
# After revision 45d0289e7969 (brand names), before fbd3a5b89acc (the products' conditions).
PRODUCTS_BEFORE_CONDITIONS = replace(
    PRODUCTS,
    fields=tuple(field for field in PRODUCTS.fields if field.name != "conditions"),
    dependencies=tuple(d for d in PRODUCTS.dependencies if d.table not in _CONDITION_TABLES),
)
# As revision b7c1d2e3f4a5 first made it, before products had ``brand_names``.
PRODUCTS_BEFORE_BRAND_NAMES = replace(
    PRODUCTS_BEFORE_CONDITIONS,
    fields=tuple(field for field in PRODUCTS_BEFORE_CONDITIONS.fields
                 if field.name != "brand_names"),
    watched=tuple(name for name in PRODUCTS.watched if name != "brand_names"),
)
FIRST_INDEXES = (PRODUCTS_BEFORE_BRAND_NAMES, ARTICLES, CONDITIONS)
INDEXES_BEFORE_CONDITIONS = (PRODUCTS_BEFORE_CONDITIONS, ARTICLES, CONDITIONS)
SOURCE_TABLES = ("product", "brand", "ingredient", "product_ingredient", "article", "condition",
                 "recommendation")
# Which rows readers can see: only their words go into the vocabulary.
_SHOWN = {
    "product": "src.status = 'active'",
    "article": ("src.status IN ('published', 'scheduled') AND src.published_at IS NOT NULL "
                "AND src.published_at <= {now}"),
    "condition": "1 = 1",
}
VOCABULARY_TABLE = "search_word"
VOCABULARY_VERSION_TABLE = "search_word_version"
# SQLite: one trigger per kind of write; PostgreSQL: one trigger (and its function).
_SQLITE_VERSION_TRIGGERS = {f"{VOCABULARY_TABLE}__{verb.lower()}": verb
                            for verb in ("INSERT", "UPDATE", "DELETE")}
_PG_VERSION_TRIGGER = f"{VOCABULARY_TABLE}__write"
_RANDOM_HEX = {"sqlite": "lower(hex(randomblob(8)))",
               "postgresql": "md5(random()::text || clock_timestamp()::text)"}
TRIGRAM_INDEX = "ix_search_word_trgm"
_CREATED_PG_TRGM = "search: created pg_trgm"
MAX_WORD_LENGTH = 60


# --- SQLite: FTS5 ----------------------------------------------------------------------


def _sqlite_insert(index: SearchIndex, where: str) -> str:
    """INSERT the documents of the indexed rows that match ``where``."""
    exprs = ", ".join(f"coalesce({field.source}, '')" for field in index.fields)
    return (
        f"INSERT INTO {index.fts_table}(rowid, {', '.join(index.field_names())}) "
        f"SELECT src.id, {exprs.replace('{agg}', 'group_concat')} "
        f"FROM {index.table} AS src WHERE {where}"
    )


def _sqlite_refresh(index: SearchIndex, ids: str) -> str:
    """A trigger body that re-indexes the rows whose ids are ``ids``."""
    return (f"DELETE FROM {index.fts_table} WHERE rowid IN ({ids}); "
            f"{_sqlite_insert(index, f'src.id IN ({ids})')};")


def _sqlite_install(connection: Connection, index: SearchIndex) -> None:
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index.fts_table} USING fts5("
        f"{', '.join(index.field_names())}, tokenize='{SQLITE_TOKENIZER}')"
    )
    for dependency in index.all_dependencies():
        connection.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {index.trigger_name(dependency)} "
            f"AFTER {dependency.event} ON {dependency.table} BEGIN "
            f"{_sqlite_refresh(index, dependency.ids)} END"
        )
    connection.exec_driver_sql(f"DELETE FROM {index.fts_table}")
    connection.exec_driver_sql(_sqlite_insert(index, "1 = 1"))


def _sqlite_uninstall(connection: Connection, index: SearchIndex) -> None:
    for dependency in index.all_dependencies():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {index.trigger_name(dependency)}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {index.fts_table}")


def _sqlite_existing(connection: Connection) -> set[str]:
    rows = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
    )
    return {name for (name,) in rows}


def _sqlite_expected(index: SearchIndex) -> list[str]:
    return [index.fts_table] + [index.trigger_name(d) for d in index.all_dependencies()]


# --- PostgreSQL: tsvector ----------------------------------------------------------------


def _pg_document(index: SearchIndex) -> str:
    parts = [
        f"setweight(to_tsvector('{TS_CONFIG}', coalesce({field.source}, '')), '{field.weight}')"
        for field in index.fields
    ]
    return " || ".join(parts).replace("{agg}", "string_agg")


def _pg_function(name: str, body: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} END $$")


def _pg_trigger(name: str, timing: str, table: str, each: str = "ROW") -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH {each} EXECUTE FUNCTION {name}()",
    ]


def _pg_index_statements(index: SearchIndex) -> list[str]:
    table, column = index.table, SEARCH_COLUMN
    statements = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector",
        f"CREATE INDEX IF NOT EXISTS {index.gin_index} ON {table} USING gin ({column})",
        f"CREATE OR REPLACE FUNCTION {index.document_function}(src {table}) RETURNS tsvector "
        f"LANGUAGE sql STABLE AS $$ SELECT {_pg_document(index)} $$",
        # The row's own text: computed before it is written, so no second UPDATE.
        _pg_function(index.own_trigger,
                     f"NEW.{column} := {index.document_function}(NEW); RETURN NEW;"),
        *_pg_trigger(index.own_trigger,
                     f"BEFORE INSERT OR UPDATE OF {', '.join(index.watched)}", table),
    ]
    for dependency in index.dependencies:
        name = index.trigger_name(dependency)
        refresh = (f"UPDATE {table} AS dst SET {column} = {index.document_function}(dst) "
                   f"WHERE dst.id IN ({dependency.ids}); RETURN NULL;")
        statements += [_pg_function(name, refresh),
                       *_pg_trigger(name, f"AFTER {dependency.event}", dependency.table)]
    statements.append(f"UPDATE {table} AS dst SET {column} = {index.document_function}(dst)")
    return statements


def _pg_install_config(connection: Connection) -> None:
    had_unaccent = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'"
    ).first() is not None
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    if _pg_config_exists(connection):
        return
    connection.exec_driver_sql(
        f"CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = pg_catalog.english)"
    )
    connection.exec_driver_sql(
        f"ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )
    if not had_unaccent:
        connection.exec_driver_sql(
            f"COMMENT ON TEXT SEARCH CONFIGURATION {TS_CONFIG} IS '{_CREATED_UNACCENT}'"
        )


def _pg_config_exists(connection: Connection) -> bool:
    return connection.exec_driver_sql(
        "SELECT 1 FROM pg_ts_config WHERE cfgname = %(name)s "
        "AND cfgnamespace = current_schema()::regnamespace",
        {"name": TS_CONFIG},
    ).first() is not None


def _pg_uninstall_config(connection: Connection) -> None:
    if not _pg_config_exists(connection):
        return
    comment = connection.exec_driver_sql(
        f"SELECT obj_description('{TS_CONFIG}'::regconfig, 'pg_ts_config')"
    ).scalar()
    connection.exec_driver_sql(f"DROP TEXT SEARCH CONFIGURATION {TS_CONFIG}")
    if comment == _CREATED_UNACCENT:
        connection.exec_driver_sql("DROP EXTENSION IF EXISTS unaccent")


def _pg_uninstall(connection: Connection, index: SearchIndex) -> None:
    names = [(index.own_trigger, index.table)] + [
        (index.trigger_name(d), d.table) for d in index.dependencies
    ]
    for name, table in names:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    connection.exec_driver_sql(
        f"DROP FUNCTION IF EXISTS {index.document_function}({index.table})"
    )
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.gin_index}")
    connection.exec_driver_sql(
        f"ALTER TABLE {index.table} DROP COLUMN IF EXISTS {SEARCH_COLUMN}"
    )


def _pg_existing(connection: Connection) -> set[str]:
    rows = connection.exec_driver_sql(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
        "UNION SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
        "UNION SELECT table_name || '.' || column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name = %(column)s",
        {"column": SEARCH_COLUMN},
    )
    return {name for (name,) in rows}


def _pg_expected(index: SearchIndex) -> list[str]:
    return [f"{index.table}.{SEARCH_COLUMN}", index.gin_index, index.own_trigger] + [
        index.trigger_name(d) for d in index.dependencies
    ]


# --- The vocabulary: every word readers can find, for spelling mistakes ------------------


def _document_text(index: SearchIndex, agg: str) -> str:
    """SQL for the whole text of one indexed row (``src``), its fields joined by spaces."""
    parts = " || ' ' || ".join(f"coalesce({field.source}, '')" for field in index.fields)
    return parts.replace("{agg}", agg)


def _shown_documents(agg: str, now: str) -> str:
    """SQL listing the text (``doc``) of every product, article and condition readers see."""
    return " UNION ALL ".join(
        f"SELECT {_document_text(index, agg)} AS doc FROM {index.table} AS src "
        f"WHERE {_SHOWN[index.table].format(now=now)}"
        for index in INDEXES)


def vocabulary_words(text: str) -> set[str]:
    """The words of ``text`` as the vocabulary keeps them: lower case, no accents."""
    return {word for word in (fold(word) for word in words_of(text))
            if word.isalnum() and len(word) <= MAX_WORD_LENGTH}


def _sqlite_rebuild_vocabulary(connection: Connection) -> None:
    now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    documents: Counter[str] = Counter()
    rows = connection.execute(text(_shown_documents("group_concat", ":now")), {"now": now})
    for (doc,) in rows:
        documents.update(vocabulary_words(doc or ""))
    connection.execute(delete(SearchWord))
    if documents:
        connection.execute(insert(SearchWord), [
            {"word": word, "documents": count} for word, count in documents.items()])


def _pg_rebuild_vocabulary(connection: Connection) -> None:
    """ts_stat over the 'simple' (unstemmed) vectors of every page readers see."""
    documents = _shown_documents("string_agg", "now()").replace("'", "''")
    connection.exec_driver_sql("DELETE FROM search_word")
    connection.exec_driver_sql(
        "INSERT INTO search_word (word, documents) SELECT word, ndoc FROM ts_stat("
        f"'SELECT to_tsvector(''simple'', unaccent(doc)) FROM ({documents}) AS docs') "
        f"WHERE word ~ '^[[:alnum:]]+$' AND length(word) <= {MAX_WORD_LENGTH}"
    )


def rebuild_vocabulary(connection: Connection) -> int:
    """Make the vocabulary again from the indexed text; how many words it holds."""
    if _dialect(connection) == "sqlite":
        _sqlite_rebuild_vocabulary(connection)
    else:
        _pg_rebuild_vocabulary(connection)
    return connection.execute(select(func.count()).select_from(SearchWord)).scalar_one()


def _pg_install_trigram_index(connection: Connection) -> None:
    had_trgm = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {VOCABULARY_TABLE} "
        "USING gin (word gin_trgm_ops)")
    if not had_trgm:
        connection.exec_driver_sql(f"COMMENT ON INDEX {TRIGRAM_INDEX} IS '{_CREATED_PG_TRGM}'")


def _pg_uninstall_trigram_index(connection: Connection) -> None:
    comment = connection.exec_driver_sql(
        f"SELECT obj_description(to_regclass('{TRIGRAM_INDEX}'), 'pg_class')").scalar()
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    if comment == _CREATED_PG_TRGM:
        connection.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm")


def _version_expected(dialect: str) -> list[str]:
    return list(_SQLITE_VERSION_TRIGGERS) if dialect == "sqlite" else [_PG_VERSION_TRIGGER]


def install_vocabulary_version(connection: Connection) -> None:
    """The triggers that give ``search_word_version`` a new token whenever the words
    change, and its one row (the model's table must exist)."""
    table, version = VOCABULARY_TABLE, VOCABULARY_VERSION_TABLE
    dialect = _dialect(connection)
    random = _RANDOM_HEX[dialect]
    if dialect == "sqlite":
        for name, verb in _SQLITE_VERSION_TRIGGERS.items():
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {verb} ON {table} BEGIN "
                f"UPDATE {version} SET token = {random}; END")
    else:
        connection.exec_driver_sql(_pg_function(
            _PG_VERSION_TRIGGER, f"UPDATE {version} SET token = {random}; RETURN NULL;"))
        for statement in _pg_trigger(_PG_VERSION_TRIGGER,
                                     "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE", table,
                                     each="STATEMENT"):
            connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        f"INSERT INTO {version} (id, token) SELECT 1, {random} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {version})")


def uninstall_vocabulary_version(connection: Connection) -> None:
    """Remove the triggers ``install_vocabulary_version`` made (the row goes with the
    table, the model's part)."""
    if _dialect(connection) == "sqlite":
        for name in _SQLITE_VERSION_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    connection.exec_driver_sql(
        f"DROP TRIGGER IF EXISTS {_PG_VERSION_TRIGGER} ON {VOCABULARY_TABLE}")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_PG_VERSION_TRIGGER}()")


def install_vocabulary(connection: Connection) -> None:
    """The vocabulary's trigram index (PostgreSQL) and version triggers (once their
    table exists: a migration older than it installs the vocabulary of its own time),
    then its words."""
    if _dialect(connection) == "postgresql":
        _pg_install_trigram_index(connection)
    if inspect(connection).has_table(VOCABULARY_VERSION_TABLE):
        install_vocabulary_version(connection)
    rebuild_vocabulary(connection)


def uninstall_vocabulary(connection: Connection) -> None:
    """Remove what ``install_vocabulary`` made besides the tables (the models' part)."""
    if _dialect(connection) == "postgresql":
        _pg_uninstall_trigram_index(connection)
    uninstall_vocabulary_version(connection)


def _has_vocabulary(connection: Connection) -> bool:
    return inspect(connection).has_table(VOCABULARY_TABLE)


# --- Public entry points -----------------------------------------------------------------


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"Search supports SQLite and PostgreSQL, not {name}.")
    return name


def install_index(connection: Connection, index: SearchIndex) -> None:
    """Create one index (the text search configuration must exist on PostgreSQL)."""
    if _dialect(connection) == "sqlite":
        _sqlite_install(connection, index)
        return
    for statement in _pg_index_statements(index):
        connection.exec_driver_sql(statement)


def uninstall_index(connection: Connection, index: SearchIndex) -> None:
    """Remove one index, leaving the others and the text search configuration."""
    if _dialect(connection) == "sqlite":
        _sqlite_uninstall(connection, index)
    else:
        _pg_uninstall(connection, index)


def install(connection: Connection, indexes: tuple[SearchIndex, ...] = INDEXES) -> None:
    """Create the search tables, columns, indexes and triggers, and index existing rows.

    Safe to run again: it creates what is missing and rebuilds the index. A migration
    passes the definitions of its own time (``FIRST_INDEXES``). The vocabulary (once its
    table exists) is made again too.
    """
    if _dialect(connection) == "postgresql":
        _pg_install_config(connection)
    for index in indexes:
        install_index(connection, index)
    if _has_vocabulary(connection):
        install_vocabulary(connection)


def uninstall(connection: Connection, indexes: tuple[SearchIndex, ...] = INDEXES) -> None:
    """Remove everything ``install`` created (``indexes``: the definitions it was given)."""
    if _has_vocabulary(connection):
        uninstall_vocabulary(connection)
    for index in indexes:
        uninstall_index(connection, index)
    if _dialect(connection) == "postgresql":
        _pg_uninstall_config(connection)


def replace_index(connection: Connection, old: SearchIndex, new: SearchIndex) -> None:
    """Swap one index's definition for another (a migration that changes its fields):
    its table or column, triggers and functions are made again and every row re-indexed."""
    uninstall_index(connection, old)
    install_index(connection, new)


def expected_objects(dialect_name: str) -> list[str]:
    """Names of every search table, column, index and trigger on that backend."""
    expected = _sqlite_expected if dialect_name == "sqlite" else _pg_expected
    names = [name for index in INDEXES for name in expected(index)]
    names += _version_expected(dialect_name)
    return names if dialect_name == "sqlite" else [*names, TRIGRAM_INDEX]


def missing_objects(connection: Connection) -> list[str]:
    """Names of search tables, columns, indexes or triggers this database lacks.

    A table rebuilt by a batch migration on SQLite loses its triggers; this finds that.
    """
    dialect = _dialect(connection)
    existing = _sqlite_existing(connection) if dialect == "sqlite" else _pg_existing(connection)
    return [name for name in expected_objects(dialect) if name not in existing]


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic filter: leave the search structures out of model-vs-database comparisons."""
    if type_ == "table" and name is not None:  # only a schema can be nameless (None)
        return not any(name == index.fts_table or name.startswith(f"{index.fts_table}_")
                       for index in INDEXES)
    if type_ == "column":
        return not (name == SEARCH_COLUMN
                    and parent_names.get("table_name") in {i.table for i in INDEXES})
    if type_ == "index":
        return name not in {index.gin_index for index in INDEXES} | {TRIGRAM_INDEX}
    return True


def _source_tables_exist(connection: Connection) -> bool:
    inspector = inspect(connection)
    return all(inspector.has_table(table) for table in SOURCE_TABLES)


def install_listeners() -> None:
    """Make ``db.create_all()`` install the search structures and ``db.drop_all()`` remove
    them (called by create_app)."""
    listen_once(db.metadata, "after_create", _install_after_create)
    listen_once(db.metadata, "before_drop", _uninstall_before_drop)


def _install_after_create(target, connection: Connection, **kw) -> None:
    if _source_tables_exist(connection):
        install(connection)


def _uninstall_before_drop(target, connection: Connection, **kw) -> None:
    if _source_tables_exist(connection):
        uninstall(connection)
