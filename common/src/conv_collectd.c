/* conv_collectd: collectd messages batched into grouped measurements,
 * following thin-edge.io's collectd_ext and batcher crates. */
#include "tedge/conv_collectd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/jsonw.h"
#include "tedge/log.h"
#include "tedge/text.h"

#define NS_PER_S 1000000000LL
/* Longest number text read (a longer one is reported as not a number). */
#define NUMBER_MAX 512
/* How much of a bad payload an error text quotes. */
#define QUOTE_MAX 200

typedef struct event {
    int64_t t_ns;
    double value;
    int32_t next;        /* next event of the batch (or of the free list), -1 */
    uint16_t group_len;
    uint16_t key_len;
    char name[TE_COLLECTD_NAME_MAX]; /* group bytes, then key bytes */
} event_t;

typedef struct batch {
    int64_t start_ns, end_ns;
    int32_t first, last; /* event chain in arrival order, -1 when empty */
} batch_t;

struct te_collectd {
    event_t events[TE_COLLECTD_MAX_EVENTS];
    int32_t free_head;
    batch_t batches[TE_COLLECTD_MAX_BATCHES]; /* in creation order */
    size_t nbatches;
    unsigned long dropped;
    int64_t window_ns, delay_ns;
    char payload[TE_COLLECTD_MAX_PAYLOAD];
};

/* ---- parsing ---- */

/* Rust's f64::from_str grammar (see the header). */
static bool rust_float_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t rest = n - i;
    static const char *const words[] = {"inf", "infinity", "nan"};
    for (size_t w = 0; w < 3; w++)
        if (rest == strlen(words[w]) && strncasecmp(s + i, words[w], rest) == 0)
            return true;
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, int_digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, frac_digits++;
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == n;
}

static bool parse_number(const char *s, size_t n, double *out)
{
    char text[NUMBER_MAX];
    if (n >= sizeof text || !rust_float_syntax(s, n))
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    *out = strtod(text, NULL);
    return true;
}

static void quote(char *dst, size_t size, const char *s, size_t n)
{
    if (n > QUOTE_MAX)
        snprintf(dst, size, "%.*s...", QUOTE_MAX, s);
    else
        snprintf(dst, size, "%.*s", (int)n, s);
}

te_err_t te_collectd_parse(const char *topic, const void *payload, size_t len,
                           te_collectd_msg_t *out, char *err, size_t errlen)
{
    char quoted[QUOTE_MAX + 8];
    const char *level[4];
    size_t level_len[4], count = 0;
    memset(out, 0, sizeof *out);
    for (const char *p = topic; count < 5; count++) {
        const char *slash = strchr(p, '/');
        if (count < 4) {
            level[count] = p;
            level_len[count] = slash ? (size_t)(slash - p) : strlen(p);
        }
        if (!slash) {
            count++;
            break;
        }
        p = slash + 1;
    }
    if (count != 4) {
        quote(quoted, sizeof quoted, topic, strlen(topic));
        snprintf(err, errlen,
                 "Message received on invalid collectd topic: %s. Collectd message topics must be in "
                 "the format collectd/<hostname>/<metric-plugin-name>/<metric-key>", quoted);
        return TE_ERR_PARSE;
    }
    out->group = level[2];
    out->group_len = level_len[2];
    out->key = level[3];
    out->key_len = level_len[3];

    const char *text = payload ? payload : "";
    if (len > 0 && text[len - 1] == '\0')
        len--;
    if (!te_utf8_valid(text, len)) {
        snprintf(err, errlen, "Non UTF-8 payload: %zu bytes", len);
        return TE_ERR_PARSE;
    }
    char prefix[QUOTE_MAX + 64];
    quote(quoted, sizeof quoted, topic, strlen(topic));
    snprintf(prefix, sizeof prefix, "Invalid payload received on topic: %s. Error: ", quoted);
    const char *colon = memchr(text, ':', len);
    if (!colon) {
        quote(quoted, sizeof quoted, text, len);
        snprintf(err, errlen, "%sInvalid payload: %s. Expected payload format: <timestamp>:<value>",
                 prefix, quoted);
        return TE_ERR_PARSE;
    }
    if (!parse_number(text, (size_t)(colon - text), &out->time_s)) {
        quote(quoted, sizeof quoted, text, (size_t)(colon - text));
        snprintf(err, errlen, "%sInvalid measurement timestamp: %s. Epoch time value expected", prefix, quoted);
        return TE_ERR_PARSE;
    }
    const char *end = text + len;
    for (const char *p = colon + 1;; ) {
        const char *next = memchr(p, ':', (size_t)(end - p));
        size_t n = next ? (size_t)(next - p) : (size_t)(end - p);
        double value;
        if (!parse_number(p, n, &value)) {
            quote(quoted, sizeof quoted, p, n);
            snprintf(err, errlen, "%sInvalid measurement value: %s. Must be a number", prefix, quoted);
            return TE_ERR_PARSE;
        }
        if (out->count == TE_COLLECTD_MAX_VALUES) {
            snprintf(err, errlen, "%smore than %d values", prefix, TE_COLLECTD_MAX_VALUES);
            return TE_ERR_TOOBIG;
        }
        out->values[out->count++] = value;
        if (!next)
            break;
        p = next + 1;
    }
    return TE_OK;
}

te_err_t te_collectd_event_ns(double time_s, int64_t *ns)
{
    if (!isfinite(time_s))
        return TE_ERR_RANGE;
    double whole = trunc(time_s);
    if (whole < -9.2e9 || whole > 9.2e9)
        return TE_ERR_RANGE;
    /* (fract * 1e9) as u32: negative and NaN saturate to 0 */
    double frac_ns = (time_s - whole) * 1e9;
    int64_t sub = frac_ns > 0 ? (int64_t)frac_ns : 0;
    *ns = (int64_t)whole * NS_PER_S + sub;
    return TE_OK;
}

/* ---- the batcher ---- */

te_collectd_t *te_collectd_new(void)
{
    te_collectd_t *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    for (int32_t i = 0; i < TE_COLLECTD_MAX_EVENTS; i++)
        c->events[i].next = i + 1 < TE_COLLECTD_MAX_EVENTS ? i + 1 : -1;
    c->free_head = 0;
    c->nbatches = 0;
    c->dropped = 0;
    c->window_ns = TE_COLLECTD_WINDOW_NS;
    c->delay_ns = TE_COLLECTD_DELAY_NS;
    return c;
}

void te_collectd_configure(te_collectd_t *c, int64_t window_ns, int64_t delay_ns)
{
    c->window_ns = window_ns;
    c->delay_ns = delay_ns;
}

void te_collectd_delete(te_collectd_t *c)
{
    free(c);
}

size_t te_collectd_open_batches(const te_collectd_t *c)
{
    return c->nbatches;
}

unsigned long te_collectd_dropped(const te_collectd_t *c)
{
    return c->dropped;
}

static void release_event(te_collectd_t *c, int32_t i)
{
    c->events[i].next = c->free_head;
    c->free_head = i;
}

static bool same_key(const event_t *a, const event_t *b)
{
    return a->group_len == b->group_len && a->key_len == b->key_len &&
           memcmp(a->name, b->name, a->group_len + a->key_len) == 0;
}

static bool same_group(const event_t *a, const event_t *b)
{
    return a->group_len == b->group_len && memcmp(a->name, b->name, a->group_len) == 0;
}

/* Appends event e to b, replacing an event of the same key (the later one
 * wins, as in the batcher's HashMap). */
static void batch_put(te_collectd_t *c, batch_t *b, int32_t e)
{
    c->events[e].next = -1;
    for (int32_t i = b->first, prev = -1; i >= 0; prev = i, i = c->events[i].next) {
        if (!same_key(&c->events[i], &c->events[e]))
            continue;
        c->events[e].next = c->events[i].next;
        if (prev >= 0)
            c->events[prev].next = e;
        else
            b->first = e;
        if (b->last == i)
            b->last = e;
        release_event(c, i);
        return;
    }
    if (b->last >= 0)
        c->events[b->last].next = e;
    else
        b->first = e;
    b->last = e;
}

static void emit_batch(te_collectd_t *c, const batch_t *b, te_out_t *out)
{
    if (b->first < 0)
        return; /* emptied by a split: nothing to say */
    const event_t *first = &c->events[b->first];
    te_time_t t = {.unix_s = first->t_ns / NS_PER_S, .nsec = (int32_t)(first->t_ns % NS_PER_S), .utc_z = true};
    if (t.nsec < 0) {
        t.nsec += (int32_t)NS_PER_S;
        t.unix_s--;
    }
    char when[TE_TIME_STR_MAX];
    if (te_time_format_rfc3339_utc(&t, -1, when, sizeof when) != TE_OK) {
        te_log_error("collectd: cannot format the time of a batch: dropped");
        return;
    }
    te_jsonw_t w;
    te_jsonw_init(&w, c->payload, sizeof c->payload);
    te_jsonw_object_begin(&w);
    te_jsonw_key(&w, "time", 4);
    te_jsonw_string(&w, when, strlen(when));
    for (int32_t i = b->first; i >= 0; i = c->events[i].next) {
        const event_t *ev = &c->events[i];
        bool seen = false;
        for (int32_t j = b->first; j != i && !seen; j = c->events[j].next)
            seen = same_group(&c->events[j], ev);
        if (seen)
            continue;
        te_jsonw_key(&w, ev->name, ev->group_len);
        te_jsonw_object_begin(&w);
        for (int32_t j = i; j >= 0; j = c->events[j].next) {
            const event_t *member = &c->events[j];
            if (!same_group(member, ev))
                continue;
            te_jsonw_key(&w, member->name + member->group_len, member->key_len);
            te_jsonw_double(&w, member->value);
        }
        te_jsonw_object_end(&w);
    }
    te_jsonw_object_end(&w);
    size_t len;
    te_err_t rc = te_jsonw_finish(&w, &len);
    if (rc == TE_OK)
        rc = te_out_add(out, TE_COLLECTD_OUTPUT_TOPIC, c->payload, len, 1, false);
    if (rc != TE_OK)
        te_log_error("collectd: a batch could not be published: %s", te_strerror(rc));
}

static void release_batch(te_collectd_t *c, size_t k)
{
    for (int32_t i = c->batches[k].first; i >= 0;) {
        int32_t next = c->events[i].next;
        release_event(c, i);
        i = next;
    }
    memmove(&c->batches[k], &c->batches[k + 1], (c->nbatches - k - 1) * sizeof c->batches[0]);
    c->nbatches--;
}

void te_collectd_tick(te_collectd_t *c, int64_t now_ns, te_out_t *out)
{
    for (size_t k = 0; k < c->nbatches;) {
        if (c->batches[k].end_ns + c->delay_ns > now_ns) {
            k++;
            continue;
        }
        emit_batch(c, &c->batches[k], out);
        release_batch(c, k);
    }
}

void te_collectd_flush(te_collectd_t *c, te_out_t *out)
{
    while (c->nbatches > 0) {
        emit_batch(c, &c->batches[0], out);
        release_batch(c, 0);
    }
}

static void drop_event(te_collectd_t *c, int32_t e, const char *why)
{
    c->dropped++;
    te_log_warn("collectd: value %.*s/%.*s dropped: %s (%lu dropped so far)", c->events[e].group_len,
                c->events[e].name, c->events[e].key_len, c->events[e].name + c->events[e].group_len,
                why, c->dropped);
    release_event(c, e);
}

/* A batch got the end end_ns: emit what is closed if that end is already due. */
static void after_batch_end(te_collectd_t *c, int64_t now_ns, int64_t end_ns, te_out_t *out)
{
    if (now_ns >= end_ns + c->delay_ns)
        te_collectd_tick(c, now_ns, out);
}

static void split_batch(te_collectd_t *c, size_t k, int64_t existing_ns, int32_t e, int64_t now_ns,
                        te_out_t *out)
{
    if (c->nbatches == TE_COLLECTD_MAX_BATCHES) {
        drop_event(c, e, "too many open batches");
        return;
    }
    int64_t t = c->events[e].t_ns;
    int64_t split = t + (existing_ns - t) / 2;
    batch_t *old = &c->batches[k];
    batch_t *fresh = &c->batches[c->nbatches++];
    *fresh = (batch_t){.start_ns = split, .end_ns = old->end_ns, .first = -1, .last = -1};
    old->end_ns = split;
    int32_t i = old->first;
    old->first = old->last = -1;
    while (i >= 0) {
        int32_t next = c->events[i].next;
        batch_put(c, c->events[i].t_ns < split ? old : fresh, i);
        i = next;
    }
    batch_put(c, t < split ? old : fresh, e);
    after_batch_end(c, now_ns, split, out);
}

static void batch_event(te_collectd_t *c, int32_t e, int64_t now_ns, te_out_t *out)
{
    int64_t t = c->events[e].t_ns;
    if (t < now_ns - c->delay_ns || t > now_ns) {
        release_event(c, e); /* too old or in the future: silently, as thin-edge.io */
        return;
    }
    for (size_t k = 0; k < c->nbatches; k++) {
        batch_t *b = &c->batches[k];
        if (b->start_ns > t || t > b->end_ns)
            continue;
        for (int32_t i = b->first; i >= 0; i = c->events[i].next) {
            if (!same_key(&c->events[i], &c->events[e]))
                continue;
            if (c->events[i].t_ns == t)
                release_event(c, e); /* duplicate */
            else
                split_batch(c, k, c->events[i].t_ns, e, now_ns, out);
            return;
        }
        batch_put(c, b, e);
        return;
    }
    if (c->nbatches == TE_COLLECTD_MAX_BATCHES) {
        drop_event(c, e, "too many open batches");
        return;
    }
    /* A new batch [t, t + window], clipped to the next batch's start (the
     * previous batch ends before t, so it never moves the start). */
    int64_t end = t + c->window_ns;
    for (size_t k = 0; k < c->nbatches; k++)
        if (c->batches[k].start_ns > t && c->batches[k].start_ns < end)
            end = c->batches[k].start_ns;
    batch_t *b = &c->batches[c->nbatches++];
    *b = (batch_t){.start_ns = t, .end_ns = end, .first = -1, .last = -1};
    batch_put(c, b, e);
    after_batch_end(c, now_ns, end, out);
}

void te_collectd_add(te_collectd_t *c, const char *group, size_t group_len, const char *key,
                     size_t key_len, int64_t t_ns, double value, int64_t now_ns, te_out_t *out)
{
    if (!isfinite(value)) {
        /* thin-edge.io would fail to encode the whole batch: skip the value alone */
        te_log_warn("collectd: %.*s/%.*s is not a finite number: skipped", (int)group_len, group,
                    (int)key_len, key);
        return;
    }
    if (group_len == 4 && memcmp(group, "time", 4) == 0) {
        /* would print a second "time" member, a batch every reader rejects */
        c->dropped++;
        te_log_warn("collectd: the group name 'time' is reserved for the batch time: %.*s/%.*s dropped",
                    (int)group_len, group, (int)key_len, key);
        return;
    }
    if (group_len + key_len > TE_COLLECTD_NAME_MAX) {
        c->dropped++;
        te_log_warn("collectd: the name %.*s/%.*s is longer than %d bytes: dropped", (int)group_len, group,
                    (int)key_len, key, TE_COLLECTD_NAME_MAX);
        return;
    }
    if (c->free_head < 0) {
        c->dropped++;
        te_log_warn("collectd: %d values pending: %.*s/%.*s dropped (%lu dropped so far)", TE_COLLECTD_MAX_EVENTS,
                    (int)group_len, group, (int)key_len, key, c->dropped);
        return;
    }
    int32_t e = c->free_head;
    event_t *ev = &c->events[e];
    c->free_head = ev->next;
    ev->t_ns = t_ns;
    ev->value = value;
    ev->group_len = (uint16_t)group_len;
    ev->key_len = (uint16_t)key_len;
    memcpy(ev->name, group, group_len);
    memcpy(ev->name + group_len, key, key_len);
    batch_event(c, e, now_ns, out);
}

te_err_t te_collectd_input(te_collectd_t *c, const te_msg_t *in, int64_t now_ns, te_out_t *out)
{
    te_collectd_msg_t msg;
    char err[768];
    if (te_collectd_parse(in->topic, in->payload, in->len, &msg, err, sizeof err) != TE_OK) {
        te_log_error("Error while decoding a collectd message: %s", err);
        return TE_OK;
    }
    int64_t t_ns;
    if (te_collectd_event_ns(msg.time_s, &t_ns) != TE_OK) {
        te_log_debug("collectd: message on %s with an out of range time dropped", in->topic);
        return TE_OK;
    }
    for (size_t v = 0; v < msg.count; v++) {
        /* n > 1 values: <key>_val1 ... <key>_valn */
        char key[TE_COLLECTD_NAME_MAX + 1];
        int key_len = msg.count > 1
                          ? snprintf(key, sizeof key, "%.*s_val%zu", (int)msg.key_len, msg.key, v + 1)
                          : snprintf(key, sizeof key, "%.*s", (int)msg.key_len, msg.key);
        if (key_len < 0 || (size_t)key_len >= sizeof key) {
            c->dropped++;
            te_log_warn("collectd: the name %.*s/%s... is longer than %d bytes: dropped", (int)msg.group_len,
                        msg.group, key, TE_COLLECTD_NAME_MAX);
            continue;
        }
        te_collectd_add(c, msg.group, msg.group_len, key, (size_t)key_len, t_ns, msg.values[v], now_ns, out);
    }
    return TE_OK;
}

/* ---- the mapper runtime's callbacks ---- */

static int64_t wall_clock_ns(void)
{
    te_time_t now = te_time_now();
    return now.unix_s * NS_PER_S + now.nsec;
}

te_err_t te_conv_collectd_init(void **state, te_config_t *cfg, te_out_t *out)
{
    (void)cfg;
    te_collectd_t *c = te_collectd_new();
    if (!c) {
        te_out_errorf(out, "out of memory");
        return TE_ERR_NOMEM;
    }
    *state = c;
    return TE_OK;
}

te_err_t te_conv_collectd_convert(void *state, const te_msg_t *in, te_out_t *out)
{
    return te_collectd_input(state, in, wall_clock_ns(), out);
}

void te_conv_collectd_tick(void *state, uint64_t now_ms, te_out_t *out)
{
    (void)now_ms; /* loop time is monotonic; batches are in wall-clock time */
    te_collectd_tick(state, wall_clock_ns(), out);
}

void te_conv_collectd_stop(void *state, te_out_t *out)
{
    te_collectd_flush(state, out);
}

void te_conv_collectd_free(void *state)
{
    te_collectd_delete(state);
}
