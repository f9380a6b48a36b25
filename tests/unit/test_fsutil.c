/* Unit tests: fsutil (atomic writes, mkdir -p, bounded reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tedge/fsutil.h"

static int make_tmpdir(void **state)
{
    char *dir = strdup("/tmp/te-fsutil-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int remove_tmpdir(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_write_atomic_replaces_content_and_sets_mode(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/file.toml", (char *)*state);
    assert_int_equal(te_fs_write_atomic(path, "old", 3, 0600), TE_OK);
    assert_int_equal(te_fs_write_atomic(path, "new content", 11, 0644), TE_OK);
    char *data;
    size_t len;
    assert_int_equal(te_fs_read_file(path, 1024, &data, &len), TE_OK);
    assert_int_equal(len, 11);
    assert_string_equal(data, "new content");
    free(data);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_entries(*state), 1); /* no temp file left behind */
}

static void test_write_atomic_into_missing_dir_fails_and_leaves_nothing(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/missing/file", (char *)*state);
    assert_int_equal(te_fs_write_atomic(path, "x", 1, 0644), TE_ERR_NOTFOUND);
    assert_int_equal(count_entries(*state), 0);
}

static void test_mkdir_p_creates_parents_and_accepts_existing(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/a/b/c", (char *)*state);
    assert_int_equal(te_fs_mkdir_p(path, 0755), TE_OK);
    assert_int_equal(te_fs_mkdir_p(path, 0755), TE_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
}

static void test_mkdir_p_over_a_file_fails(void **state)
{
    char file[300], path[320];
    snprintf(file, sizeof file, "%s/plain", (char *)*state);
    assert_int_equal(te_fs_write_atomic(file, "x", 1, 0644), TE_OK);
    snprintf(path, sizeof path, "%s/sub", file);
    assert_int_not_equal(te_fs_mkdir_p(path, 0755), TE_OK);
    assert_int_not_equal(te_fs_mkdir_p(file, 0755), TE_OK);
}

static void test_read_file_enforces_the_cap_and_reports_missing(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/big", (char *)*state);
    char buf[10000];
    memset(buf, 'a', sizeof buf);
    assert_int_equal(te_fs_write_atomic(path, buf, sizeof buf, 0644), TE_OK);
    char *data = NULL;
    assert_int_equal(te_fs_read_file(path, 9999, &data, NULL), TE_ERR_TOOBIG);
    assert_null(data);
    size_t len;
    assert_int_equal(te_fs_read_file(path, 10000, &data, &len), TE_OK);
    assert_int_equal(len, 10000);
    free(data);
    snprintf(path, sizeof path, "%s/nope", (char *)*state);
    assert_int_equal(te_fs_read_file(path, 10, &data, NULL), TE_ERR_NOTFOUND);
}

static void test_chown_unknown_user_is_not_found(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/f", (char *)*state);
    assert_int_equal(te_fs_write_atomic(path, "x", 1, 0644), TE_OK);
    assert_int_equal(te_fs_chown_names(path, "no-such-user-te", NULL), TE_ERR_NOTFOUND);
    assert_int_equal(te_fs_chown_names(path, NULL, "no-such-group-te"), TE_ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_atomic_replaces_content_and_sets_mode, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_write_atomic_into_missing_dir_fails_and_leaves_nothing, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_mkdir_p_creates_parents_and_accepts_existing, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_mkdir_p_over_a_file_fails, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_read_file_enforces_the_cap_and_reports_missing, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_chown_unknown_user_is_not_found, make_tmpdir, remove_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
