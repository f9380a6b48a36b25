/* c8y_internal: what the c8y converter's source files (c8y_mapper.c,
 * c8y_telemetry.c, c8y_ops.c) share; not for other modules. */
#ifndef TEDGE_C8Y_INTERNAL_H
#define TEDGE_C8Y_INTERNAL_H

#include "tedge/c8y_entity.h"
#include "tedge/c8y_mapper.h"
#include "tedge/c8y_smartrest.h"
#include "tedge/tejson.h"
#include "tedge/topic.h"

#define C8Y_MAIN_ID TE_TOPIC_ID_MAIN

typedef struct c8y_alarm_sync c8y_alarm_sync_t;

struct te_c8y {
    te_c8y_config_t cfg;
    te_c8y_store_t store;
    te_c8y_clock_fn clock;
    void *clock_ctx;
    bool bridge_seen;           /* start-up 114 + 500 sent */
    uint64_t next_heartbeat_ms; /* 0: not scheduled yet */
    char ops_dir[TE_C8Y_PATH_MAX + 64];
    char bridge_health_topic[TE_TOPIC_MAX];
    char flows_dir[TE_C8Y_PATH_MAX + 64];
    char *json_mem;             /* output buffer for JSON payloads */
    size_t json_cap;
    char line_mem[TE_C8Y_SMARTREST_MAX + 1];
    te_measurement_t meas;      /* reused: about 6 KiB */
    c8y_alarm_sync_t *alarm_sync; /* start-up alarm sync running, else NULL */
};

/* "<prefix>/s/us" or "<prefix>/s/us/<xid>" for e (main device: the former). */
void c8y_smartrest_topic(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len);
/* The SmartREST topic of e's parent (creation messages). */
void c8y_parent_smartrest_topic(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len);
/* "<prefix>/<suffix>". */
void c8y_topic(const te_c8y_t *st, const char *suffix, char *buf, size_t len);
/* Publishes (QoS 1, not retained); on failure sets out's error and returns it. */
te_err_t c8y_emit(te_c8y_t *st, te_out_t *out, const char *topic, const char *payload, size_t len);
/* Publishes a JSON payload after the max-payload check (error "Payload is too large"). */
te_err_t c8y_emit_checked(te_c8y_t *st, te_out_t *out, const char *topic, const te_c8y_buf_t *b,
                          const char *what_file);
te_time_t c8y_now(te_c8y_t *st);
/* Formats out's error as the flow pipelines do (§10). */
void c8y_flow_error(te_c8y_t *st, te_out_t *out, const char *flow, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The `name` twin value of e if a string, else NULL. */
const char *c8y_twin_string(const te_c8y_entity_t *e, const char *key);

/* c8y_telemetry.c */
te_err_t c8y_measurement(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out);
te_err_t c8y_measurement_meta(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out);
te_err_t c8y_event(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out);
te_err_t c8y_alarm(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out);

/* c8y_registration.c */
/* A registration message (§3.2) for topic id tid; releases what waited. */
te_err_t c8y_registration(te_c8y_t *st, const char *tid, const te_msg_t *msg, te_out_t *out);
te_err_t c8y_twin(te_c8y_t *st, te_c8y_entity_t *e, const char *key, const te_msg_t *msg, te_out_t *out);

/* c8y_mapper.c: converts a data message of registered entity e (t parsed). */
te_err_t c8y_dispatch_data(te_c8y_t *st, te_c8y_entity_t *e, const te_topic_t *t, const te_msg_t *msg,
                           te_out_t *out);

/* c8y_ops.c */
te_err_t c8y_capability(te_c8y_t *st, te_c8y_entity_t *e, const char *op, const te_msg_t *msg, te_out_t *out);
void c8y_ops_sync(te_c8y_t *st, te_out_t *out);
/* Reads the operation set of dir as "114,a,b" into b; false if dir is missing. */
bool c8y_ops_read(const char *dir, te_c8y_buf_t *b);
/* The operations dir of e: ops_dir or ops_dir/<xid>. */
void c8y_ops_entity_dir(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len);

/* c8y_alarm_sync.c (§4.4 journal and start-up sync) */
/* Publishes the retained journal entry c8y-internal/alarms/<msg topic> of a
 * converted alarm: the input payload, "time":when added when !has_time. */
te_err_t c8y_alarm_journal(te_c8y_t *st, const te_msg_t *msg, bool has_time, const char *when, te_out_t *out);
bool c8y_is_journal_topic(const char *topic);
/* While a sync runs: keeps msg (an alarm or a journal entry) and returns
 * true; false when no sync runs or the collection is full (convert it now). */
bool c8y_alarm_sync_collect(te_c8y_t *st, const te_msg_t *msg);
/* Ends the sync when now_ms reached its deadline: clears, skips, converts. */
void c8y_alarm_sync_tick(te_c8y_t *st, uint64_t now_ms, te_out_t *out);
void c8y_alarm_sync_free(te_c8y_t *st);

#endif
