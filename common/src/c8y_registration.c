/* c8y_registration: entity registrations (mapper-c8y.md §3.1-§3.2), twin
 * data (§3.3) and the release of what waited for an entity: its held
 * registration children and its buffered data, replayed in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/c8y_internal.h"
#include "tedge/log.h"

static te_err_t reg_error(te_out_t *out, te_err_t rc, const char *fmt, const char *a, const char *b)
{
    te_out_errorf(out, fmt, a, b);
    return rc;
}

/* Derives or checks the external id (§3.1). */
static te_err_t external_id(te_c8y_t *st, const char *tid, const json_t *at_id, char *xid, size_t len,
                            te_out_t *out)
{
    if (at_id) {
        if (!json_is_string(at_id))
            return reg_error(out, TE_ERR_PARSE, "Invalid external ID of %s: `@id` must be a string%s", tid, "");
        const char *v = json_string_value(at_id);
        const char *bad = strpbrk(v, "/+#");
        if (bad) {
            char c[2] = {*bad, 0};
            return reg_error(out, TE_ERR_PARSE, "Invalid external ID: %s contains invalid character: %s", v, c);
        }
        if (!v[0] || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || strlen(v) >= len)
            return reg_error(out, TE_ERR_PARSE, "Invalid external ID: '%s' (of %s)", v, tid);
        snprintf(xid, len, "%s", v);
        return TE_OK;
    }
    char tmp[TE_TOPIC_ID_MAX];
    snprintf(tmp, sizeof tmp, "%s", tid);
    size_t n = strlen(tmp);
    while (n && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    for (char *p = tmp; *p; p++)
        if (*p == '/')
            *p = ':';
    int w = snprintf(xid, len, "%s:%s", st->cfg.device_id, tmp);
    if (w < 0 || (size_t)w >= len)
        return reg_error(out, TE_ERR_RANGE, "External ID of %s is too long%s", tid, "");
    return TE_OK;
}

static bool is_twin_key(const char *key)
{
    return key[0] != '@';
}

/* A re-registration may repeat or omit twin keys but not add or change one:
 * thin-edge.io merges it into the current twin data and refuses the update
 * when the merge changes anything (c8y_mapper_ext entity_cache.rs insert). */
static bool changes_twin(const te_c8y_entity_t *e, const json_t *reg)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)reg, key, v)
        if (is_twin_key(key) && !json_equal(v, json_object_get(e->twin, key)))
            return true;
    return false;
}

static te_err_t inventory_update(te_c8y_t *st, te_c8y_entity_t *e, const char *key, const json_t *value,
                                 te_out_t *out)
{
    const char *c8y_key = key;
    if (strcmp(key, "agent") == 0)
        c8y_key = "c8y_Agent";
    else if (strcmp(key, "firmware") == 0)
        c8y_key = "c8y_Firmware";
    else if (e->type == TE_C8Y_SERVICE && strcmp(key, "type") == 0)
        c8y_key = "serviceType";
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    te_c8y_buf_raw(&b, "{", 1);
    te_c8y_json_cstring(&b, c8y_key);
    te_c8y_buf_raw(&b, ":", 1);
    if (value) {
        if (te_c8y_json_value(&b, value) != TE_OK)
            b.overflow = true;
    } else {
        te_c8y_buf_str(&b, "null");
    }
    te_c8y_buf_raw(&b, "}", 1);
    char suffix[TE_C8Y_XID_MAX + 64];
    snprintf(suffix, sizeof suffix, "inventory/managedObjects/update/%s", e->xid);
    char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
    c8y_topic(st, suffix, topic, sizeof topic);
    return c8y_emit_checked(st, out, topic, &b, NULL);
}

te_err_t c8y_twin(te_c8y_t *st, te_c8y_entity_t *e, const char *key, const te_msg_t *msg, te_out_t *out)
{
    if (!key[0] || key[0] == '@') {
        te_out_errorf(out, "Failed to convert a message on topic '%s': Invalid twin key '%s'", msg->topic, key);
        return TE_ERR_PARSE;
    }
    if (msg->len == 0) {
        if (!json_object_get(e->twin, key))
            return TE_OK;
        json_object_del(e->twin, key);
        return inventory_update(st, e, key, NULL, out);
    }
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc;
    json_t *v = te_tejson_load(msg->payload, msg->len, &rc, err, sizeof err);
    if (!v) {
        /* serde_json's wording for a payload that is not a JSON value at all
         * (inventory.rs unquoted_string_value_invalid expects "expected value") */
        const char *at = strstr(err, " at line ");
        if (strncmp(err, "Invalid JSON: invalid token", 27) == 0 && at)
            te_out_errorf(out, "Failed to convert a message on topic '%s': expected value%s", msg->topic, at);
        else
            te_out_errorf(out, "Failed to convert a message on topic '%s': %s", msg->topic, err);
        return rc;
    }
    if (json_equal(v, json_object_get(e->twin, key))) {
        json_decref(v);
        return TE_OK;
    }
    rc = inventory_update(st, e, key, v, out);
    if (rc == TE_OK)
        json_object_set_new(e->twin, key, v);
    else
        json_decref(v);
    return rc;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Creation message (101/102), twin fragments, availability (§3.2, §4.7). */
static te_err_t announce(te_c8y_t *st, te_c8y_entity_t *e, te_out_t *out)
{
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    const char *name = c8y_twin_string(e, "name");
    const char *type = c8y_twin_string(e, "type");
    if (e->type == TE_C8Y_CHILD_DEVICE) {
        te_c8y_buf_str(&b, "101");
        te_c8y_csv_field(&b, e->xid);
        te_c8y_csv_field(&b, name ? name : e->xid);
        te_c8y_csv_field(&b, type ? type : "thin-edge.io-child");
        te_c8y_csv_field(&b, st->cfg.device_marker ? "true" : "false");
    } else {
        char svc[TE_TOPIC_ID_MAX];
        if (!name && te_topic_id_service_name(e->id, svc, sizeof svc) == TE_OK)
            name = svc;
        te_c8y_buf_str(&b, "102");
        te_c8y_csv_field(&b, e->xid);
        te_c8y_csv_field(&b, type && type[0] ? type : st->cfg.service_type);
        te_c8y_csv_field(&b, name ? name : e->xid);
        te_c8y_csv_field(&b, "up");
    }
    char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
    c8y_parent_smartrest_topic(st, e, topic, sizeof topic);
    te_err_t rc = c8y_emit_checked(st, out, topic, &b, NULL);
    /* one update per twin key, in the sorted order of thin-edge.io's
     * serde_json map (converter.rs try_convert_entity_registration) */
    size_t nkeys = json_object_size(e->twin), k = 0;
    const char **keys = nkeys ? malloc(nkeys * sizeof *keys) : NULL;
    if (nkeys && !keys)
        return TE_ERR_NOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(e->twin, key, v)
        if (strcmp(key, "name") != 0 && strcmp(key, "type") != 0)
            keys[k++] = key;
    if (k)
        qsort(keys, k, sizeof *keys, cmp_key);
    for (size_t i = 0; rc == TE_OK && i < k; i++)
        rc = inventory_update(st, e, keys[i], json_object_get(e->twin, keys[i]), out);
    free(keys);
    if (rc == TE_OK && e->type == TE_C8Y_CHILD_DEVICE && st->cfg.availability) {
        char line[64];
        int n = snprintf(line, sizeof line, "117,%lld", (long long)(st->cfg.availability_interval_s / 60));
        c8y_smartrest_topic(st, e, topic, sizeof topic);
        rc = c8y_emit(st, out, topic, line, (size_t)n);
    }
    return rc;
}

/* A main-device registration may name the service whose health drives the
 * availability heartbeat (§4.7; thin-edge.io availability/tests.rs
 * main_device_sends_heartbeat_based_on_custom_endpoint). */
static void main_health(te_c8y_t *st, const json_t *reg)
{
    te_c8y_entity_t *main_dev = te_c8y_entity_find(&st->store, C8Y_MAIN_ID);
    const char *h = json_string_value(json_object_get(reg, "@health"));
    char err[TE_TEJSON_ERR_MAX];
    if (!h)
        main_dev->health[0] = '\0';
    else if (te_topic_id_normalize(h, main_dev->health, sizeof main_dev->health, err, sizeof err) != TE_OK)
        main_dev->health[0] = '\0';
}

/* Applies one registration. *applied says whether tid is now registered
 * (fresh: false for duplicates, updates, held or rejected messages). */
static te_err_t apply_registration(te_c8y_t *st, const char *tid, const te_msg_t *msg, te_out_t *out,
                                   bool *fresh)
{
    *fresh = false;
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc;
    json_t *reg = te_tejson_load(msg->payload, msg->len, &rc, err, sizeof err);
    if (!reg)
        return reg_error(out, rc, "Invalid entity registration message for %s: %s", tid, err);
    const char *etype = json_string_value(json_object_get(reg, "@type"));
    te_c8y_etype_t kind;
    if (!json_is_object(reg) || !etype) {
        rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: %s", tid,
                       json_is_object(reg) ? "missing or non-string field `@type`" : "not a JSON object");
        goto done;
    }
    if (strcmp(etype, "child-device") == 0) {
        kind = TE_C8Y_CHILD_DEVICE;
    } else if (strcmp(etype, "service") == 0) {
        kind = TE_C8Y_SERVICE;
    } else if (strcmp(etype, "device") == 0 && strcmp(tid, C8Y_MAIN_ID) == 0) {
        kind = TE_C8Y_MAIN_DEVICE;
    } else {
        rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: unsupported @type '%s'",
                       tid, etype);
        goto done;
    }
    if (strcmp(tid, C8Y_MAIN_ID) == 0) {
        if (kind != TE_C8Y_MAIN_DEVICE)
            rc = reg_error(out, TE_ERR_PARSE, "Updating the entity type of %s is not supported%s", tid, "");
        else if (json_object_get(reg, "@parent"))
            rc = reg_error(out, TE_ERR_PARSE, "Updating the parent of the main device is not supported%s%s", "", "");
        else
            main_health(st, reg);
        goto done; /* the main device is created by `tedge connect` */
    }
    char xid[TE_C8Y_XID_MAX];
    if ((rc = external_id(st, tid, json_object_get(reg, "@id"), xid, sizeof xid, out)) != TE_OK)
        goto done;
    char parent[TE_TOPIC_ID_MAX], health[TE_TOPIC_ID_MAX] = "";
    const json_t *jparent = json_object_get(reg, "@parent");
    if (jparent) {
        if (!json_is_string(jparent) ||
            te_topic_id_normalize(json_string_value(jparent), parent, sizeof parent, err, sizeof err) != TE_OK) {
            rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: bad `@parent`: %s", tid,
                           json_is_string(jparent) ? err : "not a string");
            goto done;
        }
    } else if (te_topic_id_default_parent(tid, kind == TE_C8Y_SERVICE, C8Y_MAIN_ID, parent, sizeof parent) != TE_OK) {
        rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: %s", tid, "no parent");
        goto done;
    }
    const json_t *jhealth = json_object_get(reg, "@health");
    if (jhealth && (!json_is_string(jhealth) ||
                    te_topic_id_normalize(json_string_value(jhealth), health, sizeof health, err, sizeof err) != TE_OK)) {
        rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: bad `@health`: %s", tid,
                       json_is_string(jhealth) ? err : "not a string");
        goto done;
    }
    if (strcmp(parent, tid) == 0 || te_c8y_entity_descends(&st->store, parent, tid)) {
        rc = reg_error(out, TE_ERR_PARSE, "Invalid entity registration message for %s: its parent %s "
                       "descends from it (registration loop)", tid, parent);
        goto done;
    }
    te_c8y_entity_t *e = te_c8y_entity_find(&st->store, tid);
    if (e) {
        if (e->reg && json_equal(e->reg, reg))
            goto done;
        if (e->type != kind)
            rc = reg_error(out, TE_ERR_PARSE, "Updating the entity type of %s is not supported%s", tid, "");
        else if (strcmp(e->xid, xid) != 0)
            rc = reg_error(out, TE_ERR_PARSE, "Updating the external id of %s is not supported%s", tid, "");
        else if (changes_twin(e, reg))
            rc = reg_error(out, TE_ERR_PARSE,
                           "Updating the twin data of %s with a registration message is not supported%s", tid, "");
        if (rc != TE_OK)
            goto done;
        if (strcmp(e->parent, parent) != 0)
            te_log_warn("%s moved from %s to %s: the Cumulocity hierarchy is not updated", tid, e->parent, parent);
        snprintf(e->parent, sizeof e->parent, "%s", parent);
        snprintf(e->health, sizeof e->health, "%s", health);
        json_decref(e->reg);
        e->reg = json_incref(reg);
        goto done;
    }
    te_c8y_entity_t *pe = te_c8y_entity_find(&st->store, parent);
    if (!pe) {
        unsigned long dropped = 0;
        rc = te_c8y_pending_hold_reg(&st->store, tid, parent, msg->topic, msg->payload, msg->len, &dropped);
        if (rc != TE_OK)
            rc = reg_error(out, rc, "Registration of %s dropped: too many messages held for unregistered "
                           "entities (parent %s unknown)", tid, parent);
        else
            te_log_info("registration of %s held until its parent %s registers", tid, parent);
        goto done;
    }
    int depth = 0;
    for (const te_c8y_entity_t *a = pe; a && a->parent[0]; a = te_c8y_entity_find(&st->store, a->parent))
        if (++depth >= TE_C8Y_MAX_DEPTH) {
            rc = reg_error(out, TE_ERR_RANGE, "Registration of %s refused: nested deeper than %s levels", tid,
                           "64");
            goto done;
        }
    if (!(e = te_c8y_entity_new())) {
        rc = TE_ERR_NOMEM;
        goto done;
    }
    snprintf(e->id, sizeof e->id, "%s", tid);
    snprintf(e->xid, sizeof e->xid, "%s", xid);
    snprintf(e->parent, sizeof e->parent, "%s", parent);
    snprintf(e->health, sizeof e->health, "%s", health);
    e->type = kind;
    e->reg = json_incref(reg);
    const char *key;
    json_t *v;
    json_object_foreach(reg, key, v)
        if (is_twin_key(key))
            json_object_set(e->twin, key, v);
    if (te_c8y_entity_add(&st->store, e) != TE_OK) {
        te_c8y_entity_free(e);
        rc = reg_error(out, TE_ERR_FULL, "Registration of %s refused: the mapper already knows %s entities", tid,
                       "the maximum number of");
        goto done;
    }
    rc = announce(st, e, out);
    *fresh = true;
done:
    json_decref(reg);
    return rc;
}

static bool is_telemetry(te_channel_kind_t kind)
{
    return kind == TE_CH_MEASUREMENT || kind == TE_CH_EVENT || kind == TE_CH_ALARM || kind == TE_CH_HEALTH;
}

/* Replays the buffered data of a now registered entity: first what
 * thin-edge.io's converter itself applies on registration (twin, capabilities,
 * units), then the telemetry its flows had held back, each in arrival order
 * (converter.rs test early_messages_cached_and_processed_only_after_registration:
 * the twin update comes before the cached measurements). */
static void replay(te_c8y_t *st, te_c8y_pending_t *p, te_out_t *out)
{
    te_c8y_entity_t *e = te_c8y_entity_find(&st->store, p->id);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; e && i < p->count; i++) {
            const te_c8y_held_t *h = te_c8y_pending_at(p, i);
            te_topic_t t;
            if (te_topic_parse(st->cfg.root, h->topic, strlen(h->topic), &t) != TE_OK)
                continue;
            if (is_telemetry(t.kind) != (pass == 1))
                continue;
            te_msg_t m = {.topic = h->topic, .payload = h->payload, .len = h->len, .qos = 1, .retain = h->retain};
            (void)c8y_dispatch_data(st, e, &t, &m, out);
        }
    }
    if (p->dropped)
        te_log_warn("%lu early messages of %s were dropped (buffer of %d)", p->dropped, p->id,
                    TE_C8Y_PENDING_PER_ENTITY);
}

/* Releases everything that waited for tid: breadth first, iteratively (a
 * long chain of held children must not deepen the C stack). */
static void release(te_c8y_t *st, const char *tid, te_out_t *out)
{
    te_c8y_pending_t *head = NULL, *tail = NULL;
    te_c8y_pending_t *own = te_c8y_pending_find(&st->store, tid);
    if (own)
        te_c8y_pending_detach(&st->store, own);
    else if (!(own = calloc(1, sizeof *own)))
        return;
    snprintf(own->id, sizeof own->id, "%s", tid);
    head = tail = own;
    while (head) {
        te_c8y_pending_t *p = head;
        head = p->next;
        if (!head)
            tail = NULL;
        replay(st, p, out);
        te_c8y_pending_t *child;
        while ((child = te_c8y_pending_waiting_for(&st->store, p->id)) != NULL) {
            te_c8y_pending_detach(&st->store, child);
            te_msg_t m = {.topic = child->reg.topic, .payload = child->reg.payload, .len = child->reg.len,
                          .qos = 1, .retain = true};
            bool fresh = false;
            (void)apply_registration(st, child->id, &m, out, &fresh);
            if (!fresh) {
                te_c8y_pending_free(child);
                continue;
            }
            child->next = NULL;
            if (tail)
                tail->next = child;
            else
                head = child;
            tail = child;
        }
        te_c8y_pending_free(p);
    }
}

te_err_t c8y_registration(te_c8y_t *st, const char *tid, const te_msg_t *msg, te_out_t *out)
{
    if (msg->len == 0) {
        if (strcmp(tid, C8Y_MAIN_ID) == 0)
            return TE_OK;
        size_t n = te_c8y_entity_remove_tree(&st->store, tid);
        te_c8y_pending_t *p = te_c8y_pending_find(&st->store, tid);
        if (p) {
            te_c8y_pending_detach(&st->store, p);
            te_c8y_pending_free(p);
        }
        if (n)
            te_log_info("%s deregistered (%zu entities removed from the cache)", tid, n);
        return TE_OK;
    }
    bool fresh = false;
    te_err_t rc = apply_registration(st, tid, msg, out, &fresh);
    if (fresh)
        release(st, tid, out);
    return rc;
}
