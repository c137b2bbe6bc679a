/*
 * live.c -- the MongoDB live collector (libmongoc; mongodb:// and
 * mongodb+srv:// URIs). libmongoc and libbson are loaded by the first
 * connect (mongo_dl.h: every mongoc_ and bson_ call below goes through the
 * table dbp_mongo_dl_load() fills), so dbperf runs without them until a
 * MongoDB server is audited.
 *
 * One server is selected with the URI's read preference (so that a
 * secondary can be audited: readPreference=secondary) and every command is
 * pinned to it (serverId). From it: system.profile of each database whose
 * profiler is on (a diagnostic when it is off; dbperf never turns it on),
 * $indexStats and $collStats storage statistics of each collection, and
 * explain("executionStats") with maxTimeMS of the top statement classes
 * (reads only: find, aggregate without $out/$merge, count, distinct).
 * Every command sent is a file under sql/mongodb/ (a template: "<collection>"
 * and "<command>" are filled in). Nothing is ever written.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>

#include "mongo_dl.h"
#include "mongo_int.h"
#include "mongo_log.h"

#define MAX_DBS         100
#define MAX_COLLECTIONS 500

struct mctx {
    mongoc_uri_t *uri;
    mongoc_client_t *client;
    uint32_t server_id;
    char instance[300];
    char cluster[256];
    char version[64];
    bool secondary;
    int timeout_ms;
    int top_n;
    struct dbp_mdoc doc;
};

int dbp_mongo_accepts_target(const char *target)
{
    return target &&
           (strncmp(target, "mongodb://", 10) == 0 || strncmp(target, "mongodb+srv://", 14) == 0);
}

static int berr(struct dbp_error *err, enum dbp_status code, const char *what,
                const bson_error_t *e)
{
    return dbp_error_set(err, code, "%s: %s", what, e->message);
}

/*
 * The command in sql/mongodb/<name>.json with "<collection>" replaced by coll
 * and "<command>" by inner, plus maxTimeMS when max_ms > 0. Returns a new
 * bson_t (bson_destroy), or NULL.
 */
static bson_t *command(const char *name, const char *coll, const bson_t *inner, int max_ms,
                       struct dbp_error *err)
{
    char path[128];
    snprintf(path, sizeof path, "mongodb/%s.json", name);
    const char *text = dbp_sql_get(path);
    if (!text) {
        dbp_error_set(err, DBP_ERR_INTERNAL, "sql/%s is not embedded", path);
        return NULL;
    }
    bson_error_t e;
    bson_t *tpl = bson_new_from_json((const uint8_t *)text, -1, &e);
    if (!tpl) {
        berr(err, DBP_ERR_INTERNAL, path, &e);
        return NULL;
    }
    bson_t *out = bson_new();
    bson_iter_t it;
    if (bson_iter_init(&it, tpl))
        while (bson_iter_next(&it)) {
            const char *k = bson_iter_key(&it);
            if (BSON_ITER_HOLDS_UTF8(&it)) {
                const char *v = bson_iter_utf8(&it, NULL);
                if (strcmp(v, "<collection>") == 0 && coll) {
                    BSON_APPEND_UTF8(out, k, coll);
                    continue;
                }
                if (strcmp(v, "<command>") == 0 && inner) {
                    BSON_APPEND_DOCUMENT(out, k, inner);
                    continue;
                }
            }
            bson_append_iter(out, k, -1, &it);
        }
    bson_destroy(tpl);
    if (max_ms > 0)
        BSON_APPEND_INT32(out, "maxTimeMS", max_ms);
    return out;
}

/* Run cmd on the selected server; reply is always initialised (bson_destroy). */
static int run(struct mctx *c, const char *db, const bson_t *cmd, bson_t *reply, const char *what,
               struct dbp_error *err)
{
    bson_t opts = BSON_INITIALIZER;
    BSON_APPEND_INT32(&opts, "serverId", (int32_t)c->server_id);
    bson_error_t e;
    bool ok = mongoc_client_read_command_with_opts(
        c->client, db, cmd, mongoc_client_get_read_prefs(c->client), &opts, reply, &e);
    bson_destroy(&opts);
    if (!ok)
        return berr(err, DBP_ERR_SERVER, what, &e);
    return DBP_OK;
}

/* A cursor over the reply of a find/aggregate (getMore as needed); NULL on error. */
static mongoc_cursor_t *cursor(struct mctx *c, bson_t *reply)
{
    bson_t opts = BSON_INITIALIZER;
    BSON_APPEND_INT32(&opts, "serverId", (int32_t)c->server_id);
    mongoc_cursor_t *cur = mongoc_cursor_new_from_command_reply_with_opts(c->client, reply, &opts);
    bson_destroy(&opts);
    return cur;
}

/* The document as relaxed Extended JSON parsed into c->doc; root or NULL. */
static const struct dbp_mdoc_node *to_mdoc(struct mctx *c, const bson_t *b, char **json)
{
    size_t len = 0;
    *json = bson_as_relaxed_extended_json(b, &len);
    if (!*json)
        return NULL;
    size_t end;
    if (dbp_mdoc_parse(&c->doc, *json, len, &end) < 0)
        return NULL;
    return &c->doc.n[0];
}

int dbp_mongo_connect(const struct dbp_conn_opts *o, void **out, struct dbp_error *err)
{
    *out = NULL;
    int rc = dbp_mongo_dl_load(err); /* once: dlopen, dlsym, mongoc_init() */
    if (rc != DBP_OK)
        return rc;
    bson_error_t e;
    struct mctx *c = dbp_xcalloc(1, sizeof *c);
    c->timeout_ms = o->statement_timeout_ms > 0 ? o->statement_timeout_ms : 5000;
    c->top_n = o->top_n > 0 ? o->top_n : 20;
    c->uri = mongoc_uri_new_with_error(o->target, &e);
    if (!c->uri) {
        rc = berr(err, DBP_ERR_USAGE, "invalid MongoDB URI", &e);
        goto fail;
    }
    if (!mongoc_uri_has_option(c->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
        mongoc_uri_set_option_as_int32(c->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, c->timeout_ms);
    if (!mongoc_uri_has_option(c->uri, MONGOC_URI_CONNECTTIMEOUTMS))
        mongoc_uri_set_option_as_int32(c->uri, MONGOC_URI_CONNECTTIMEOUTMS, c->timeout_ms);
    if (!mongoc_uri_has_option(c->uri, MONGOC_URI_SOCKETTIMEOUTMS))
        mongoc_uri_set_option_as_int32(c->uri, MONGOC_URI_SOCKETTIMEOUTMS, c->timeout_ms * 2);
    if (!mongoc_uri_has_option(c->uri, MONGOC_URI_APPNAME))
        mongoc_uri_set_appname(c->uri, "dbperf");
    c->client = mongoc_client_new_from_uri_with_error(c->uri, &e);
    if (!c->client) {
        rc = berr(err, DBP_ERR_USAGE, "invalid MongoDB URI", &e);
        goto fail;
    }
    mongoc_client_set_error_api(c->client, MONGOC_ERROR_API_VERSION_2);
    /* the server the URI's read preference chooses; every command goes to it */
    mongoc_server_description_t *sd =
        mongoc_client_select_server(c->client, false, mongoc_client_get_read_prefs(c->client), &e);
    if (!sd) {
        rc = berr(err, DBP_ERR_CONNECT, "no MongoDB server selected", &e);
        goto fail;
    }
    c->server_id = mongoc_server_description_id(sd);
    snprintf(c->instance, sizeof c->instance, "%s",
             mongoc_server_description_host(sd)->host_and_port);
    mongoc_server_description_destroy(sd);
    /* hello: replica set name and role of that server */
    bson_t *cmd = command("hello", NULL, NULL, 0, err);
    if (!cmd) {
        rc = err ? err->code : DBP_ERR_INTERNAL;
        goto fail;
    }
    bson_t reply;
    rc = run(c, "admin", cmd, &reply, "hello", err);
    bson_destroy(cmd);
    if (rc == DBP_OK) {
        bson_iter_t it;
        if (bson_iter_init_find(&it, &reply, "setName") && BSON_ITER_HOLDS_UTF8(&it))
            snprintf(c->cluster, sizeof c->cluster, "%s", bson_iter_utf8(&it, NULL));
        if (bson_iter_init_find(&it, &reply, "secondary") && BSON_ITER_HOLDS_BOOL(&it))
            c->secondary = bson_iter_bool(&it);
    }
    bson_destroy(&reply);
    if (rc != DBP_OK)
        goto fail;
    cmd = command("build_info", NULL, NULL, 0, err);
    if (cmd && run(c, "admin", cmd, &reply, "buildInfo", NULL) == DBP_OK) {
        bson_iter_t it;
        if (bson_iter_init_find(&it, &reply, "version") && BSON_ITER_HOLDS_UTF8(&it))
            snprintf(c->version, sizeof c->version, "%s", bson_iter_utf8(&it, NULL));
    }
    if (cmd) {
        bson_destroy(cmd);
        bson_destroy(&reply);
    }
    *out = c;
    return DBP_OK;
fail:
    dbp_mongo_disconnect(c);
    return rc;
}

void dbp_mongo_disconnect(void *ctx)
{
    struct mctx *c = ctx;
    if (!c)
        return;
    if (c->client)
        mongoc_client_destroy(c->client);
    if (c->uri)
        mongoc_uri_destroy(c->uri);
    dbp_mdoc_free(&c->doc);
    free(c);
}

/* Names from a listDatabases / listCollections reply into a heap array of heap strings. */
static size_t names(struct mctx *c, bson_t *reply, bool dbs, char ***out, size_t max)
{
    *out = NULL;
    size_t n = 0, cap = 0;
    if (dbs) {
        bson_iter_t it, arr;
        if (bson_iter_init_find(&it, reply, "databases") && BSON_ITER_HOLDS_ARRAY(&it) &&
            bson_iter_recurse(&it, &arr))
            while (bson_iter_next(&arr) && n < max) {
                bson_iter_t d;
                if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &d) ||
                    !bson_iter_find(&d, "name") || !BSON_ITER_HOLDS_UTF8(&d))
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 16;
                    *out = dbp_xrealloc(*out, cap * sizeof **out);
                }
                (*out)[n++] = dbp_xstrdup(bson_iter_utf8(&d, NULL));
            }
        bson_destroy(reply);
        return n;
    }
    mongoc_cursor_t *cur = cursor(c, reply); /* takes reply */
    const bson_t *doc;
    while (cur && mongoc_cursor_next(cur, &doc) && n < max) {
        bson_iter_t d;
        if (!bson_iter_init_find(&d, doc, "name") || !BSON_ITER_HOLDS_UTF8(&d))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = dbp_xrealloc(*out, cap * sizeof **out);
        }
        (*out)[n++] = dbp_xstrdup(bson_iter_utf8(&d, NULL));
    }
    if (cur)
        mongoc_cursor_destroy(cur);
    return n;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool system_name(const char *db)
{
    return strcmp(db, "admin") == 0 || strcmp(db, "local") == 0 || strcmp(db, "config") == 0;
}

/* system.profile of db into snap; returns documents taken. */
static uint64_t read_profile(struct mctx *c, struct dbp_snapshot *snap, const char *db)
{
    struct dbp_error e = {0};
    size_t first_plan = snap->plans.n;
    bson_t *cmd = command("profile_level", NULL, NULL, 0, &e);
    bson_t reply;
    if (!cmd)
        return 0;
    int rc = run(c, db, cmd, &reply, "profile", &e);
    bson_destroy(cmd);
    int was = -1;
    bson_iter_t it;
    if (rc == DBP_OK && bson_iter_init_find(&it, &reply, "was") && BSON_ITER_HOLDS_NUMBER(&it))
        was = (int)bson_iter_as_int64(&it);
    bson_destroy(&reply);
    if (rc != DBP_OK) {
        dbp_snapshot_diag(snap, "%s: %s: profiling level not read: %s", c->instance, db, e.message);
        return 0;
    }
    if (was == 0) {
        dbp_snapshot_diag(snap,
                          "%s: profiling is off on database %s: no system.profile entries read "
                          "(db.setProfilingLevel(1, {slowms: 100}) turns it on; dbperf never does)",
                          c->instance, db);
        return 0;
    }
    cmd = command("profile_find", NULL, NULL, c->timeout_ms, &e);
    if (!cmd)
        return 0;
    rc = run(c, db, cmd, &reply, "find system.profile", &e);
    bson_destroy(cmd);
    if (rc != DBP_OK) {
        bson_destroy(&reply);
        dbp_snapshot_diag(snap, "%s: %s.system.profile not read: %s", c->instance, db, e.message);
        return 0;
    }
    mongoc_cursor_t *cur = cursor(c, &reply);
    const bson_t *doc;
    uint64_t taken = 0;
    char origin[512];
    snprintf(origin, sizeof origin, "%s %s.system.profile", c->instance, db);
    while (cur && mongoc_cursor_next(cur, &doc)) {
        char *json = NULL;
        const struct dbp_mdoc_node *root = to_mdoc(c, doc, &json);
        if (root && dbp_mongo_profile_doc(snap, &c->doc, root, origin) == 0)
            taken++;
        bson_free(json);
    }
    bson_error_t be;
    if (cur && mongoc_cursor_error(cur, &be))
        dbp_snapshot_diag(snap, "%s: %s.system.profile: %s", c->instance, db, be.message);
    if (cur)
        mongoc_cursor_destroy(cur);
    dbp_mongo_prune_plans(snap, first_plan);
    return taken;
}

static void read_collection(struct mctx *c, struct dbp_snapshot *snap, const char *db,
                            const char *coll)
{
    struct dbp_error e = {0};
    bson_t reply;
    bson_t *cmd = command("index_stats", coll, NULL, c->timeout_ms, &e);
    if (cmd && run(c, db, cmd, &reply, "$indexStats", &e) == DBP_OK) {
        mongoc_cursor_t *cur = cursor(c, &reply);
        const bson_t *doc;
        while (cur && mongoc_cursor_next(cur, &doc)) {
            char *json = NULL;
            const struct dbp_mdoc_node *root = to_mdoc(c, doc, &json);
            struct dbp_index *ix =
                root ? dbp_mongo_indexstats_doc(snap, &c->doc, root,
                                                dbp_arena_strdup(snap->arena, db),
                                                dbp_arena_strdup(snap->arena, coll))
                     : NULL;
            const struct dbp_mdoc_node *shard = ix ? dbp_mdoc_get(&c->doc, root, "shard") : NULL;
            if (shard && shard->type == DBP_MD_STR) {
                /* through mongos: one row per shard (a replica set) and its member */
                ix->cluster = dbp_mdoc_strdup(snap->arena, shard);
                if (!ix->instance)
                    ix->instance = ix->cluster;
            } else if (ix) {
                /* the member as dbperf reached it (the $indexStats host is the server's
                 * own name for itself, which may not be how clients address it) */
                ix->instance = dbp_arena_strdup(snap->arena, c->instance);
                if (c->cluster[0])
                    ix->cluster = dbp_arena_strdup(snap->arena, c->cluster);
                if (c->secondary)
                    ix->flags |= DBP_IDX_REPLICA;
            }
            bson_free(json);
        }
        if (cur)
            mongoc_cursor_destroy(cur);
    } else {
        if (cmd)
            bson_destroy(&reply);
        dbp_snapshot_diag(snap, "%s: %s.%s: $indexStats: %s", c->instance, db, coll, e.message);
    }
    if (cmd)
        bson_destroy(cmd);
    cmd = command("coll_stats", coll, NULL, c->timeout_ms, &e);
    if (cmd && run(c, db, cmd, &reply, "$collStats", &e) == DBP_OK) {
        mongoc_cursor_t *cur = cursor(c, &reply);
        const bson_t *doc;
        int64_t rows = -1, size = -1;
        while (cur && mongoc_cursor_next(cur, &doc)) { /* one per shard */
            bson_iter_t it;
            if (bson_iter_init(&it, doc) &&
                bson_iter_find_descendant(&it, "storageStats.count", &it) &&
                BSON_ITER_HOLDS_NUMBER(&it))
                rows = (rows < 0 ? 0 : rows) + bson_iter_as_int64(&it);
            if (bson_iter_init(&it, doc) &&
                bson_iter_find_descendant(&it, "storageStats.size", &it) &&
                BSON_ITER_HOLDS_NUMBER(&it))
                size = (size < 0 ? 0 : size) + bson_iter_as_int64(&it);
        }
        if (cur)
            mongoc_cursor_destroy(cur);
        struct dbp_table *t = dbp_snapshot_add_table(snap);
        t->engine = DBP_ENGINE_MONGODB;
        t->instance = dbp_arena_strdup(snap->arena, c->instance);
        t->database = dbp_arena_strdup(snap->arena, db);
        t->name = dbp_arena_strdup(snap->arena, coll);
        t->rows = rows;
        t->size_bytes = size;
    } else {
        if (cmd)
            bson_destroy(&reply);
        dbp_snapshot_diag(snap, "%s: %s.%s: $collStats: %s", c->instance, db, coll, e.message);
    }
    if (cmd)
        bson_destroy(cmd);
}

int dbp_mongo_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                      struct dbp_error *err)
{
    struct mctx *c = ctx;
    src->engine = DBP_ENGINE_MONGODB;
    if (c->version[0])
        src->server_version = dbp_arena_strdup(snap->arena, c->version);
    char **dbs = NULL;
    size_t n_dbs = 0;
    const char *only = mongoc_uri_get_database(c->uri);
    if (only && *only && strcmp(only, "admin") != 0) {
        dbs = dbp_xmalloc(sizeof *dbs);
        dbs[0] = dbp_xstrdup(only);
        n_dbs = 1;
    } else {
        bson_t *cmd = command("list_databases", NULL, NULL, 0, err);
        if (!cmd)
            return err ? err->code : DBP_ERR_INTERNAL;
        bson_t reply;
        int rc = run(c, "admin", cmd, &reply, "listDatabases", err);
        bson_destroy(cmd);
        if (rc != DBP_OK) {
            bson_destroy(&reply);
            return rc;
        }
        n_dbs = names(c, &reply, true, &dbs, MAX_DBS);
    }
    for (size_t i = 0; i < n_dbs; i++) {
        const char *db = dbs[i];
        if (system_name(db))
            continue;
        src->entries += read_profile(c, snap, db);
        struct dbp_error e = {0};
        bson_t *cmd = command("list_collections", NULL, NULL, c->timeout_ms, &e);
        bson_t reply;
        char **colls = NULL;
        size_t n_colls = 0;
        if (cmd && run(c, db, cmd, &reply, "listCollections", &e) == DBP_OK) {
            n_colls = names(c, &reply, false, &colls, MAX_COLLECTIONS);
        } else {
            if (cmd)
                bson_destroy(&reply);
            dbp_snapshot_diag(snap, "%s: %s: listCollections: %s", c->instance, db, e.message);
        }
        if (cmd)
            bson_destroy(cmd);
        if (n_colls == MAX_COLLECTIONS)
            dbp_snapshot_diag(snap, "%s: %s: only the first %d collections were read", c->instance,
                              db, MAX_COLLECTIONS);
        for (size_t k = 0; k < n_colls; k++)
            if (strncmp(colls[k], "system.", 7) != 0)
                read_collection(c, snap, db, colls[k]);
        free_names(colls, n_colls);
    }
    free_names(dbs, n_dbs);
    return DBP_OK;
}

/* The statement's example command without session/transport fields, or NULL if not a read. */
static bson_t *explainable(const char *example)
{
    bson_error_t e;
    bson_t *b = bson_new_from_json((const uint8_t *)example, -1, &e);
    if (!b)
        return NULL;
    bson_iter_t it;
    if (!bson_iter_init(&it, b) || !bson_iter_next(&it)) {
        bson_destroy(b);
        return NULL;
    }
    const char *first = bson_iter_key(&it);
    bool ok = strcmp(first, "find") == 0 || strcmp(first, "aggregate") == 0 ||
              strcmp(first, "count") == 0 || strcmp(first, "distinct") == 0;
    if (ok && strcmp(first, "aggregate") == 0 &&
        (strstr(example, "\"$out\"") || strstr(example, "\"$merge\"")))
        ok = false;
    if (!ok) {
        bson_destroy(b);
        return NULL;
    }
    bson_t *out = bson_new();
    bson_iter_init(&it, b);
    while (bson_iter_next(&it)) {
        const char *k = bson_iter_key(&it);
        if (k[0] == '$' || strcmp(k, "lsid") == 0 || strcmp(k, "txnNumber") == 0 ||
            strcmp(k, "maxTimeMS") == 0 || strcmp(k, "autocommit") == 0 ||
            strcmp(k, "startTransaction") == 0 || strcmp(k, "writeConcern") == 0 ||
            strcmp(k, "readConcern") == 0)
            continue;
        bson_append_iter(out, k, -1, &it);
    }
    bson_destroy(b);
    return out;
}

int dbp_mongo_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err)
{
    (void)err;
    struct mctx *c = ctx;
    /* the top classes by total time */
    size_t n = 0;
    struct dbp_stmt **top = dbp_xcalloc((size_t)c->top_n + 1, sizeof *top);
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        if (st->engine != DBP_ENGINE_MONGODB || st->source != DBP_SRC_PROFILER || !st->example ||
            !st->database)
            continue;
        size_t j = n < (size_t)c->top_n ? n++ : (size_t)c->top_n;
        if (j == (size_t)c->top_n && !(st->agg.total_ms > top[j - 1]->agg.total_ms))
            continue;
        if (j == (size_t)c->top_n)
            j--;
        while (j > 0 && top[j - 1]->agg.total_ms < st->agg.total_ms) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = st;
    }
    for (size_t i = 0; i < n; i++) {
        struct dbp_stmt *st = top[i];
        bson_t *inner = explainable(st->example);
        if (!inner)
            continue;
        struct dbp_error e = {0};
        bson_t *cmd = command("explain", NULL, inner, c->timeout_ms, &e);
        bson_destroy(inner);
        if (!cmd)
            continue;
        bson_t reply;
        int rc = run(c, st->database, cmd, &reply, "explain", &e);
        bson_destroy(cmd);
        if (rc == DBP_OK) {
            char *json = NULL;
            const struct dbp_mdoc_node *root = to_mdoc(c, &reply, &json);
            char origin[512];
            snprintf(origin, sizeof origin, "%s explain", c->instance);
            if (!root || dbp_mongo_explain_doc(snap, &c->doc, root, origin, st, NULL) != 0)
                dbp_snapshot_diag(snap, "%s: explain of %s: no plan in the reply", c->instance,
                                  st->text);
            bson_free(json);
        } else {
            dbp_snapshot_diag(snap, "%s: explain of %s: %s", c->instance, st->text, e.message);
        }
        bson_destroy(&reply);
    }
    free(top);
    return DBP_OK;
}
