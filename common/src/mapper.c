/* mapper: the shared runtime of the cloud mappers, on top of service. */
#include "tedge/mapper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/log.h"
#include "tedge/service.h"

#define MAPPER_OUT_MSGS 64
#define MAPPER_OUT_ARENA (64u * 1024u)

typedef struct te_mapper {
    const te_mapper_def_t *def;
    te_service_t svc;
    te_service_def_t svc_def;
    void *state;
    te_out_t out;
    uv_timer_t tick_timer;
    bool has_state;
    unsigned long refused;   /* outputs the bus refused (queue full) */
} mapper_rt_t;

static void publish_out(void *ctx, te_out_t *out)
{
    mapper_rt_t *rt = ctx;
    for (size_t i = 0; i < out->n; i++) {
        const te_out_msg_t *m = &out->msgs[i];
        te_msg_t msg = {.topic = m->topic, .payload = m->payload, .len = m->len, .qos = m->qos, .retain = m->retain};
        te_err_t err = te_bus_publish(rt->svc.bus, &msg);
        if (err != TE_OK) {
            rt->refused++;
            te_log_error("cannot publish on %s: %s (%lu refused so far)", m->topic, te_strerror(err), rt->refused);
        }
    }
    out->n = 0;
    out->used = 0;
}

static void finish(mapper_rt_t *rt)
{
    publish_out(rt, &rt->out);
    if (rt->out.error[0])
        te_service_report_error(&rt->svc, rt->out.error);
    te_out_reset(&rt->out);
}

static void on_input(void *ctx, const te_msg_t *msg)
{
    mapper_rt_t *rt = ctx;
    if (rt->svc.stopping)
        return;
    te_out_reset(&rt->out);
    te_err_t err = rt->def->convert(rt->state, msg, &rt->out);
    if (err != TE_OK && !rt->out.error[0])
        te_out_errorf(&rt->out, "%s: cannot process message on %s: %s", rt->svc.name, msg->topic, te_strerror(err));
    finish(rt);
}

static void on_tick(uv_timer_t *timer)
{
    mapper_rt_t *rt = timer->data;
    te_out_reset(&rt->out);
    rt->def->tick(rt->state, uv_now(timer->loop), &rt->out);
    finish(rt);
}

static void on_stop(void *ctx)
{
    mapper_rt_t *rt = ctx;
    uv_close((uv_handle_t *)&rt->tick_timer, NULL);
    if (rt->def->stop && rt->has_state) {
        te_out_reset(&rt->out);
        rt->def->stop(rt->state, &rt->out);
        finish(rt);
    }
}

static void on_connection(void *ctx, bool connected)
{
    mapper_rt_t *rt = ctx;
    if (connected)
        te_log_debug("%s connected", rt->svc.name);
}

static bool subscribe_inputs(mapper_rt_t *rt)
{
    if (!rt->def->convert)
        return true;
    for (const char *const *f = rt->def->filters; f && *f; f++) {
        if (te_bus_subscribe(rt->svc.bus, *f, rt->def->input_qos0 ? 0 : 1, on_input, rt) != TE_OK) {
            te_log_error("invalid subscription filter '%s'", *f);
            return false;
        }
    }
    if (!rt->def->topics_key)
        return true;
    const char *const *items;
    size_t n;
    if (te_config_get_list(rt->svc.cfg, rt->def->topics_key, &items, &n) != TE_OK)
        return true;
    for (size_t i = 0; i < n; i++) {
        if (te_bus_subscribe(rt->svc.bus, items[i], rt->def->input_qos0 ? 0 : 1, on_input, rt) != TE_OK)
            te_log_warn("%s: invalid topic filter '%s' skipped", rt->def->topics_key, items[i]);
    }
    return true;
}

uv_loop_t *te_mapper_loop(te_mapper_t *rt)
{
    return &rt->svc.loop;
}

te_config_t *te_mapper_config(te_mapper_t *rt)
{
    return rt->svc.cfg;
}

void te_mapper_produce(te_mapper_t *rt, void (*fn)(void *state, te_out_t *out, void *arg), void *arg)
{
    if (rt->svc.stopping)
        return;
    te_out_reset(&rt->out);
    fn(rt->state, &rt->out, arg);
    finish(rt);
}

te_err_t te_mapper_subscribe(te_mapper_t *rt, const char *filter)
{
    return te_bus_subscribe(rt->svc.bus, filter, rt->def->input_qos0 ? 0 : 1, on_input, rt);
}

int te_mapper_main(const te_mapper_def_t *def, int argc, char **argv)
{
    mapper_rt_t *rt = calloc(1, sizeof *rt);
    if (!rt)
        return 1;
    rt->def = def;
    rt->svc_def = (te_service_def_t){
        .name = def->name,
        .name_key = def->name_key,
        .cloud_profiles = true,
        .summary = def->summary,
        .persistent_session = true,
        .on_connection = on_connection,
        .on_stop = on_stop,
        .ctx = rt,
    };
    int exit_code;
    int rc = te_service_init(&rt->svc, &rt->svc_def, argc, argv);
    if (rc >= 0) {
        free(rt);
        return rc;
    }
    if (te_out_init(&rt->out, MAPPER_OUT_MSGS, def->out_arena_bytes ? def->out_arena_bytes : MAPPER_OUT_ARENA) != TE_OK) {
        te_log_error("out of memory");
        te_service_stop(&rt->svc, 1);
        exit_code = te_service_run(&rt->svc);
        free(rt);
        return exit_code;
    }
    rt->out.flush = publish_out;
    rt->out.flush_ctx = rt;
    if (def->init && def->init(&rt->state, rt->svc.cfg, &rt->out) != TE_OK) {
        te_log_error("%s", rt->out.error[0] ? rt->out.error : "cannot initialise the mapper");
        te_service_stop(&rt->svc, 1);
    } else {
        rt->has_state = def->init != NULL;
        finish(rt);
        if (!subscribe_inputs(rt))
            te_service_stop(&rt->svc, 1);
        else if (def->attach && def->attach(rt->state, rt) != TE_OK)
            te_service_stop(&rt->svc, 1);
    }
    uv_timer_init(&rt->svc.loop, &rt->tick_timer);
    rt->tick_timer.data = rt;
    if (def->tick && !rt->svc.stopping)
        uv_timer_start(&rt->tick_timer, on_tick, def->tick_ms ? def->tick_ms : 1000,
                       def->tick_ms ? def->tick_ms : 1000);
    if (rt->svc.stopping)
        uv_close((uv_handle_t *)&rt->tick_timer, NULL);
    exit_code = te_service_run(&rt->svc);
    if (rt->has_state && def->free)
        def->free(rt->state);
    te_out_free(&rt->out);
    free(rt);
    return exit_code;
}
