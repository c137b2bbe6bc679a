/*
 * mongo_dl.c -- loads libbson and libmongoc (dlopen) the first time a
 * MongoDB server is audited, and resolves the functions live.c calls into
 * the table mongo_dl.h declares.
 *
 * Nothing here runs unless dbp_mongo_connect() is called: the offline
 * MongoDB formats (logs, system.profile, explain and $indexStats exports,
 * parsed by mdoc.c) never need the libraries.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <dbperf/error.h>

#define DBP_MONGO_DL_LOADER /* the real names, not the redirections */
#include "mongo_dl.h"

/*
 * sonames, by enum dbp_mongo_lib. Debian's libmongoc-1.0-0 ships the
 * second and depends on libbson-1.0-0, which ships the first: installing
 * libmongoc-1.0-0 provides both.
 */
static const char *const libs[] = {
    [DBP_MONGO_LIBBSON] = "libbson-1.0.so.0",
    [DBP_MONGO_LIBMONGOC] = "libmongoc-1.0.so.0",
};

/* the function names and where their pointer goes */
static const struct {
    enum dbp_mongo_lib lib;
    const char *name;
    size_t offset;
} funcs[] = {
#define DBP_MONGO_DL_ENTRY(lib, fn) {lib, #fn, offsetof(struct dbp_mongo_dl, fn)},
    DBP_MONGO_DL_FUNCS(DBP_MONGO_DL_ENTRY)
#undef DBP_MONGO_DL_ENTRY
};

/*
 * Written only by load() under pthread_once, read-only afterwards (the
 * once call orders those writes before every reader's return from
 * dbp_mongo_dl_load).
 */
static struct dbp_mongo_dl table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct dbp_error load_err;

const struct dbp_mongo_dl *const dbp_mongo_api = &table;

/*
 * dlopen both libraries and fill a local copy of the table, which becomes
 * the table only when every function resolved. A handle is never closed:
 * libmongoc's constructor may already have run mongoc_init() (Debian builds
 * it with automatic init/cleanup), and its destructor at exit undoes it.
 */
static void load(void)
{
    void *handle[sizeof libs / sizeof libs[0]];
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        /* RTLD_LOCAL: nothing else in dbperf resolves against them */
        handle[i] = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle[i]) {
            const char *why = dlerror();
            dbp_error_set(&load_err, DBP_ERR_UNSUPPORTED,
                          "auditing a MongoDB server needs %s, which could not be loaded (%s): "
                          "install Debian's libmongoc-1.0-0 (apt-get install libmongoc-1.0-0)",
                          libs[i], why ? why : "dlopen failed");
            return;
        }
    }
    struct dbp_mongo_dl t = {0};
    _Static_assert(sizeof t.bson_new == sizeof(void *), "function pointers are data-sized");
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
        void *sym = dlsym(handle[funcs[i].lib], funcs[i].name);
        if (!sym) {
            dbp_error_set(&load_err, DBP_ERR_UNSUPPORTED,
                          "auditing a MongoDB server needs %s, which has no %s (dbperf was "
                          "built against libmongoc %s): install Debian's libmongoc-1.0-0",
                          libs[funcs[i].lib], funcs[i].name, MONGOC_VERSION_S);
            return;
        }
        /* POSIX: dlsym's object pointer converts to the function pointer it names */
        memcpy((char *)&t + funcs[i].offset, &sym, sizeof sym);
    }
    table = t;
    table.mongoc_init(); /* idempotent: the constructor may have called it */
}

int dbp_mongo_dl_load(struct dbp_error *err)
{
    pthread_once(&once, load);
    if (load_err.code != DBP_OK)
        return dbp_error_set(err, load_err.code, "%s", load_err.message);
    return DBP_OK;
}
