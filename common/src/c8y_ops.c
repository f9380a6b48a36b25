/* c8y_ops: capabilities -> supported operations (mapper-c8y.md §5): the
 * operation files under <config-dir>/operations/c8y[/<xid>]/, the 114 line
 * when a device's set changes, 118/119 type lists, the sync signal (§4.6). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tedge/c8y_internal.h"
#include "tedge/fsutil.h"
#include "tedge/log.h"
#include "tedge/toml.h"

/* Operation files read per directory; more are ignored with a warning. */
#define OPS_MAX_FILES 1024
#define TYPES_MAX 1024

static bool valid_op_name(const char *name)
{
    if (!name[0])
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool c8y_ops_read(const char *dir, te_c8y_buf_t *b)
{
    te_c8y_buf_reset(b);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    char **names = malloc(OPS_MAX_FILES * sizeof *names);
    size_t n = 0;
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !valid_op_name(de->d_name))
            continue; /* also drops "X.template" and invalid names */
        char path[TE_C8Y_PATH_MAX + 300];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)))
            continue;
        if (n == OPS_MAX_FILES) {
            te_log_warn("%s: more than %d operation files, the rest ignored", dir, OPS_MAX_FILES);
            break;
        }
        if (!(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    te_c8y_buf_str(b, "114");
    for (size_t i = 0; i < n; i++) {
        te_c8y_csv_field(b, names[i]);
        free(names[i]);
    }
    free(names);
    return true;
}

void c8y_ops_entity_dir(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len)
{
    if (e->type == TE_C8Y_MAIN_DEVICE)
        snprintf(buf, len, "%s", st->ops_dir);
    else
        snprintf(buf, len, "%s/%s", st->ops_dir, e->xid);
}

/* Re-reads e's operation set; sends 114 when it differs from the last one. */
static te_err_t refresh_ops(te_c8y_t *st, te_c8y_entity_t *e, te_out_t *out)
{
    char dir[TE_C8Y_PATH_MAX + TE_C8Y_XID_MAX];
    c8y_ops_entity_dir(st, e, dir, sizeof dir);
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    if (!c8y_ops_read(dir, &b))
        te_c8y_buf_str(&b, "114");
    if (e->ops && strcmp(e->ops, b.data) == 0)
        return TE_OK;
    char *copy = strdup(b.data);
    if (!copy)
        return TE_ERR_NOMEM;
    free(e->ops);
    e->ops = copy;
    char topic[TE_TOPIC_MAX];
    c8y_smartrest_topic(st, e, topic, sizeof topic);
    return c8y_emit(st, out, topic, b.data, b.len);
}

void te_c8y_reload_main_ops(te_c8y_t *st, te_out_t *out)
{
    te_c8y_entity_t *main_dev = te_c8y_entity_find(&st->store, C8Y_MAIN_ID);
    if (main_dev && refresh_ops(st, main_dev, out) != TE_OK)
        te_log_warn("cannot report the main device's operations");
}

void c8y_ops_sync(te_c8y_t *st, te_out_t *out)
{
    for (te_c8y_entity_t *e = st->store.first; e; e = e->lnext) {
        char dir[TE_C8Y_PATH_MAX + TE_C8Y_XID_MAX];
        c8y_ops_entity_dir(st, e, dir, sizeof dir);
        te_c8y_buf_t b;
        te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
        if (!c8y_ops_read(dir, &b))
            continue;
        char topic[TE_TOPIC_MAX];
        c8y_smartrest_topic(st, e, topic, sizeof topic);
        if (c8y_emit(st, out, topic, b.data, b.len) != TE_OK)
            return;
        char *copy = strdup(b.data);
        if (copy) {
            free(e->ops);
            e->ops = copy;
        }
    }
}

typedef struct op_map {
    const char *te_op;
    const char *c8y_op;   /* NULL: no c8y operation */
    const char *types_code; /* "118"/"119" or NULL */
    size_t enable_offset; /* offsetof the c8y.enable flag, or SIZE_MAX */
} op_map_t;

#define EN(f) offsetof(te_c8y_config_t, f)
static const op_map_t op_table[] = {
    {"restart", "c8y_Restart", NULL, EN(enable_device_restart)},
    {"software_update", "c8y_SoftwareUpdate", NULL, EN(enable_software_update)},
    {"software_list", NULL, NULL, (size_t)-1},
    {"log_upload", "c8y_LogfileRequest", "118", EN(enable_log_upload)},
    /* quirk (§5): config_snapshot registers even when disabled */
    {"config_snapshot", "c8y_UploadConfigFile", "119", (size_t)-1},
    {"config_update", "c8y_DownloadConfigFile", "119", EN(enable_config_update)},
    {"firmware_update", "c8y_Firmware", NULL, EN(enable_firmware_update)},
    {"device_profile", "c8y_DeviceProfile", NULL, EN(enable_device_profile)},
};

static te_err_t bad_capability(te_out_t *out, const te_msg_t *msg, const char *why)
{
    te_out_errorf(out, "Failed to convert a message on topic '%s': %s", msg->topic, why);
    return TE_ERR_PARSE;
}

/* Checks that v["types"] is an array of strings; returns their count or -1. */
static long types_count(const json_t *v)
{
    const json_t *types = json_object_get(v, "types");
    if (!json_is_array(types))
        return -1;
    for (size_t i = 0; i < json_array_size(types); i++)
        if (!json_is_string(json_array_get(types, i)))
            return -1;
    return (long)json_array_size(types);
}

static te_err_t write_types(te_c8y_t *st, te_c8y_entity_t *e, const char *code, const json_t *v, te_out_t *out)
{
    const json_t *types = json_object_get(v, "types");
    size_t n = json_array_size(types);
    if (n > TYPES_MAX)
        n = TYPES_MAX;
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return TE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_string_value(json_array_get(types, i));
    qsort(sorted, n, sizeof *sorted, cmp_str);
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    /* "<code>,<types joined by ','>": an empty list still has the comma
     * (thin-edge.io operations/convert.rs: format!("118,{}", types.join(","))) */
    te_c8y_buf_str(&b, code);
    te_c8y_buf_raw(&b, ",", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            te_c8y_buf_raw(&b, ",", 1);
        te_c8y_buf_str(&b, sorted[i]);
    }
    free(sorted);
    char topic[TE_TOPIC_MAX];
    c8y_smartrest_topic(st, e, topic, sizeof topic);
    return c8y_emit_checked(st, out, topic, &b, NULL);
}

static te_err_t request_software_list(te_c8y_t *st, te_c8y_entity_t *e, te_out_t *out)
{
    te_time_t now = c8y_now(st);
    char when[TE_TIME_STR_MAX];
    if (te_time_format_rfc3339_utc(&now, 9, when, sizeof when) != TE_OK)
        return TE_ERR_RANGE;
    for (char *p = when; *p; p++)
        if (*p == ':')
            *p = '-';
    char cmd_id[TE_TOPIC_NAME_MAX];
    snprintf(cmd_id, sizeof cmd_id, "%s-mapper-%s", st->cfg.prefix, when);
    char topic[TE_TOPIC_MAX];
    if (te_topic_build_for(st->cfg.root, e->id, TE_CH_COMMAND, "software_list", cmd_id, topic, sizeof topic) != TE_OK)
        return TE_ERR_INVAL;
    static const char init[] = "{\"status\":\"init\"}";
    te_err_t rc = te_out_add(out, topic, init, sizeof init - 1, 1, true);
    if (rc != TE_OK)
        te_out_errorf(out, "cannot queue the software list request: %s", te_strerror(rc));
    return rc;
}

static te_err_t supported_types(te_c8y_t *st, te_c8y_entity_t *e, const json_t *v, te_out_t *out)
{
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    te_c8y_buf_str(&b, "{\"c8y_SupportedSoftwareTypes\":");
    if (te_c8y_json_value(&b, json_object_get(v, "types")) != TE_OK)
        b.overflow = true;
    te_c8y_buf_raw(&b, "}", 1);
    char suffix[TE_C8Y_XID_MAX + 64];
    snprintf(suffix, sizeof suffix, "inventory/managedObjects/update/%s", e->xid);
    char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
    c8y_topic(st, suffix, topic, sizeof topic);
    return c8y_emit_checked(st, out, topic, &b, NULL);
}

/* The operation name of the custom operation template whose
 * exec.workflow.operation is op (§5: "<cfg>/operations/c8y/<name>.template"),
 * written into name; false when there is none. */
static bool find_template(const te_c8y_t *st, const char *op, char *name, size_t len)
{
    DIR *d = opendir(st->ops_dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= 9 || strcmp(de->d_name + n - 9, ".template") != 0 || n - 9 >= len)
            continue;
        char path[sizeof st->ops_dir + 260];
        snprintf(path, sizeof path, "%s/%s", st->ops_dir, de->d_name);
        te_toml_t *root = NULL;
        char err[256];
        if (te_toml_parse_file(path, &root, err, sizeof err) != TE_OK) {
            te_log_warn("operation template skipped: %s", err);
            continue;
        }
        const char *wf_op = te_toml_str(te_toml_get_path(root, "exec.workflow.operation"));
        if (wf_op && strcmp(wf_op, op) == 0) {
            memcpy(name, de->d_name, n - 9);
            name[n - 9] = '\0';
            found = valid_op_name(name);
        }
        te_toml_free(root);
    }
    closedir(d);
    return found;
}

/* Creates the operation file of c8y_op in dir: an empty file, or for a custom
 * operation a symlink to its template (thin-edge.io test
 * mapper_converts_custom_operation_for_main_device checks is_symlink). */
static void create_op_file(const te_c8y_t *st, const char *dir, const char *c8y_op, bool custom)
{
    char path[TE_C8Y_PATH_MAX + TE_C8Y_XID_MAX + TE_TOPIC_NAME_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, c8y_op);
    if (te_fs_mkdir_p(dir, 0755) != TE_OK) {
        te_log_error("cannot create %s: %s", dir, strerror(errno));
        return;
    }
    if (custom) {
        char target[sizeof st->ops_dir + TE_TOPIC_NAME_MAX + 16];
        snprintf(target, sizeof target, "%s/%s.template", st->ops_dir, c8y_op);
        if (symlink(target, path) != 0 && errno != EEXIST)
            te_log_error("cannot create %s: %s", path, strerror(errno));
        return;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        te_log_error("cannot create %s: %s", path, strerror(errno));
    else
        close(fd);
}

te_err_t c8y_capability(te_c8y_t *st, te_c8y_entity_t *e, const char *op, const te_msg_t *msg, te_out_t *out)
{
    if (msg->len == 0) {
        te_log_warn("ignoring the empty capability message on %s (withdrawing is not supported)", msg->topic);
        return TE_OK;
    }
    const op_map_t *map = NULL;
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (strcmp(op_table[i].te_op, op) == 0)
            map = &op_table[i];
    char custom_name[TE_TOPIC_NAME_MAX];
    const char *c8y_op;
    if (!map) {
        if (!find_template(st, op, custom_name, sizeof custom_name)) {
            te_log_warn("capability %s on %s: no operation template for it, registration skipped", op, msg->topic);
            return TE_OK;
        }
        c8y_op = custom_name;
    } else {
        if (map->enable_offset != (size_t)-1 && !*(const bool *)((const char *)&st->cfg + map->enable_offset)) {
            te_log_warn("capability %s of %s ignored: c8y.enable for it is false", op, e->id);
            return TE_OK;
        }
        if (!map->c8y_op && !st->cfg.with_types)
            return TE_OK; /* software_list: nothing to publish */
        c8y_op = map->c8y_op;
    }
    /* Only the type lists are read: thin-edge.io registers restart,
     * software_update, firmware_update, device_profile and custom operations
     * whatever the payload says. */
    json_t *v = NULL;
    if (map && (map->types_code || !map->c8y_op)) {
        char err[TE_TEJSON_ERR_MAX];
        te_err_t rc;
        if (!(v = te_tejson_load(msg->payload, msg->len, &rc, err, sizeof err))) {
            (void)bad_capability(out, msg, err);
            return rc;
        }
        if (!json_is_object(v)) {
            json_decref(v);
            return bad_capability(out, msg, "invalid type: expected a JSON object");
        }
        if (types_count(v) < 0) {
            json_decref(v);
            return bad_capability(out, msg, "missing field `types` (expected an array of strings)");
        }
        if (!map->c8y_op) {
            rc = supported_types(st, e, v, out);
            json_decref(v);
            return rc;
        }
    }
    char dir[TE_C8Y_PATH_MAX + TE_C8Y_XID_MAX];
    c8y_ops_entity_dir(st, e, dir, sizeof dir);
    if (!e->ops) {
        /* the set before this message: what the files said (start-up load) */
        te_c8y_buf_t b;
        te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
        if (!c8y_ops_read(dir, &b))
            te_c8y_buf_str(&b, "114");
        e->ops = strdup(b.data);
    }
    create_op_file(st, dir, c8y_op, !map);
    te_err_t rc = refresh_ops(st, e, out);
    if (rc == TE_OK && map && map->types_code)
        rc = write_types(st, e, map->types_code, v, out);
    if (rc == TE_OK && strcmp(op, "software_update") == 0)
        rc = request_software_list(st, e, out);
    json_decref(v);
    return rc;
}
