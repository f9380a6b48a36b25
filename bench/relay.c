/* bench/relay: the do-nothing baseline the mappers are measured against.
 * Subscribes to te/+/+/+/+/m/+ (QoS 1) and republishes every payload
 * unchanged on relay/<topic> (QoS 1), with plain libmosquitto.
 * usage: relay PORT */
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)obj;
    if (rc == 0)
        mosquitto_subscribe(mosq, NULL, "te/+/+/+/+/m/+", 1);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    (void)obj;
    char topic[1024];
    snprintf(topic, sizeof topic, "relay/%s", m->topic);
    mosquitto_publish(mosq, NULL, topic, m->payloadlen, m->payload, 1, false);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: relay PORT\n");
        return 2;
    }
    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new("bench-relay", false, NULL);
    mosquitto_max_inflight_messages_set(mosq, 100);
    /* its best setting: without it Nagle delays the republished message
     * behind the PUBACK written just before (5 ms at 1 000 msg/s) */
    mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_message_callback_set(mosq, on_message);
    if (mosquitto_connect(mosq, "127.0.0.1", atoi(argv[1]), 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "relay: cannot connect\n");
        return 1;
    }
    mosquitto_loop_forever(mosq, -1, 1);
    return 0;
}
