/*
 * mongo_int.h -- internal to the MongoDB driver: the document parser, query
 * shapes, plan building and the formats driver.c assembles.
 */
#ifndef DBPERF_MONGO_INT_H
#define DBPERF_MONGO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <dbperf/driver.h>

struct dbp_buf;
struct dbp_error;

/* ---- documents (mdoc.c) ------------------------------------------------ */

/*
 * A parsed document: relaxed and canonical Extended JSON as mongod's JSON
 * log, mongoexport and the shell print it, and the shell-like syntax of the
 * 3.x/4.0/4.2 text log ({ a: 1.0, b: new Date(1), c: ObjectId('...'), d: /re/ }).
 * Nodes live in one growable array reused from document to document; strings
 * point into the input (escapes not decoded). Extended JSON wrappers
 * ({"$numberInt": "2"}, {"$date": ...}, {"$oid": ...}) become scalars.
 */
enum dbp_mdoc_type {
    DBP_MD_NULL = 0,
    DBP_MD_BOOL,
    DBP_MD_NUM,
    DBP_MD_STR,
    DBP_MD_OBJ,
    DBP_MD_ARR,
    DBP_MD_DATE, /* {"$date": ...}, new Date(...), ISODate(...): num = ms since epoch or NaN */
    DBP_MD_OTHER /* ObjectId, regex, binary, timestamp, any other constructor */
};

struct dbp_mdoc_node {
    enum dbp_mdoc_type type;
    const char *key; /* member name (NULL in arrays); raw, not NUL-terminated */
    uint32_t key_len;
    const char *val; /* string contents (raw) or the value's source text */
    uint32_t val_len;
    bool escaped;  /* key or string holds backslash escapes */
    double num;    /* NUM, BOOL (0/1), DATE */
    int32_t child; /* first child (OBJ/ARR); -1 */
    int32_t next;  /* next sibling; -1 */
    uint32_t n_children;
};

struct dbp_mdoc {
    struct dbp_mdoc_node *n;
    size_t len, cap;
    const char *error; /* static text of the last parse error */
};

/*
 * Parse one value at s[0..len) (leading white space skipped) into d (cleared
 * first). Returns the root's index (0) and sets *end to the offset just after
 * the value, or -1 on malformed or truncated input (d->error says why).
 */
int dbp_mdoc_parse(struct dbp_mdoc *d, const char *s, size_t len, size_t *end);
void dbp_mdoc_free(struct dbp_mdoc *d);

/* 1 if the key equals lit. */
static inline bool dbp_mdoc_key_eq(const struct dbp_mdoc_node *n, const char *lit)
{
    size_t l = strlen(lit); /* inline: a literal's length is known at compile time */
    return n->key && n->key_len == l && memcmp(n->key, lit, l) == 0;
}
/* 1 if n is a string equal to lit. */
static inline bool dbp_mdoc_str_eq(const struct dbp_mdoc_node *n, const char *lit)
{
    size_t l = strlen(lit);
    return n && n->type == DBP_MD_STR && n->val_len == l && memcmp(n->val, lit, l) == 0;
}
/* The first child of an object or array, or NULL. */
static inline const struct dbp_mdoc_node *dbp_mdoc_child(const struct dbp_mdoc *d,
                                                         const struct dbp_mdoc_node *n)
{
    if (!n || (n->type != DBP_MD_OBJ && n->type != DBP_MD_ARR) || n->child < 0)
        return NULL;
    return &d->n[n->child];
}
/* The next sibling, or NULL. */
static inline const struct dbp_mdoc_node *dbp_mdoc_next(const struct dbp_mdoc *d,
                                                        const struct dbp_mdoc_node *n)
{
    return n->next < 0 ? NULL : &d->n[n->next];
}
/* The member called key of object node obj, or NULL. */
static inline const struct dbp_mdoc_node *dbp_mdoc_get(const struct dbp_mdoc *d,
                                                       const struct dbp_mdoc_node *obj,
                                                       const char *key)
{
    if (!obj || obj->type != DBP_MD_OBJ)
        return NULL;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, obj); c; c = dbp_mdoc_next(d, c))
        if (dbp_mdoc_key_eq(c, key))
            return c;
    return NULL;
}
/* The node's number (NUM, BOOL, DATE; a numeric string) or NaN. */
double dbp_mdoc_num(const struct dbp_mdoc_node *n);
/* A decoded copy of a string node's contents (or the value's source text) into the arena. */
char *dbp_mdoc_strdup(struct dbp_arena *a, const struct dbp_mdoc_node *n);
/* Decoded key into the arena. */
char *dbp_mdoc_keydup(struct dbp_arena *a, const struct dbp_mdoc_node *n);
/* Append the string's decoded contents to b. */
void dbp_mdoc_str_append(struct dbp_buf *b, const char *s, size_t n, bool escaped);

/* ISO 8601 date "2023-09-23T16:25:03.588-04:00" (also +0000, Z) to us since epoch; 0 if bad. */
int64_t dbp_mongo_parse_iso(const char *s, size_t n);

/* ---- query shapes and plans (shape.c) ----------------------------------- */

/* What one operation (a log line, a profile document) says about a query. */
struct dbp_mongo_op {
    const char *db; /* NUL-terminated (arena or static) */
    const char *coll;
    const char *op; /* "find", "aggregate", "update", ... (static) */
    const struct dbp_mdoc *doc;
    const struct dbp_mdoc_node *filter;   /* NULL */
    const struct dbp_mdoc_node *sort;     /* NULL */
    const struct dbp_mdoc_node *proj;     /* NULL */
    const struct dbp_mdoc_node *pipeline; /* aggregate; NULL */
    const char *extra;                    /* distinct key etc.; NULL */
};

/*
 * Fill op from a command document cmd (find, aggregate, count, distinct,
 * update, delete, findAndModify, insert, getMore (with orig: the
 * originatingCommand), any other command), or from a legacy operation
 * (type "update"/"remove"/"query" with q/u or query/orderby). type may be NULL.
 */
void dbp_mongo_op_from_command(struct dbp_mongo_op *op, const struct dbp_mdoc *d,
                               const struct dbp_mdoc_node *cmd, const struct dbp_mdoc_node *orig,
                               const char *type, size_t type_len);

/*
 * The collection a command names ({"count": "c"}, {"group": {"ns": "c"}},
 * {"explain": {"find": "c"}}): a string node, or NULL. For "db.$cmd" entries.
 */
const struct dbp_mdoc_node *dbp_mongo_cmd_coll(const struct dbp_mdoc *d,
                                               const struct dbp_mdoc_node *cmd);

/* The shape text of op into out (cleared first). */
void dbp_mongo_shape(const struct dbp_mongo_op *op, struct dbp_buf *out);

/* Execution figures of one operation, for the plan built from a log line. */
struct dbp_mongo_exec {
    const char *plan_summary; /* "COLLSCAN", "IXSCAN { a: 1 }", ... ; NULL */
    size_t plan_summary_len;
    double docs_examined, keys_examined, nreturned; /* NaN unknown */
    double ms;
    bool has_sort_stage;
};

/*
 * A plan for op from its planSummary (the log and the profiler carry no
 * tree): SORT (sort keys, when the query sorts) over FETCH/IXSCAN or
 * COLLSCAN with the filter's predicates. NULL when there is no summary.
 */
struct dbp_plan *dbp_mongo_plan_from_summary(struct dbp_snapshot *snap,
                                             const struct dbp_mongo_op *op,
                                             const struct dbp_mongo_exec *x, const char *format,
                                             const char *origin);

/*
 * A plan from an explain / execStats stage tree (stage, inputStage,
 * inputStages, keyPattern, indexName, filter, nReturned, docsExamined...).
 * db/coll name the relation. Never NULL for an object node.
 */
struct dbp_plan_node *dbp_mongo_plan_node(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                                          const struct dbp_mdoc_node *stage, const char *db,
                                          const char *coll, const struct dbp_mongo_op *op);

/* Predicates of a filter into an arena array. */
size_t dbp_mongo_preds(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                       const struct dbp_mdoc_node *filter, struct dbp_pred **out);

/* Split "db.coll" at the first dot into arena strings. */
void dbp_mongo_split_ns(struct dbp_arena *a, const char *ns, size_t n, const char **db,
                        const char **coll);

/* ---- formats ------------------------------------------------------------ */

extern const struct dbp_format dbp_mongo_log_json_format;   /* "mongodb-log" (4.4+) */
extern const struct dbp_format dbp_mongo_log_text_format;   /* "mongodb-log-text" (<= 4.2) */
extern const struct dbp_format dbp_mongo_profile_format;    /* "mongodb-profile" */
extern const struct dbp_format dbp_mongo_explain_format;    /* "mongodb-explain" */
extern const struct dbp_format dbp_mongo_indexstats_format; /* "mongodb-indexstats" */

/*
 * One system.profile document into snap (statement class, aggregate, plan
 * from execStats). Used by the mongodb-profile format and the live collector.
 * Returns 0 when the document was taken, -1 when it is not a profile entry.
 */
int dbp_mongo_profile_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                          const struct dbp_mdoc_node *doc, const char *origin);

/* One $indexStats result document into an index; db/coll as known (may be NULL: from ns). */
struct dbp_index *dbp_mongo_indexstats_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                                           const struct dbp_mdoc_node *doc, const char *db,
                                           const char *coll);

/*
 * One explain() output into a plan, added to the snapshot for for_stmt (or,
 * when NULL, for the class of the explained command / parsedQuery).
 */
int dbp_mongo_explain_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                          const struct dbp_mdoc_node *doc, const char *origin,
                          struct dbp_stmt *for_stmt, struct dbp_plan **out);

/* ---- live server (live.c) ----------------------------------------------- */

int dbp_mongo_accepts_target(const char *target);
int dbp_mongo_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err);
void dbp_mongo_disconnect(void *ctx);
int dbp_mongo_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                      struct dbp_error *err);
int dbp_mongo_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err);

#endif
