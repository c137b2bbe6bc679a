/*
 * stub_libmongoc.c -- a shared library with libmongoc's soname
 * (libmongoc-1.0.so.0) and none of its functions, for tests/cli/mongo_dl.sh:
 * dbperf must report the missing function, not crash.
 */
int dbp_stub_libmongoc(void);

int dbp_stub_libmongoc(void)
{
    return 0;
}
