/* bench/busrelay: the relay of bench/relay.c on tedge's own MQTT client
 * (common/bus.c) instead of libmosquitto: subscribes to te/+/+/+/+/m/+
 * (QoS 1, persistent session) and republishes every payload unchanged on
 * relay/<topic> (QoS 1). The mappers' rate against it is their converting
 * cost alone; against relay.c it also shows what the client brings.
 * usage: busrelay PORT */
#include <stdio.h>
#include <stdlib.h>

#include "tedge/bus.h"

typedef struct relay {
    te_bus_t *bus;
    unsigned long refused;
} relay_t;

static void on_message(void *ctx, const te_msg_t *msg)
{
    relay_t *r = ctx;
    char topic[1024];
    snprintf(topic, sizeof topic, "relay/%s", msg->topic);
    te_msg_t out = {.topic = topic, .payload = msg->payload, .len = msg->len, .qos = 1};
    if (te_bus_publish(r->bus, &out) != TE_OK)
        r->refused++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: busrelay PORT\n");
        return 2;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    relay_t r = {0};
    te_bus_opts_t opts = {.port = atoi(argv[1]), .client_id = "bench-busrelay", .max_pending = 100000};
    if (te_bus_open(&r.bus, &loop, &opts) != TE_OK ||
        te_bus_subscribe(r.bus, "te/+/+/+/+/m/+", 1, on_message, &r) != TE_OK) {
        fprintf(stderr, "busrelay: cannot start\n");
        return 1;
    }
    return uv_run(&loop, UV_RUN_DEFAULT);
}
