/* c8y_table: the harness of the table-driven c8y converter tests ported
 * from thin-edge.io. Each row becomes its own cmocka test (named after the
 * row) that feeds its inputs in order to a fresh converter and compares every
 * output, one "topic payload" line each, and the last error.
 *
 * A row runs in a fresh config dir (files created first, so operation
 * directories and templates exist when the converter loads them), with the
 * main device id "test-device" (thin-edge.io's test id) unless it names
 * another, and the clock fixed at 2024-05-01T10:00:00.123456789Z. */
#ifndef TESTS_C8Y_TABLE_H
#define TESTS_C8Y_TABLE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tedge/c8y_mapper.h"

#define NOW "2024-05-01T10:00:00.123456789Z"
#define NOW_MS "2024-05-01T10:00:00.123Z"
#define MEAS "c8y/measurement/measurements/create "
#define EVENTS "c8y/event/events/create "
#define ALARMS "c8y/alarm/alarms/create "
#define JOURNAL "c8y-internal/alarms/"
#define TD "test-device"
#define UPDATE(xid) "c8y/inventory/managedObjects/update/" xid " "
#define AGENT(dev) "c8y/inventory/managedObjects/update/" dev " {\"c8y_Agent\":{\"name\":\"thin-edge.io\"," \
                   "\"url\":\"https://thin-edge.io\",\"version\":\"" TEDGE_VERSION "\"}}\n"
#define XSRC(xid) "\"externalSource\":{\"externalId\":\"" xid "\",\"type\":\"c8y_Serial\"}"
#define ROW_STEPS 16
#define ROW_FILES 8

typedef struct row_step {
    const char *topic;
    const char *payload;
} row_step_t;

typedef struct row_file {
    const char *path;    /* under the config dir; a trailing '/' makes a directory */
    const char *content; /* NULL: empty file */
} row_file_t;

typedef struct c8y_row {
    const char *name;
    const char *source;              /* thin-edge.io file :: test it is ported from */
    const char *device;              /* main device id; NULL: "test-device" */
    void (*cfg)(te_c8y_config_t *c); /* config changes, or NULL */
    row_file_t files[ROW_FILES];
    bool keep_start;                 /* compare what te_c8y_start published too */
    row_step_t steps[ROW_STEPS];
    const char *expected;            /* all outputs, "topic payload\n" each */
    const char *error;               /* substring of the last error, NULL: none */
    const char *symlinks[3];         /* paths (under the config dir) that must be symlinks after */
} c8y_row_t;

static te_time_t row_now(void *ctx)
{
    (void)ctx;
    return (te_time_t){.unix_s = 1714557600, .nsec = 123456789, .utc_z = true};
}

static void row_make_files(const char *dir, const row_file_t *files)
{
    for (size_t i = 0; i < ROW_FILES && files[i].path; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].path);
        /* parents first */
        for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
        if (path[strlen(path) - 1] == '/')
            continue;
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        if (files[i].content)
            fputs(files[i].content, fp);
        fclose(fp);
    }
}

static void row_collect(te_out_t *out, char *got, size_t len)
{
    for (size_t i = 0; i < out->n; i++) {
        size_t n = strlen(got);
        snprintf(got + n, len - n, "%s %.*s\n", out->msgs[i].topic, (int)out->msgs[i].len, out->msgs[i].payload);
    }
}

static void run_row(void **state)
{
    const c8y_row_t *row = *state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/test_c8y_row_XXXXXX");
    assert_non_null(mkdtemp(dir));
    row_make_files(dir, row->files);
    te_c8y_config_t cfg;
    te_c8y_config_defaults(&cfg, row->device ? row->device : TD, dir);
    if (row->cfg)
        row->cfg(&cfg);
    te_c8y_t *st;
    assert_int_equal(te_c8y_new(&st, &cfg), TE_OK);
    te_c8y_set_clock(st, row_now, NULL);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4096, 4u * 1024 * 1024), TE_OK);
    static char got[65536];
    char error[1024] = "";
    got[0] = '\0';
    assert_int_equal(te_c8y_start(st, &out), TE_OK);
    if (row->keep_start)
        row_collect(&out, got, sizeof got);
    for (size_t s = 0; s < ROW_STEPS && row->steps[s].topic; s++) {
        te_out_reset(&out);
        te_msg_t msg = {.topic = row->steps[s].topic, .payload = row->steps[s].payload,
                        .len = strlen(row->steps[s].payload), .qos = 1};
        te_err_t rc = te_c8y_convert(st, &msg, &out);
        (void)rc; /* bad input is expected in some rows: the error text is compared */
        row_collect(&out, got, sizeof got);
        if (out.error[0])
            snprintf(error, sizeof error, "%s", out.error);
    }
    bool ok = strcmp(got, row->expected) == 0 && (row->error ? strstr(error, row->error) != NULL : !error[0]);
    for (size_t i = 0; i < 3 && row->symlinks[i]; i++) {
        char path[512];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, row->symlinks[i]);
        if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode)) {
            print_error("%s is not a symlink\n", row->symlinks[i]);
            ok = false;
        }
    }
    te_c8y_free(st);
    te_out_free(&out);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    if (!ok) {
        print_error("row %s (from %s)\n--- expected:\n%s--- got:\n%s--- error: %s\n", row->name, row->source,
                    row->expected, got, error);
        fail();
    }
}

/* Runs every row of table as its own named test. */
static int run_rows(const char *group, const c8y_row_t *table, size_t n)
{
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    assert_non_null(tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = table[i].name;
        tests[i].test_func = run_row;
        tests[i].initial_state = (void *)&table[i];
    }
    int rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    free(tests);
    return rc;
}

#endif
