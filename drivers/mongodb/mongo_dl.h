/*
 * mongo_dl.h -- internal to the MongoDB driver: libmongoc and libbson are
 * loaded with dlopen when a MongoDB server is audited, not linked.
 *
 * Debian's libmongoc runs mongoc_init() from a library constructor: linked
 * into dbperf, every run (dbperf --version, an audit of a PostgreSQL log)
 * paid for OpenSSL and Cyrus SASL initialisation and a /dev/shm/mongoc-<pid>
 * counters file. Now only dbp_mongo_connect() loads the libraries.
 *
 * live.c includes this header after <mongoc/mongoc.h> (types, constants and
 * inline macros come from the headers as before); every libmongoc/libbson
 * function it calls, directly or through a macro (BSON_APPEND_UTF8 calls
 * bson_append_utf8, BSON_ITER_HOLDS_UTF8 calls bson_iter_type), is redirected
 * to a pointer of the table dbp_mongo_dl_load() fills. A function missing
 * from DBP_MONGO_DL_FUNCS leaves an undefined reference to it and the link
 * fails, since nothing links libmongoc.
 */
#ifndef DBPERF_MONGO_DL_H
#define DBPERF_MONGO_DL_H

#include <mongoc/mongoc.h>

struct dbp_error;

/* The libraries, by soname (Debian packages libbson-1.0-0 and libmongoc-1.0-0). */
enum dbp_mongo_lib {
    DBP_MONGO_LIBBSON,
    DBP_MONGO_LIBMONGOC,
};

/* X(library, function): every function live.c calls. */
#define DBP_MONGO_DL_FUNCS(X)                                                                      \
    X(DBP_MONGO_LIBBSON, bson_append_document)                                                     \
    X(DBP_MONGO_LIBBSON, bson_append_int32)                                                        \
    X(DBP_MONGO_LIBBSON, bson_append_iter)                                                         \
    X(DBP_MONGO_LIBBSON, bson_append_utf8)                                                         \
    X(DBP_MONGO_LIBBSON, bson_as_relaxed_extended_json)                                            \
    X(DBP_MONGO_LIBBSON, bson_destroy)                                                             \
    X(DBP_MONGO_LIBBSON, bson_free)                                                                \
    X(DBP_MONGO_LIBBSON, bson_iter_as_int64)                                                       \
    X(DBP_MONGO_LIBBSON, bson_iter_bool)                                                           \
    X(DBP_MONGO_LIBBSON, bson_iter_find)                                                           \
    X(DBP_MONGO_LIBBSON, bson_iter_find_descendant)                                                \
    X(DBP_MONGO_LIBBSON, bson_iter_init)                                                           \
    X(DBP_MONGO_LIBBSON, bson_iter_init_find)                                                      \
    X(DBP_MONGO_LIBBSON, bson_iter_key)                                                            \
    X(DBP_MONGO_LIBBSON, bson_iter_next)                                                           \
    X(DBP_MONGO_LIBBSON, bson_iter_recurse)                                                        \
    X(DBP_MONGO_LIBBSON, bson_iter_type)                                                           \
    X(DBP_MONGO_LIBBSON, bson_iter_utf8)                                                           \
    X(DBP_MONGO_LIBBSON, bson_new)                                                                 \
    X(DBP_MONGO_LIBBSON, bson_new_from_json)                                                       \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_destroy)                                                  \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_get_read_prefs)                                           \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_new_from_uri_with_error)                                  \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_read_command_with_opts)                                   \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_select_server)                                            \
    X(DBP_MONGO_LIBMONGOC, mongoc_client_set_error_api)                                            \
    X(DBP_MONGO_LIBMONGOC, mongoc_cursor_destroy)                                                  \
    X(DBP_MONGO_LIBMONGOC, mongoc_cursor_error)                                                    \
    X(DBP_MONGO_LIBMONGOC, mongoc_cursor_new_from_command_reply_with_opts)                         \
    X(DBP_MONGO_LIBMONGOC, mongoc_cursor_next)                                                     \
    X(DBP_MONGO_LIBMONGOC, mongoc_init)                                                            \
    X(DBP_MONGO_LIBMONGOC, mongoc_server_description_destroy)                                      \
    X(DBP_MONGO_LIBMONGOC, mongoc_server_description_host)                                         \
    X(DBP_MONGO_LIBMONGOC, mongoc_server_description_id)                                           \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_destroy)                                                     \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_get_database)                                                \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_has_option)                                                  \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_new_with_error)                                              \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_set_appname)                                                 \
    X(DBP_MONGO_LIBMONGOC, mongoc_uri_set_option_as_int32)

/* One pointer per function, of the function's own type (from the headers). */
struct dbp_mongo_dl {
#define DBP_MONGO_DL_FIELD(lib, fn) __typeof__(fn) *fn;
    DBP_MONGO_DL_FUNCS(DBP_MONGO_DL_FIELD)
#undef DBP_MONGO_DL_FIELD
};

/*
 * The table; every pointer is NULL until dbp_mongo_dl_load() returned
 * DBP_OK, and never changes after that.
 */
extern const struct dbp_mongo_dl *const dbp_mongo_api;

/*
 * Load libbson-1.0.so.0 and libmongoc-1.0.so.0, resolve every function of
 * DBP_MONGO_DL_FUNCS and call mongoc_init(), once per process (pthread_once;
 * safe from several threads). The libraries stay loaded until exit, when
 * libmongoc's own destructor runs mongoc_cleanup(). Returns DBP_OK, or
 * DBP_ERR_UNSUPPORTED with a one-line message naming the library (or the
 * missing function) and the Debian package to install; a failure is final
 * for the process and every call returns it again.
 */
int dbp_mongo_dl_load(struct dbp_error *err);

/* live.c: calls go through the table (mongo_dl.c defines DBP_MONGO_DL_LOADER) */
#ifndef DBP_MONGO_DL_LOADER
#define bson_append_document                  (dbp_mongo_api->bson_append_document)
#define bson_append_int32                     (dbp_mongo_api->bson_append_int32)
#define bson_append_iter                      (dbp_mongo_api->bson_append_iter)
#define bson_append_utf8                      (dbp_mongo_api->bson_append_utf8)
#define bson_as_relaxed_extended_json         (dbp_mongo_api->bson_as_relaxed_extended_json)
#define bson_destroy                          (dbp_mongo_api->bson_destroy)
#define bson_free                             (dbp_mongo_api->bson_free)
#define bson_iter_as_int64                    (dbp_mongo_api->bson_iter_as_int64)
#define bson_iter_bool                        (dbp_mongo_api->bson_iter_bool)
#define bson_iter_find                        (dbp_mongo_api->bson_iter_find)
#define bson_iter_find_descendant             (dbp_mongo_api->bson_iter_find_descendant)
#define bson_iter_init                        (dbp_mongo_api->bson_iter_init)
#define bson_iter_init_find                   (dbp_mongo_api->bson_iter_init_find)
#define bson_iter_key                         (dbp_mongo_api->bson_iter_key)
#define bson_iter_next                        (dbp_mongo_api->bson_iter_next)
#define bson_iter_recurse                     (dbp_mongo_api->bson_iter_recurse)
#define bson_iter_type                        (dbp_mongo_api->bson_iter_type)
#define bson_iter_utf8                        (dbp_mongo_api->bson_iter_utf8)
#define bson_new                              (dbp_mongo_api->bson_new)
#define bson_new_from_json                    (dbp_mongo_api->bson_new_from_json)
#define mongoc_client_destroy                 (dbp_mongo_api->mongoc_client_destroy)
#define mongoc_client_get_read_prefs          (dbp_mongo_api->mongoc_client_get_read_prefs)
#define mongoc_client_new_from_uri_with_error (dbp_mongo_api->mongoc_client_new_from_uri_with_error)
#define mongoc_client_read_command_with_opts  (dbp_mongo_api->mongoc_client_read_command_with_opts)
#define mongoc_client_select_server           (dbp_mongo_api->mongoc_client_select_server)
#define mongoc_client_set_error_api           (dbp_mongo_api->mongoc_client_set_error_api)
#define mongoc_cursor_destroy                 (dbp_mongo_api->mongoc_cursor_destroy)
#define mongoc_cursor_error                   (dbp_mongo_api->mongoc_cursor_error)
#define mongoc_cursor_new_from_command_reply_with_opts                                             \
    (dbp_mongo_api->mongoc_cursor_new_from_command_reply_with_opts)
#define mongoc_cursor_next                (dbp_mongo_api->mongoc_cursor_next)
#define mongoc_init                       (dbp_mongo_api->mongoc_init)
#define mongoc_server_description_destroy (dbp_mongo_api->mongoc_server_description_destroy)
#define mongoc_server_description_host    (dbp_mongo_api->mongoc_server_description_host)
#define mongoc_server_description_id      (dbp_mongo_api->mongoc_server_description_id)
#define mongoc_uri_destroy                (dbp_mongo_api->mongoc_uri_destroy)
#define mongoc_uri_get_database           (dbp_mongo_api->mongoc_uri_get_database)
#define mongoc_uri_has_option             (dbp_mongo_api->mongoc_uri_has_option)
#define mongoc_uri_new_with_error         (dbp_mongo_api->mongoc_uri_new_with_error)
#define mongoc_uri_set_appname            (dbp_mongo_api->mongoc_uri_set_appname)
#define mongoc_uri_set_option_as_int32    (dbp_mongo_api->mongoc_uri_set_option_as_int32)
#endif

#endif
