/* c8y_entity: entity cache and bounded early-message buffers of the c8y mapper. */
#include "tedge/c8y_entity.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/log.h"

static size_t hash_id(const char *id, size_t buckets)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % buckets;
}

void te_c8y_store_init(te_c8y_store_t *s)
{
    memset(s, 0, sizeof *s);
}

void te_c8y_entity_free(te_c8y_entity_t *e)
{
    if (!e)
        return;
    json_decref(e->reg);
    json_decref(e->twin);
    json_decref(e->meta);
    free(e->ops);
    free(e);
}

te_c8y_entity_t *te_c8y_entity_new(void)
{
    te_c8y_entity_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->twin = json_object();
    if (!e->twin) {
        free(e);
        return NULL;
    }
    return e;
}

static void held_free(te_c8y_held_t *h)
{
    free(h->topic);
    memset(h, 0, sizeof *h);
}

void te_c8y_pending_free(te_c8y_pending_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        held_free(&p->ring[(p->head + i) % TE_C8Y_PENDING_PER_ENTITY]);
    held_free(&p->reg);
    free(p);
}

void te_c8y_store_free(te_c8y_store_t *s)
{
    te_c8y_entity_t *e = s->first;
    while (e) {
        te_c8y_entity_t *next = e->lnext;
        te_c8y_entity_free(e);
        e = next;
    }
    te_c8y_pending_t *p = s->pfirst;
    while (p) {
        te_c8y_pending_t *next = p->next;
        te_c8y_pending_free(p);
        p = next;
    }
    memset(s, 0, sizeof *s);
}

te_c8y_entity_t *te_c8y_entity_find(const te_c8y_store_t *s, const char *id)
{
    for (te_c8y_entity_t *e = s->buckets[hash_id(id, TE_C8Y_BUCKETS)]; e; e = e->hnext)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

te_c8y_entity_t *te_c8y_entity_find_xid(const te_c8y_store_t *s, const char *xid)
{
    for (te_c8y_entity_t *e = s->first; e; e = e->lnext)
        if (strcmp(e->xid, xid) == 0)
            return e;
    return NULL;
}

te_err_t te_c8y_entity_add(te_c8y_store_t *s, te_c8y_entity_t *e)
{
    if (s->count >= TE_C8Y_MAX_ENTITIES)
        return TE_ERR_FULL;
    size_t b = hash_id(e->id, TE_C8Y_BUCKETS);
    e->hnext = s->buckets[b];
    s->buckets[b] = e;
    e->lnext = NULL;
    e->lprev = s->last;
    if (s->last)
        s->last->lnext = e;
    else
        s->first = e;
    s->last = e;
    s->count++;
    return TE_OK;
}

static void entity_unlink(te_c8y_store_t *s, te_c8y_entity_t *e)
{
    te_c8y_entity_t **pp = &s->buckets[hash_id(e->id, TE_C8Y_BUCKETS)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    if (e->lprev)
        e->lprev->lnext = e->lnext;
    else
        s->first = e->lnext;
    if (e->lnext)
        e->lnext->lprev = e->lprev;
    else
        s->last = e->lprev;
    s->count--;
}

bool te_c8y_entity_descends(const te_c8y_store_t *s, const char *id, const char *ancestor)
{
    const char *cur = id;
    for (int depth = 0; cur && cur[0] && depth <= TE_C8Y_MAX_DEPTH + 1; depth++) {
        if (strcmp(cur, ancestor) == 0)
            return true;
        const te_c8y_entity_t *e = te_c8y_entity_find(s, cur);
        if (!e)
            return false;
        cur = e->parent;
    }
    return false;
}

size_t te_c8y_entity_remove_tree(te_c8y_store_t *s, const char *id)
{
    char root[TE_TOPIC_ID_MAX];
    snprintf(root, sizeof root, "%s", id);
    if (!s->count)
        return 0;
    /* Decide for every entity before unlinking any: the parent chains must
     * stay intact while they are walked. */
    te_c8y_entity_t **doomed = malloc(s->count * sizeof *doomed);
    if (!doomed)
        return 0;
    size_t n = 0;
    for (te_c8y_entity_t *e = s->first; e; e = e->lnext)
        if (te_c8y_entity_descends(s, e->id, root))
            doomed[n++] = e;
    for (size_t i = 0; i < n; i++) {
        entity_unlink(s, doomed[i]);
        te_c8y_pending_t *p = te_c8y_pending_find(s, doomed[i]->id);
        if (p) {
            te_c8y_pending_detach(s, p);
            te_c8y_pending_free(p);
        }
        te_c8y_entity_free(doomed[i]);
    }
    free(doomed);
    return n;
}

te_c8y_pending_t *te_c8y_pending_find(const te_c8y_store_t *s, const char *id)
{
    for (te_c8y_pending_t *p = s->pbuckets[hash_id(id, TE_C8Y_PBUCKETS)]; p; p = p->hnext)
        if (strcmp(p->id, id) == 0)
            return p;
    return NULL;
}

void te_c8y_pending_detach(te_c8y_store_t *s, te_c8y_pending_t *p)
{
    te_c8y_pending_t **pp = &s->pbuckets[hash_id(p->id, TE_C8Y_PBUCKETS)];
    while (*pp && *pp != p)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = p->hnext;
    if (p->prev)
        p->prev->next = p->next;
    else
        s->pfirst = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        s->plast = p->prev;
    p->hnext = p->prev = p->next = NULL;
    s->npending--;
    s->pending_bytes -= p->bytes;
}

static te_c8y_pending_t *pending_get(te_c8y_store_t *s, const char *id, unsigned long *dropped)
{
    te_c8y_pending_t *p = te_c8y_pending_find(s, id);
    if (p)
        return p;
    if (s->npending >= TE_C8Y_MAX_PENDING && s->pfirst) {
        te_c8y_pending_t *old = s->pfirst;
        unsigned long n = old->count + (old->reg.topic ? 1 : 0);
        if (s->evicted_entities % 1000 == 0) /* rate-limited: a flood would drown the log */
            te_log_warn("too many unregistered entities (%u): dropping the %lu buffered messages of %s "
                        "(%lu entities dropped so far)", TE_C8Y_MAX_PENDING, n, old->id, s->evicted_entities + 1);
        te_c8y_pending_detach(s, old);
        te_c8y_pending_free(old);
        s->evicted_entities++;
        s->dropped_msgs += n;
        if (dropped)
            *dropped += n;
    }
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->id, sizeof p->id, "%s", id);
    size_t b = hash_id(id, TE_C8Y_PBUCKETS);
    p->hnext = s->pbuckets[b];
    s->pbuckets[b] = p;
    p->prev = s->plast;
    if (s->plast)
        s->plast->next = p;
    else
        s->pfirst = p;
    s->plast = p;
    s->npending++;
    return p;
}

static te_err_t held_copy(te_c8y_held_t *h, const char *topic, const char *payload, size_t len, bool retain)
{
    size_t tl = strlen(topic);
    char *mem = malloc(tl + 1 + len + 1);
    if (!mem)
        return TE_ERR_NOMEM;
    memcpy(mem, topic, tl + 1);
    if (len)
        memcpy(mem + tl + 1, payload, len);
    mem[tl + 1 + len] = '\0';
    *h = (te_c8y_held_t){.topic = mem, .payload = mem + tl + 1, .len = len, .retain = retain};
    return TE_OK;
}

static size_t held_size(const te_c8y_held_t *h)
{
    return h->topic ? strlen(h->topic) + h->len + 2 : 0;
}

static void drop_oldest(te_c8y_store_t *s, te_c8y_pending_t *p)
{
    te_c8y_held_t *h = &p->ring[p->head];
    size_t sz = held_size(h);
    p->bytes -= sz;
    s->pending_bytes -= sz;
    held_free(h);
    p->head = (p->head + 1) % TE_C8Y_PENDING_PER_ENTITY;
    p->count--;
    p->dropped++;
    s->dropped_msgs++;
}

te_err_t te_c8y_pending_push(te_c8y_store_t *s, const char *id, const char *topic, const char *payload,
                             size_t len, bool retain, unsigned long *dropped)
{
    te_c8y_pending_t *p = pending_get(s, id, dropped);
    if (!p)
        return TE_ERR_NOMEM;
    size_t need = strlen(topic) + len + 2;
    while (p->count && (p->count == TE_C8Y_PENDING_PER_ENTITY || s->pending_bytes + need > TE_C8Y_PENDING_BYTES)) {
        drop_oldest(s, p);
        if (dropped)
            (*dropped)++;
    }
    if (s->pending_bytes + need > TE_C8Y_PENDING_BYTES) {
        if (!p->count && !p->reg.topic) {
            te_c8y_pending_detach(s, p);
            te_c8y_pending_free(p);
        }
        return TE_ERR_FULL;
    }
    te_c8y_held_t *h = &p->ring[(p->head + p->count) % TE_C8Y_PENDING_PER_ENTITY];
    if (held_copy(h, topic, payload, len, retain) != TE_OK)
        return TE_ERR_NOMEM;
    p->count++;
    p->bytes += need;
    s->pending_bytes += need;
    return TE_OK;
}

te_err_t te_c8y_pending_hold_reg(te_c8y_store_t *s, const char *id, const char *waits_for, const char *topic,
                                 const char *payload, size_t len, unsigned long *dropped)
{
    te_c8y_pending_t *p = pending_get(s, id, dropped);
    if (!p)
        return TE_ERR_NOMEM;
    size_t old = held_size(&p->reg);
    size_t need = strlen(topic) + len + 2;
    if (s->pending_bytes - old + need > TE_C8Y_PENDING_BYTES)
        return TE_ERR_FULL;
    held_free(&p->reg);
    p->bytes -= old;
    s->pending_bytes -= old;
    if (held_copy(&p->reg, topic, payload, len, true) != TE_OK)
        return TE_ERR_NOMEM;
    p->bytes += need;
    s->pending_bytes += need;
    snprintf(p->waits_for, sizeof p->waits_for, "%s", waits_for);
    return TE_OK;
}

te_c8y_pending_t *te_c8y_pending_waiting_for(const te_c8y_store_t *s, const char *parent)
{
    for (te_c8y_pending_t *p = s->pfirst; p; p = p->next)
        if (p->reg.topic && strcmp(p->waits_for, parent) == 0)
            return p;
    return NULL;
}

const te_c8y_held_t *te_c8y_pending_at(const te_c8y_pending_t *p, size_t i)
{
    return &p->ring[(p->head + i) % TE_C8Y_PENDING_PER_ENTITY];
}
