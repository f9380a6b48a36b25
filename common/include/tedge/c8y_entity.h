/* c8y_entity: the c8y mapper's entity cache (mapper-c8y.md §3) and the
 * bounded buffers of messages from entities not registered yet (§4.1,
 * mqtt-api.md §3.5).
 *
 * Cache: every registered entity keyed by topic id (hash) and kept in
 * registration order (a list: the sync signal and the heartbeat walk it).
 * At most TE_C8Y_MAX_ENTITIES; more registrations are refused.
 *
 * Pending buffers: per unregistered entity a ring of TE_C8Y_PENDING_PER_ENTITY
 * raw messages (oldest dropped and counted) plus, when its registration waits
 * for a parent that is not known yet, that registration. At most
 * TE_C8Y_MAX_PENDING entities and TE_C8Y_PENDING_BYTES bytes are held: a new
 * pending entity beyond the cap evicts the oldest pending entity whole
 * (counted), and a message that would exceed the byte cap first drops the
 * oldest messages of its own entity, then is refused. So a flood of ids
 * cannot make memory grow without bound.
 *
 * Memory: the store owns every entity and pending record; pointers returned
 * stay valid until the entry is removed, taken or the store freed. */
#ifndef TEDGE_C8Y_ENTITY_H
#define TEDGE_C8Y_ENTITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"
#include "tedge/topic.h"

#define TE_C8Y_XID_MAX 512
#define TE_C8Y_MAX_ENTITIES 50000
#define TE_C8Y_MAX_DEPTH 64
#define TE_C8Y_PENDING_PER_ENTITY 128
#define TE_C8Y_MAX_PENDING 1024
#define TE_C8Y_PENDING_BYTES (8u * 1024u * 1024u)

typedef enum te_c8y_etype {
    TE_C8Y_MAIN_DEVICE,
    TE_C8Y_CHILD_DEVICE,
    TE_C8Y_SERVICE,
} te_c8y_etype_t;

typedef struct te_c8y_entity {
    char id[TE_TOPIC_ID_MAX];       /* normalised topic id */
    char xid[TE_C8Y_XID_MAX];       /* Cumulocity external id */
    char parent[TE_TOPIC_ID_MAX];   /* "" for the main device */
    char health[TE_TOPIC_ID_MAX];   /* `@health` (devices), "" if none */
    te_c8y_etype_t type;
    json_t *reg;    /* owned: the registration payload as received, NULL for main */
    json_t *twin;   /* owned: twin fragments by input key (object) */
    json_t *meta;   /* owned: measurement type -> meta object, or NULL */
    char *ops;      /* owned: last operation set sent ("114,..."), NULL unknown */
    char status[32];/* last health status seen for this entity ("" none) */
    struct te_c8y_entity *hnext, *lprev, *lnext;
} te_c8y_entity_t;

typedef struct te_c8y_held {
    char *topic;      /* one allocation: topic NUL payload NUL */
    char *payload;
    size_t len;
    bool retain;
} te_c8y_held_t;

typedef struct te_c8y_pending {
    char id[TE_TOPIC_ID_MAX];
    te_c8y_held_t ring[TE_C8Y_PENDING_PER_ENTITY];
    size_t head, count;
    unsigned long dropped;          /* messages dropped from this ring */
    te_c8y_held_t reg;              /* held registration (topic NULL if none) */
    char waits_for[TE_TOPIC_ID_MAX];/* parent the registration waits for */
    size_t bytes;
    struct te_c8y_pending *hnext, *prev, *next;
} te_c8y_pending_t;

#define TE_C8Y_BUCKETS 4096
#define TE_C8Y_PBUCKETS 1024

typedef struct te_c8y_store {
    te_c8y_entity_t *buckets[TE_C8Y_BUCKETS];
    te_c8y_entity_t *first, *last;  /* registration order */
    size_t count;
    te_c8y_pending_t *pbuckets[TE_C8Y_PBUCKETS];
    te_c8y_pending_t *pfirst, *plast; /* creation order (eviction) */
    size_t npending, pending_bytes;
    unsigned long evicted_entities;   /* pending entities evicted whole */
    unsigned long dropped_msgs;       /* buffered messages dropped, all causes */
} te_c8y_store_t;

void te_c8y_store_init(te_c8y_store_t *s);
void te_c8y_store_free(te_c8y_store_t *s);

te_c8y_entity_t *te_c8y_entity_find(const te_c8y_store_t *s, const char *id);
te_c8y_entity_t *te_c8y_entity_find_xid(const te_c8y_store_t *s, const char *xid);
/* A zeroed entity with an empty twin object; the caller fills it and adds it
 * (or frees it with te_c8y_entity_free). NULL on NOMEM. */
te_c8y_entity_t *te_c8y_entity_new(void);
void te_c8y_entity_free(te_c8y_entity_t *e);
/* Takes ownership of e (id must be unique). Returns TE_OK or TE_ERR_FULL
 * (TE_C8Y_MAX_ENTITIES reached; e is then still the caller's). */
te_err_t te_c8y_entity_add(te_c8y_store_t *s, te_c8y_entity_t *e) TE_MUST_USE;
/* Removes id and all its descendants (and their pending buffers).
 * Returns how many entities were removed. */
size_t te_c8y_entity_remove_tree(te_c8y_store_t *s, const char *id);
/* True when ancestor is id itself or on id's registered parent chain. */
bool te_c8y_entity_descends(const te_c8y_store_t *s, const char *id, const char *ancestor);

te_c8y_pending_t *te_c8y_pending_find(const te_c8y_store_t *s, const char *id);
/* Buffers a copy of a data message of unregistered entity id. *dropped
 * (may be NULL) gets how many older messages had to go (its ring or a whole
 * evicted entity). Returns TE_OK, TE_ERR_FULL (byte cap reached even after
 * dropping this entity's older messages) or TE_ERR_NOMEM. */
te_err_t te_c8y_pending_push(te_c8y_store_t *s, const char *id, const char *topic,
                             const char *payload, size_t len, bool retain,
                             unsigned long *dropped) TE_MUST_USE;
/* Holds the registration of id until waits_for registers (replaces a held
 * one). Returns as te_c8y_pending_push. */
te_err_t te_c8y_pending_hold_reg(te_c8y_store_t *s, const char *id, const char *waits_for,
                                 const char *topic, const char *payload, size_t len,
                                 unsigned long *dropped) TE_MUST_USE;
/* The first pending entity whose held registration waits for parent, or NULL. */
te_c8y_pending_t *te_c8y_pending_waiting_for(const te_c8y_store_t *s, const char *parent);
/* Unlinks p from the store: the caller now owns it and frees it with
 * te_c8y_pending_free after replaying it. */
void te_c8y_pending_detach(te_c8y_store_t *s, te_c8y_pending_t *p);
void te_c8y_pending_free(te_c8y_pending_t *p);
/* The i-th oldest buffered message of p (i < p->count). */
const te_c8y_held_t *te_c8y_pending_at(const te_c8y_pending_t *p, size_t i);

#endif
