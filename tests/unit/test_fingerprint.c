/*
 * test_fingerprint.c -- fingerprints: ids (pt-query-digest checksums), the pt
 * and pgss tokenizers on hand-picked cases (the corpus conformance test covers
 * the peers' own cases), the pgss grouping form, and robustness on garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>

static struct dbp_buf fp;

static const char *pt(const char *sql)
{
    dbp_fingerprint(DBP_FP_PT, sql, strlen(sql), &fp);
    return fp.data;
}

static const char *ptf(unsigned flags, const char *sql)
{
    dbp_fingerprint_ex(DBP_FP_PT, flags, sql, strlen(sql), &fp);
    return fp.data;
}

static const char *pgss(const char *sql)
{
    dbp_fingerprint(DBP_FP_PGSS, sql, strlen(sql), &fp);
    return fp.data;
}

static uint64_t group_id(const char *sql)
{
    dbp_fingerprint_ex(DBP_FP_PGSS, DBP_FP_PGSS_GROUP, sql, strlen(sql), &fp);
    return dbp_fingerprint_id(fp.data, fp.len);
}

static void t_ids(void **state)
{
    (void)state;
    /* go-mysql TestId and pt-query-digest: last 16 hex digits of md5_hex */
    assert_true(dbp_fingerprint_id("hello world", 11) == 0x93CB22BB8F5ACDC3ULL);
    assert_true(dbp_fingerprint_id("select sleep(?) from n", 22) == 0x7F7D57ACDD8A346EULL);
    /* md5("") = d41d8cd98f00b204e9800998ecf8427e */
    assert_true(dbp_fingerprint_id("", 0) == 0xE9800998ECF8427EULL);
    assert_int_equal(dbp_fp_style_parse("pt"), DBP_FP_PT);
    assert_int_equal(dbp_fp_style_parse("pgss"), DBP_FP_PGSS);
    assert_int_equal(dbp_fp_style_parse("mysql"), -1);
}

static void t_pt_basics(void **state)
{
    (void)state;
    assert_string_equal(pt("SELECT * FROM t WHERE a = 5 AND b='x' AND c=\"y\""),
                        "select * from t where a = ? and b=? and c=?");
    assert_string_equal(pt("select a from t where id in (1, 2, 3) and x = -1.5e3"),
                        "select a from t where id in(?+) and x = ?");
    assert_string_equal(pt("select a - 1, b+2 from t"), "select a - ?, b+? from t");
    assert_string_equal(pt("INSERT INTO t (a,b) VALUES (1,'a'),(2,'b'),(3,'c')"),
                        "insert into t (a,b) values(?+)");
    assert_string_equal(pt("select * from t where a is null or b = true"),
                        "select * from t where a is ? or b = ?");
    assert_string_equal(pt("select * from t order by a asc, b desc limit 10, 20"),
                        "select * from t order by a, b desc limit ?");
    assert_string_equal(pt("/* app:1 */ select 1 # trailing\n"), "select ?");
    assert_string_equal(pt("select 1 union select 2 union select 3"), "select ? /*repeat union*/");
    assert_string_equal(pt("select x'ff', b'01', 0xFF, 0b01, .5, 5."), "select ?, ?, ?, ?, ?, ?");
    assert_string_equal(pt("select tbl_12.col3 from db9.tbl_12"), "select tbl_?.col? from db?.tbl_?");
    assert_string_equal(ptf(DBP_FP_MATCH_EMBEDDED_NUMBERS, "select tbl_12.col3 from db9.tbl_12"),
                        "select tbl_12.col3 from db9.tbl_12");
    assert_string_equal(
        ptf(DBP_FP_MATCH_MD5_CHECKSUMS, "select * from t_0123456789abcdef0123456789abcdef"),
        "select * from t_?");
    assert_string_equal(pt("select 'it''s', 'a\\'b' from dual"), "select ?, ? from dual");
    assert_string_equal(pt("USE `mydb`"), "use ?");
    assert_string_equal(pt("call proc_x(1,2)"), "call proc_x");
    assert_string_equal(pt(""), "");
    assert_string_equal(pt("   \n\t "), "");
}

static void t_pt_unterminated(void **state)
{
    (void)state;
    assert_string_equal(pt("select 'abc"), "select ?");
    assert_string_equal(pt("select a /* never closed"), "select a");
    assert_string_equal(pt("select `never closed"), "select `never closed");
    assert_string_equal(pt("select * from t where a in (1, 2"), "select * from t where a in(?, ?");
    assert_string_equal(pt("insert into t values (1, 2"), "insert into t values(?+)");
    assert_string_equal(pt(")))((("), ")))(((");
}

static void t_pgss_basics(void **state)
{
    (void)state;
    assert_string_equal(pgss("SELECT a FROM t WHERE b = 'x' AND c > -5 AND d = 1.5"),
                        "SELECT a FROM t WHERE b = $1 AND c > $2 AND d = $3");
    assert_string_equal(pgss("SELECT $2, 'a', 1 FROM t WHERE x = $1"),
                        "SELECT $2, $3, $4 FROM t WHERE x = $1");
    assert_string_equal(pgss("  /* c */ SELECT 1 ; "), "SELECT $1");
    assert_string_equal(pgss("SELECT a - 1 FROM t WHERE x IS NULL AND y IS NOT TRUE"),
                        "SELECT a - $1 FROM t WHERE x IS NULL AND y IS NOT TRUE");
    assert_string_equal(pgss("SELECT x::varchar(20), CAST(y AS numeric(10,2)) FROM t"),
                        "SELECT x::varchar(20), CAST(y AS numeric(10,2)) FROM t");
    assert_string_equal(pgss("SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 'z'"),
                        "SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, $1");
    assert_string_equal(pgss("SELECT E'a\\'b', $$x'y$$, $q$z$q$, B'101', X'ff'"),
                        "SELECT $1, $2, $3, $4, $5");
    assert_string_equal(pgss("SELECT \"col 1\" FROM \"T\" WHERE j ? 'k' AND j @> '{}'"),
                        "SELECT \"col 1\" FROM \"T\" WHERE j ? $1 AND j @> $2");
    assert_string_equal(pgss("SELECT * FROM t WHERE id IN (1, 2, 3) AND k = ANY(ARRAY[4, 5])"),
                        "SELECT * FROM t WHERE id IN ($1 /*, ... */) AND k = ANY(ARRAY[$2 /*, ... */])");
    assert_string_equal(pgss("SELECT * FROM t WHERE id IN (a, 2)"),
                        "SELECT * FROM t WHERE id IN (a, $1)");
    assert_string_equal(pgss("FETCH 100 FROM c1"), "FETCH 100 FROM c1");
    assert_string_equal(pgss("SELECT 1; SELECT 2;"), "SELECT $1; SELECT $2;");
    assert_string_equal(pgss("SELECT 'never closed"), "SELECT $1");
    assert_string_equal(pgss(""), "");
}

static void t_pgss_group(void **state)
{
    (void)state;
    uint64_t a = group_id("SELECT 1 AS x OFFSET 5 LIMIT 3");
    assert_true(a == group_id("select 2 as x\n  limit 7 offset 1"));
    assert_true(a == group_id("SELECT 1 AS x OFFSET 5 FETCH FIRST 3 ROWS ONLY"));
    assert_true(a == group_id("/* c */ SELECT 9 AS x -- note\n OFFSET 2 LIMIT 1"));
    assert_true(a != group_id("SELECT 1 AS y OFFSET 5 LIMIT 3"));
    assert_true(group_id("SELECT WHERE 1 IN (1, 2, 3)") ==
                group_id("SELECT WHERE 1 = ANY (ARRAY[1, 2, 3, 4])"));
    assert_true(group_id("SELECT * FROM a JOIN b ON b.x = a.x FOR UPDATE") ==
                group_id("SELECT * FROM a JOIN b ON b.x = a.x FOR UPDATE OF a, b"));
    assert_true(group_id("SELECT * FROM a JOIN b ON b.x = a.x FOR UPDATE") !=
                group_id("SELECT * FROM a JOIN b ON b.x = a.x FOR UPDATE OF b, a"));
    assert_true(group_id("SELECT * FROM t1 x, t2 AS y FOR SHARE") ==
                group_id("SELECT * FROM t1 x, t2 AS y FOR SHARE OF x, y"));
    assert_true(group_id("SELECT * FROM t WHERE a IN (1, 2)") !=
                group_id("SELECT * FROM t WHERE a IN (1)"));
}

/* any bytes: no crash, NUL-terminated, length returned */
static void t_garbage(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    char in[512];
    static const char alphabet[] = "'\"`$-/*#()[],;:?.0123456789eExXbB \n\tselectINvaluesLIMIT\\!";
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)(iter % 200);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            in[i] = (iter & 1) ? (char)(x & 0xff) : alphabet[x % (sizeof alphabet - 1)];
        }
        for (unsigned flags = 0; flags < 8; flags++) {
            size_t k = dbp_fingerprint_ex((enum dbp_fp_style)(iter & 2 ? 1 : 0), flags, in, n, &fp);
            assert_int_equal(k, fp.len);
            assert_int_equal(fp.data[fp.len], '\0');
        }
    }
    /* a NULL pointer with length 0 is an empty statement */
    assert_int_equal(dbp_fingerprint(DBP_FP_PT, NULL, 0, &fp), 0);
    assert_int_equal(dbp_fingerprint(DBP_FP_PGSS, NULL, 0, &fp), 0);
}

/* a big statement: linear time, one output */
static void t_huge(void **state)
{
    (void)state;
    struct dbp_buf in = {0};
    dbp_buf_puts(&in, "INSERT INTO t VALUES ");
    for (int i = 0; i < 200000; i++)
        dbp_buf_printf(&in, "%s(%d,'v%d')", i ? "," : "", i, i);
    assert_string_equal(pt(in.data), "insert into t values(?+)");
    dbp_fingerprint(DBP_FP_PGSS, in.data, in.len, &fp);
    assert_true(fp.len > 0);
    assert_memory_equal(fp.data, "INSERT INTO t VALUES ($1,$2),($3,$4)", 36);
    dbp_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_ids),       cmocka_unit_test(t_pt_basics),
        cmocka_unit_test(t_pt_unterminated), cmocka_unit_test(t_pgss_basics),
        cmocka_unit_test(t_pgss_group), cmocka_unit_test(t_garbage),
        cmocka_unit_test(t_huge),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dbp_buf_free(&fp);
    return rc;
}
