/*
 * test_predicate.c -- condition text to constrained columns: PostgreSQL and
 * MySQL/MariaDB spellings, AND vs OR, functions, LIKE prefixes, qualifiers,
 * and arbitrary bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/model.h>

#include "predicate.h"

/* Render preds as "col:OP col:OP" for compact assertions. */
static const char *render(struct dbp_arena *a, const char *cond, const char *qual)
{
    static const char *ops[] = {"EQ", "IN", "RANGE", "OTHER"};
    struct dbp_pred *p = NULL;
    size_t n = dbp_preds_from_condition(a, cond, qual, &p);
    static char buf[1024];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s:%s", i ? " " : "",
                                p[i].column, ops[p[i].op]);
    return buf;
}

static void t_postgres(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    assert_string_equal(render(a, "((status)::text = 'paid'::text)", NULL), "status:EQ");
    assert_string_equal(render(a, "(customer_id = $1)", NULL), "customer_id:EQ");
    assert_string_equal(render(a, "((a > 5) AND (b = ANY ('{1,2}'::integer[])))", NULL),
                        "a:RANGE b:IN");
    assert_string_equal(render(a, "(lower((email)::text) = 'x'::text)", NULL), "email:OTHER");
    assert_string_equal(render(a, "((a = 1) OR (b = 2))", NULL), "a:OTHER b:OTHER");
    assert_string_equal(render(a, "((x = 1) AND ((a = 1) OR (b = 2)))", NULL),
                        "x:EQ a:OTHER b:OTHER");
    assert_string_equal(render(a, "(NOT hidden)", NULL), "hidden:OTHER");
    assert_string_equal(render(a, "(gp.idx_gdz_pracy_wyjsciowy IS NULL)", NULL),
                        "idx_gdz_pracy_wyjsciowy:EQ");
    assert_string_equal(render(a, "(deleted_at IS NOT NULL)", NULL), "deleted_at:OTHER");
    assert_string_equal(render(a, "((name)::text ~~ 'ab%'::text)", NULL), "name:RANGE");
    assert_string_equal(render(a, "((name)::text ~~ '%ab'::text)", NULL), "name:OTHER");
    assert_string_equal(render(a, "(s.created_at >= ('now'::text)::date - '7 days'::interval)",
                               NULL),
                        "created_at:RANGE");
    assert_string_equal(render(a, "(a <> 3)", NULL), "a:OTHER");
    /* the same column used twice keeps its strongest use */
    assert_string_equal(render(a, "((a > 1) AND (a < 9) AND (a = 5))", NULL), "a:EQ");
    /* casts with multi-word types */
    assert_string_equal(
        render(a, "((t.ts)::timestamp without time zone > '2024-01-01'::timestamp with time zone)",
               NULL),
        "ts:RANGE");
    /* join condition: both sides, or only ours with a qualifier */
    assert_string_equal(render(a, "(o.customer_id = c.id)", NULL), "customer_id:EQ id:EQ");
    assert_string_equal(render(a, "(o.customer_id = c.id)", "o"), "customer_id:EQ");
    assert_string_equal(
        render(a, "((story_tag_attachments.story_id = stories.id) AND "
                  "(story_tag_attachments.story_tag_id = 166))",
               "story_tag_attachments"),
        "story_id:EQ story_tag_id:EQ");
    /* constant on the left */
    assert_string_equal(render(a, "(5 < a)", NULL), "a:RANGE");
    assert_string_equal(render(a, "((SubPlan 1) = $5)", NULL), "");
    assert_string_equal(render(a, "pg_table_is_visible(oid)", NULL), "oid:OTHER");
    dbp_arena_free(a);
}

static void t_mysql(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    assert_string_equal(render(a, "(`db`.`t`.`c` = 5)", NULL), "c:EQ");
    assert_string_equal(render(a, "((`shop`.`o`.`status` = 'paid') and "
                                  "(`shop`.`o`.`created_at` > '2024-01-01'))",
                               NULL),
                        "status:EQ created_at:RANGE");
    assert_string_equal(render(a, "`t`.`c` in (1,2,3)", NULL), "c:IN");
    assert_string_equal(render(a, "`t`.`c` between 1 and 5", NULL), "c:RANGE");
    assert_string_equal(render(a, "((`t`.`c` between 1 and 5) and (`t`.`d` = 2))", NULL),
                        "c:RANGE d:EQ");
    assert_string_equal(render(a, "`t`.`name` like 'ab%'", NULL), "name:RANGE");
    assert_string_equal(render(a, "`t`.`name` like '%ab'", NULL), "name:OTHER");
    assert_string_equal(render(a, "(`t`.`a` = 1 or `t`.`b` = 2)", NULL), "a:OTHER b:OTHER");
    assert_string_equal(render(a, "`t`.`c` not in (1,2)", NULL), "c:OTHER");
    assert_string_equal(render(a, "(`t`.`d` > <cache>(curdate() - interval 30 day))", NULL),
                        "d:RANGE");
    assert_string_equal(render(a, "(`testdb`.`o`.`status` = _utf8mb4'paid')", NULL),
                        "status:EQ");
    assert_string_equal(render(a, "(`o`.`user_id` = `u`.`id`)", "o"), "user_id:EQ");
    assert_string_equal(render(a, "(year(`t`.`created_at`) = 2024)", NULL), "created_at:OTHER");
    assert_string_equal(render(a, "((`s`.`to_date` = DATE'9999-01-01') and multiple "
                                  "equal(`e`.`emp_no`, `s`.`emp_no`, `d`.`emp_no`))",
                               "s"),
                        "to_date:EQ emp_no:EQ");
    assert_string_equal(render(a, "((`t`.`a` = 1) or multiple equal(`t`.`b`, `t`.`c`))", NULL),
                        "a:OTHER b:OTHER c:OTHER");
    dbp_arena_free(a);
}

static void t_garbage(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    struct dbp_pred *p;
    assert_int_equal(dbp_preds_from_condition(a, NULL, NULL, &p), 0);
    assert_null(p);
    assert_int_equal(dbp_preds_from_condition(a, "", NULL, &p), 0);
    const char *bad[] = {"((((((", "))))", "a = ", "= b", "'unterminated", "`x", "::", "a::",
                         "(a = 1) and", "between and", "<cache>(", "a in (", "\"\"", "$"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        (void)dbp_preds_from_condition(a, bad[i], "q", &p);
    /* deep nesting is bounded */
    char deep[20001];
    for (size_t i = 0; i < 10000; i++) {
        deep[i] = '(';
        deep[19999 - i] = ')';
    }
    deep[20000] = '\0';
    (void)dbp_preds_from_condition(a, deep, NULL, &p);
    char deep2[8001];
    for (size_t i = 0; i < 4000; i++) {
        deep2[2 * i] = i % 2 ? 'a' : '(';
        deep2[2 * i + 1] = ' ';
    }
    deep2[8000] = '\0';
    (void)dbp_preds_from_condition(a, deep2, NULL, &p);
    dbp_arena_free(a);
}

static void t_merge(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    struct dbp_pred *p = NULL, *q = NULL;
    size_t n = dbp_preds_from_condition(a, "(a > 1) AND (b <> 2)", NULL, &p);
    size_t m = dbp_preds_from_condition(a, "(b = 1) AND (c = 2)", NULL, &q);
    n = dbp_preds_merge(a, &p, n, q, m);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].column, "a");
    assert_int_equal(p[0].op, DBP_PRED_RANGE);
    assert_string_equal(p[1].column, "b");
    assert_int_equal(p[1].op, DBP_PRED_EQ);
    assert_string_equal(p[2].column, "c");
    dbp_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_postgres),
        cmocka_unit_test(t_mysql),
        cmocka_unit_test(t_garbage),
        cmocka_unit_test(t_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
