/* c8y_alarm_sync: the alarm journal and the start-up alarm sync of the c8y
 * converter (mapper-c8y.md §4.4, §11).
 *
 * Journal: every converted alarm is also published, retained, on
 * c8y-internal/alarms/<input topic> with the input payload (a `time` member
 * added when the input had none; empty for a clear), so it survives a
 * restart as broker state.
 *
 * Sync: from te_c8y_alarm_sync_begin until the deadline (checked by
 * te_c8y_tick), alarm messages and journal entries are only collected, the
 * last message per alarm topic counting. Then, per alarm topic: a journal
 * entry with no live alarm -> the alarm is cleared (306 and the journal entry
 * cleared, through the normal conversion of an empty payload); a live alarm
 * whose journal entry is the same alarm -> nothing; any other live alarm ->
 * converted normally. "The same": identical bytes, or equal JSON objects once
 * the `time` the journal added is left out when the live alarm has none (the
 * journal stamps a time the retained input cannot have).
 *
 * Bounds: at most TE_C8Y_SYNC_MAX_ALARMS topics and TE_C8Y_SYNC_MAX_BYTES
 * of payloads are collected; past that a live alarm is converted at once and
 * a journal entry is ignored (logged). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/c8y_internal.h"
#include "tedge/log.h"

#define SYNC_BUCKETS 1024
#define JOURNAL_PREFIX "c8y-internal/alarms/"

typedef struct sync_entry {
    char *topic;                 /* the te/ alarm topic */
    char *live, *journal;        /* last payloads seen, NULL if none */
    size_t live_len, journal_len;
    struct sync_entry *hnext, *next;
} sync_entry_t;

struct c8y_alarm_sync {
    uint64_t until_ms;
    sync_entry_t *buckets[SYNC_BUCKETS];
    sync_entry_t *first, *last;  /* first-seen order */
    size_t count, bytes;
};

static size_t hash_topic(const char *s)
{
    size_t h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % SYNC_BUCKETS;
}

static void sync_free(c8y_alarm_sync_t *sy)
{
    if (!sy)
        return;
    sync_entry_t *e = sy->first;
    while (e) {
        sync_entry_t *n = e->next;
        free(e->topic);
        free(e->live);
        free(e->journal);
        free(e);
        e = n;
    }
    free(sy);
}

void c8y_alarm_sync_free(te_c8y_t *st)
{
    sync_free(st->alarm_sync);
    st->alarm_sync = NULL;
}

te_err_t te_c8y_alarm_sync_begin(te_c8y_t *st, uint64_t until_ms)
{
    c8y_alarm_sync_free(st);
    st->alarm_sync = calloc(1, sizeof *st->alarm_sync);
    if (!st->alarm_sync)
        return TE_ERR_NOMEM;
    st->alarm_sync->until_ms = until_ms;
    return TE_OK;
}

bool te_c8y_alarm_syncing(const te_c8y_t *st)
{
    return st->alarm_sync != NULL;
}

bool c8y_is_journal_topic(const char *topic)
{
    return strncmp(topic, JOURNAL_PREFIX, sizeof JOURNAL_PREFIX - 1) == 0;
}

static sync_entry_t *entry_get(c8y_alarm_sync_t *sy, const char *topic, bool create)
{
    size_t h = hash_topic(topic);
    for (sync_entry_t *e = sy->buckets[h]; e; e = e->hnext)
        if (strcmp(e->topic, topic) == 0)
            return e;
    if (!create || sy->count >= TE_C8Y_SYNC_MAX_ALARMS)
        return NULL;
    sync_entry_t *e = calloc(1, sizeof *e);
    if (!e || !(e->topic = strdup(topic))) {
        free(e);
        return NULL;
    }
    e->hnext = sy->buckets[h];
    sy->buckets[h] = e;
    if (sy->last)
        sy->last->next = e;
    else
        sy->first = e;
    sy->last = e;
    sy->count++;
    sy->bytes += strlen(topic);
    return e;
}

/* Replaces *slot by a copy of payload[0..len) (NULL payload: none). */
static bool keep(c8y_alarm_sync_t *sy, char **slot, size_t *slot_len, const void *payload, size_t len)
{
    if (payload && sy->bytes - (*slot ? *slot_len : 0) + len > TE_C8Y_SYNC_MAX_BYTES)
        return false;
    char *copy = NULL;
    if (payload) {
        if (!(copy = malloc(len + 1)))
            return false;
        memcpy(copy, payload, len);
        copy[len] = '\0';
    }
    if (*slot)
        sy->bytes -= *slot_len;
    free(*slot);
    *slot = copy;
    *slot_len = payload ? len : 0;
    sy->bytes += *slot_len;
    return true;
}

bool c8y_alarm_sync_collect(te_c8y_t *st, const te_msg_t *msg)
{
    c8y_alarm_sync_t *sy = st->alarm_sync;
    if (!sy)
        return false;
    bool journal = c8y_is_journal_topic(msg->topic);
    const char *topic = journal ? msg->topic + sizeof JOURNAL_PREFIX - 1 : msg->topic;
    sync_entry_t *e = entry_get(sy, topic, true);
    bool ok;
    if (!e)
        ok = false;
    else if (journal) /* an empty journal message removes the entry */
        ok = keep(sy, &e->journal, &e->journal_len, msg->len ? msg->payload : NULL, msg->len);
    else
        ok = keep(sy, &e->live, &e->live_len, msg->payload, msg->len);
    if (!ok && journal)
        te_log_warn("alarm sync: journal entry %s ignored (at most %d alarms, %d bytes collected)", msg->topic,
                    TE_C8Y_SYNC_MAX_ALARMS, TE_C8Y_SYNC_MAX_BYTES);
    return ok || journal;
}

/* True when the live alarm is the one the journal recorded. */
static bool same_alarm(const sync_entry_t *e)
{
    if (e->live_len == e->journal_len && memcmp(e->live, e->journal, e->live_len) == 0)
        return true;
    json_t *live = json_loadb(e->live, e->live_len, 0, NULL);
    json_t *journal = json_loadb(e->journal, e->journal_len, 0, NULL);
    bool same = false;
    if (json_is_object(live) && json_is_object(journal)) {
        json_t *t = json_object_get(live, "time");
        if (!t || json_is_null(t)) {
            json_object_del(live, "time");
            json_object_del(journal, "time");
        }
        same = json_equal(live, journal);
    }
    json_decref(live);
    json_decref(journal);
    return same;
}

/* Converts msg as if no sync were running; the error, if any, is logged. */
static void convert_now(te_c8y_t *st, const te_msg_t *msg, te_out_t *out)
{
    if (te_c8y_convert(st, msg, out) != TE_OK)
        te_log_warn("alarm sync: %s: %s", msg->topic, out->error[0] ? out->error : "not converted");
}

/* The journal says the alarm is raised but it is not any more: clear it. */
static void clear_stale(te_c8y_t *st, const char *topic, te_out_t *out)
{
    te_topic_t t;
    if (te_topic_parse(st->cfg.root, topic, strlen(topic), &t) != TE_OK || t.kind != TE_CH_ALARM) {
        te_log_warn("alarm sync: journal entry for %s ignored: not an alarm topic under %s/", topic, st->cfg.root);
        return;
    }
    te_msg_t m = {.topic = topic, .payload = "", .len = 0, .qos = 1, .retain = true};
    if (te_c8y_entity_find(&st->store, t.entity_id)) {
        convert_now(st, &m, out);
        return;
    }
    /* not registered (yet): the clear waits with the entity's other data */
    unsigned long dropped = 0;
    if (te_c8y_pending_push(&st->store, t.entity_id, topic, "", 0, true, &dropped) != TE_OK)
        te_log_warn("alarm sync: clear of %s dropped: %s is not registered", topic, t.entity_id);
}

static void sync_finish(te_c8y_t *st, te_out_t *out)
{
    c8y_alarm_sync_t *sy = st->alarm_sync;
    if (!sy)
        return;
    st->alarm_sync = NULL; /* from here on alarms convert immediately */
    size_t cleared = 0, skipped = 0, converted = 0;
    for (sync_entry_t *e = sy->first; e; e = e->next) {
        if (e->journal && !e->live) {
            clear_stale(st, e->topic, out);
            cleared++;
        } else if (e->live && e->journal && same_alarm(e)) {
            skipped++;
        } else if (e->live) {
            te_msg_t m = {.topic = e->topic, .payload = e->live, .len = e->live_len, .qos = 1, .retain = true};
            convert_now(st, &m, out);
            converted++;
        }
    }
    te_log_info("alarm sync: %zu cleared, %zu already in the cloud, %zu converted", cleared, skipped, converted);
    sync_free(sy);
}

void c8y_alarm_sync_tick(te_c8y_t *st, uint64_t now_ms, te_out_t *out)
{
    if (st->alarm_sync && now_ms >= st->alarm_sync->until_ms)
        sync_finish(st, out);
}

te_err_t c8y_alarm_journal(te_c8y_t *st, const te_msg_t *msg, bool has_time, const char *when, te_out_t *out)
{
    char topic[TE_TOPIC_MAX + sizeof JOURNAL_PREFIX];
    int n = snprintf(topic, sizeof topic, JOURNAL_PREFIX "%s", msg->topic);
    if (n < 0 || (size_t)n >= sizeof topic)
        return TE_OK; /* te_topic_parse bounds input topics below this */
    const char *payload = msg->payload;
    size_t len = msg->len;
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    if (len && !has_time) {
        /* the input payload with "time":"<when>" added as its last member;
         * a "time":null is replaced (a rare case: re-written by jansson) */
        json_t *v = json_loadb(payload, len, 0, NULL);
        if (json_is_object(v) && json_object_get(v, "time")) {
            json_object_set_new(v, "time", json_string(when));
            if (te_c8y_json_value(&b, v) != TE_OK)
                te_c8y_buf_reset(&b); /* cannot happen: parsed JSON; keep the input */
        } else if (json_is_object(v)) {
            size_t end = len;
            while (end > 0 && payload[end - 1] != '}')
                end--;
            te_c8y_buf_raw(&b, payload, end ? end - 1 : 0);
            if (json_object_size(v))
                te_c8y_buf_raw(&b, ",", 1);
            te_c8y_buf_str(&b, "\"time\":");
            te_c8y_json_cstring(&b, when);
            te_c8y_buf_raw(&b, "}", 1);
        }
        json_decref(v);
        if (b.len && !b.overflow) {
            payload = b.data;
            len = b.len;
        }
    }
    te_err_t rc = te_out_add(out, topic, payload, len, 1, true);
    if (rc != TE_OK)
        te_out_errorf(out, "cannot queue a message on %s: %s", topic, te_strerror(rc));
    return rc;
}
