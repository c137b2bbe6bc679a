/*
 * ddl.h -- internal: engine-specific text for findings.
 *
 * Rules stay engine-agnostic: whatever depends on the engine's syntax or
 * naming goes through here -- quoting identifiers, qualified relation names,
 * matching a plan's relation to a table of the snapshot, and the DDL a
 * suggestion shows (CREATE INDEX CONCURRENTLY, ALTER TABLE ... ADD INDEX,
 * db.coll.createIndex(...)). Also the number formats rule messages share.
 * Every returned string is owned by the arena passed in; nothing is heap.
 */
#ifndef DBPERF_DDL_H
#define DBPERF_DDL_H

#include <stdbool.h>
#include <stddef.h>

#include <dbperf/model.h>

struct dbp_arena;

/*
 * name as an identifier of engine e: PostgreSQL double-quotes names that are
 * not lower-case plain identifiers or are reserved words; MySQL back-quotes
 * names that are not plain or are reserved; MongoDB field names are JSON
 * strings unless they are plain JavaScript identifiers. NULL gives NULL.
 */
const char *dbp_ddl_ident(struct dbp_arena *a, enum dbp_engine e, const char *name);

/*
 * The relation as users write it: "schema.table" (PostgreSQL; the schema
 * omitted when NULL), "db.table" (MySQL), "db.coll" (MongoDB), each part
 * quoted as needed. database and schema may be NULL. Never NULL.
 */
const char *dbp_ddl_relation(struct dbp_arena *a, enum dbp_engine e, const char *database,
                             const char *schema, const char *table);

/* The relation an index belongs to (dbp_ddl_relation of its fields). */
const char *dbp_ddl_index_relation(struct dbp_arena *a, const struct dbp_index *ix);

/* "relation.index" naming an index in messages and finding objects. */
const char *dbp_ddl_index_object(struct dbp_arena *a, const struct dbp_index *ix);

/* The key columns as "(a, b DESC)" for messages. */
const char *dbp_ddl_columns(struct dbp_arena *a, const struct dbp_index *ix);

/*
 * The key entries of ix as its definition writes them -- for PostgreSQL with operator
 * class, collation and ordering ("s text_pattern_ops", "a COLLATE \"C\"", "b DESC"),
 * which ix->columns (pg_get_indexdef of one column) leave out -- so that two indexes
 * compare by what they can serve. Falls back to ix->columns when there is no definition
 * to read or it does not list n_columns keys. An arena array of ix->n_columns strings.
 */
const char **dbp_ddl_key_parts(struct dbp_arena *a, const struct dbp_index *ix);

/*
 * 1 if relation (database, schema, table) of engine e names t. A NULL
 * database or schema on either side matches anything; for MySQL and MongoDB
 * the plan's "schema" is the database, so schema is compared with
 * t->database when t has no schema.
 */
int dbp_ddl_same_relation(enum dbp_engine e, const char *database, const char *schema,
                          const char *table, const struct dbp_table *t);

/* The table of snap that relation names (dbp_ddl_same_relation), or NULL. */
const struct dbp_table *dbp_ddl_find_table(const struct dbp_snapshot *snap, enum dbp_engine e,
                                           const char *database, const char *schema,
                                           const char *table);

/* 1 if ix is on the same relation as t (engine, database, schema, name). */
int dbp_ddl_index_on(const struct dbp_index *ix, const struct dbp_table *t);

/* 1 if ix and other are on the same relation (same engine). */
int dbp_ddl_same_index_relation(const struct dbp_index *ix, const struct dbp_index *other);

/*
 * A name for a new index on candidate's table and columns, valid unquoted in
 * the engine (lower case, [a-z0-9_], at most 63 bytes): "orders_customer_id_idx".
 */
const char *dbp_ddl_index_name(struct dbp_arena *a, const struct dbp_index *candidate);

/*
 * The statement that creates candidate (its name, or a generated one when
 * NULL; columns "a" or "a DESC"; method when not the default), for engine
 * e. t is the candidate's table or NULL.
 *   PostgreSQL: CREATE INDEX CONCURRENTLY name ON schema.t (a, b DESC);
 *     on a partitioned parent (t->flags & DBP_TBL_PARTITIONED), where
 *     CONCURRENTLY is refused: CREATE INDEX name ON schema.t (...);
 *   MySQL: ALTER TABLE db.t ADD INDEX name (a, b DESC), ALGORITHM=INPLACE, LOCK=NONE;
 *   MongoDB: db.coll.createIndex({a: 1, b: -1})
 * Never NULL.
 */
const char *dbp_ddl_create_index(struct dbp_arena *a, enum dbp_engine e,
                                 const struct dbp_index *candidate, const struct dbp_table *t);

/*
 * One line explaining what the statement of dbp_ddl_create_index does not
 * say (the locking consequences on a partitioned PostgreSQL parent, and how
 * to avoid them), or NULL when there is nothing to add.
 */
const char *dbp_ddl_create_index_note(struct dbp_arena *a, enum dbp_engine e,
                                      const struct dbp_index *candidate, const struct dbp_table *t);

/*
 * The statement that drops ix:
 *   PostgreSQL: DROP INDEX CONCURRENTLY schema.name; (plain DROP INDEX on a
 *     partitioned parent t, where CONCURRENTLY is refused)
 *   MySQL: ALTER TABLE db.t DROP INDEX name;
 *   MongoDB: db.coll.dropIndex("name")
 * t may be NULL. Never NULL.
 */
const char *dbp_ddl_drop_index(struct dbp_arena *a, enum dbp_engine e, const struct dbp_index *ix,
                               const struct dbp_table *t);

/* bytes as "812 B", "8.0 kB", "312 MB", "1.2 GB" (base 1024, like pg_size_pretty). */
const char *dbp_ddl_bytes(struct dbp_arena *a, double bytes);

/* A count as "950", "12,345", "2.1M", "3.4G"; "?" for NaN or negative. */
const char *dbp_ddl_count(struct dbp_arena *a, double n);

/* A duration in ms as "0.42 ms", "12 ms", "3.1 s", "4.0 min", "2.5 h". */
const char *dbp_ddl_ms(struct dbp_arena *a, double ms);

/*
 * The first max_chars characters of a statement's text on one line
 * (whitespace runs folded, "..." appended when cut), for messages.
 */
const char *dbp_ddl_snippet(struct dbp_arena *a, const char *text, size_t max_chars);

/* Microseconds since the epoch as "2024-03-01T10:00:00.050000Z" (UTC); "?" if <= 0. */
const char *dbp_ddl_time(struct dbp_arena *a, int64_t us);

/* The fingerprint id as the reports print it: 16 upper-case hex digits. */
const char *dbp_ddl_fpid(struct dbp_arena *a, uint64_t fpid);

#endif
