/* tedge mqtt pub|sub: publish one message or print the messages of a topic
 * filter, on the local broker named by mqtt.client.host/port (spec/cli.md §5.1). */
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/service.h"
#include "tedge/text.h"

static const char pub_help[] =
    "Publish a MQTT message on a topic\n"
    "\n"
    "Usage: tedge mqtt pub [OPTIONS] <TOPIC> <MESSAGE>\n"
    "\n"
    "Arguments:\n"
    "  <TOPIC>    Topic to publish\n"
    "  <MESSAGE>  Message to publish\n"
    "\n"
    "Options:\n"
    "  -q, --qos <QOS>                    QoS level (0, 1, 2) [default: 1]\n"
    "  -r, --retain                       Retain flag\n"
    "      --base64                       MESSAGE is base64: decode it before sending\n"
    "      --connection-timeout <DURATION>  Give up connecting after this long; 0 = never [default: 10s]\n"
    "  -h, --help                         Print help\n";

static const char sub_help[] =
    "Subscribe a MQTT topic\n"
    "\n"
    "Usage: tedge mqtt sub [OPTIONS] <TOPIC>\n"
    "\n"
    "Arguments:\n"
    "  <TOPIC>  Topic filter to subscribe to (wildcards + and # allowed)\n"
    "\n"
    "Prints \"[<topic>] <payload>\" per message (payload only with --no-topic);\n"
    "a payload that is not UTF-8 prints as \"<ERR=NON-UTF8> <base64>\".\n"
    "\n"
    "Options:\n"
    "  -q, --qos <QOS>                    QoS level (0, 1, 2) [default: 0]\n"
    "      --no-topic                     Avoid printing the topic names\n"
    "      --base64                       Print payloads in base64\n"
    "  -W, --duration <DURATION>          Stop after this long (e.g. 5s, 1m)\n"
    "  -C, --count <COUNT>                Stop after this many messages\n"
    "      --connection-timeout <DURATION>  Give up connecting after this long; 0 = never [default: 10s]\n"
    "  -h, --help                         Print help\n";

static const char mqtt_help[] =
    "Publish a message on a topic and subscribe a topic\n"
    "\n"
    "Usage: tedge mqtt <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  pub  Publish a MQTT message on a topic\n"
    "  sub  Subscribe a MQTT topic\n";

typedef struct mqtt_cmd {
    bool is_pub;
    const char *topic;
    const char *message;
    int qos;
    bool retain;
    bool base64;
    bool no_topic;
    unsigned long long duration_ms;
    unsigned long long count;
    unsigned long long connection_timeout_ms;

    uv_loop_t loop;
    te_bus_t *bus;
    uv_timer_t timeout_timer;
    uv_timer_t duration_timer;
    uv_signal_t sigint, sigterm;
    bool connected_once;
    bool stopping;
    unsigned long long received;
    char *payload;
    size_t payload_len;
    int exit_code;
} mqtt_cmd_t;

static int parse_qos(const char *text, int *qos)
{
    if (strlen(text) == 1 && text[0] >= '0' && text[0] <= '2') {
        *qos = text[0] - '0';
        return TE_EXIT_OK;
    }
    return te_cli_usage_error("invalid value '%s' for '--qos <QOS>': The input QoS should be 0, 1, or 2", text);
}

static int parse_duration(const char *option, const char *text, unsigned long long *ms)
{
    if (te_duration_parse_ms(text, ms) == TE_OK)
        return TE_EXIT_OK;
    return te_cli_usage_error("invalid value '%s' for '%s <DURATION>': expected a duration like 10, 10s, 500ms, 5m or 1h",
                              text, option);
}

static int parse_args(mqtt_cmd_t *cmd, int argc, char **argv)
{
    const char *positional[2] = {NULL, NULL};
    int n_positional = 0;
    const int wanted = cmd->is_pub ? 2 : 1;
    const char *help = cmd->is_pub ? pub_help : sub_help;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = (i + 1 < argc) ? argv[i + 1] : NULL;
        int rc = TE_EXIT_OK;
#define NEED_VALUE(name) \
    if (!value) \
        return te_cli_usage_error("a value is required for '%s' but none was supplied", name); \
    i++;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return -1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--qos") == 0) {
            NEED_VALUE("--qos <QOS>");
            rc = parse_qos(value, &cmd->qos);
        } else if (strncmp(a, "--qos=", 6) == 0) {
            rc = parse_qos(a + 6, &cmd->qos);
        } else if (cmd->is_pub && (strcmp(a, "-r") == 0 || strcmp(a, "--retain") == 0)) {
            cmd->retain = true;
        } else if (strcmp(a, "--base64") == 0) {
            cmd->base64 = true;
        } else if (!cmd->is_pub && strcmp(a, "--no-topic") == 0) {
            cmd->no_topic = true;
        } else if (!cmd->is_pub && (strcmp(a, "-W") == 0 || strcmp(a, "--duration") == 0)) {
            NEED_VALUE("--duration <DURATION>");
            rc = parse_duration("--duration", value, &cmd->duration_ms);
        } else if (!cmd->is_pub && (strcmp(a, "-C") == 0 || strcmp(a, "--count") == 0)) {
            NEED_VALUE("--count <COUNT>");
            char *end;
            cmd->count = strtoull(value, &end, 10);
            if (*value < '0' || *value > '9' || *end || cmd->count == 0)
                return te_cli_usage_error("invalid value '%s' for '--count <COUNT>': expected a positive integer", value);
        } else if (strcmp(a, "--connection-timeout") == 0) {
            NEED_VALUE("--connection-timeout <DURATION>");
            rc = parse_duration("--connection-timeout", value, &cmd->connection_timeout_ms);
        } else if (a[0] == '-' && a[1] != '\0' && strcmp(a, "--") != 0) {
            return te_cli_usage_error("unexpected argument '%s' found", a);
        } else {
            if (strcmp(a, "--") == 0 && i + 1 < argc)
                a = argv[++i];
            if (n_positional >= wanted)
                return te_cli_usage_error("unexpected argument '%s' found", a);
            positional[n_positional++] = a;
        }
#undef NEED_VALUE
        if (rc != TE_EXIT_OK)
            return rc;
    }
    if (n_positional < wanted)
        return te_cli_usage_error("the following required arguments were not provided:\n  %s",
                                  n_positional == 0 ? (cmd->is_pub ? "<TOPIC>\n  <MESSAGE>" : "<TOPIC>") : "<MESSAGE>");
    cmd->topic = positional[0];
    cmd->message = positional[1];
    if (cmd->is_pub && mosquitto_pub_topic_check(cmd->topic) != MOSQ_ERR_SUCCESS)
        return te_cli_usage_error("invalid value '%s' for '<TOPIC>': Invalid topic name: \"%s\"", cmd->topic, cmd->topic);
    if (!cmd->is_pub && mosquitto_sub_topic_check(cmd->topic) != MOSQ_ERR_SUCCESS)
        return te_cli_usage_error("invalid value '%s' for '<TOPIC>': Invalid topic filter: \"%s\"", cmd->topic, cmd->topic);
    return TE_EXIT_OK;
}

static void cmd_close_handles(mqtt_cmd_t *cmd)
{
    uv_close((uv_handle_t *)&cmd->timeout_timer, NULL);
    uv_close((uv_handle_t *)&cmd->duration_timer, NULL);
    uv_close((uv_handle_t *)&cmd->sigint, NULL);
    uv_close((uv_handle_t *)&cmd->sigterm, NULL);
    te_bus_close(cmd->bus);
    cmd->bus = NULL;
}

static void on_bus_done(void *ctx)
{
    cmd_close_handles(ctx);
}

static void cmd_stop(mqtt_cmd_t *cmd, int exit_code)
{
    if (cmd->stopping)
        return;
    cmd->stopping = true;
    cmd->exit_code = exit_code;
    uv_timer_stop(&cmd->timeout_timer);
    if (exit_code == TE_EXIT_OK)
        te_bus_shutdown(cmd->bus, 10000, on_bus_done, cmd);
    else
        cmd_close_handles(cmd);
}

static void print_message(void *ctx, const te_msg_t *msg)
{
    mqtt_cmd_t *cmd = ctx;
    if (cmd->stopping)
        return;
    if (!cmd->no_topic)
        printf("[%s] ", msg->topic);
    bool utf8 = te_utf8_valid(msg->payload, msg->len);
    if (cmd->base64 || !utf8) {
        size_t n = te_base64_encoded_len(msg->len) + 1;
        char *text = malloc(n);
        if (text && te_base64_encode(msg->payload, msg->len, text, n) == TE_OK)
            printf("%s%s", utf8 ? "" : "<ERR=NON-UTF8> ", text);
        free(text);
    } else {
        fwrite(msg->payload, 1, msg->len, stdout);
    }
    putchar('\n');
    fflush(stdout);
    if (cmd->count && ++cmd->received >= cmd->count)
        cmd_stop(cmd, TE_EXIT_OK);
}

static void on_connection(void *ctx, bool connected)
{
    mqtt_cmd_t *cmd = ctx;
    if (!connected || cmd->connected_once)
        return;
    cmd->connected_once = true;
    uv_timer_stop(&cmd->timeout_timer);
    if (!cmd->is_pub)
        return;
    te_msg_t msg = {.topic = cmd->topic, .payload = cmd->payload, .len = cmd->payload_len,
                    .qos = cmd->qos, .retain = cmd->retain};
    te_err_t err = te_bus_publish(cmd->bus, &msg);
    if (err != TE_OK) {
        te_cli_fail("publish the message", "%s", te_strerror(err));
        cmd_stop(cmd, TE_EXIT_FAILURE);
        return;
    }
    cmd_stop(cmd, TE_EXIT_OK); /* waits for the PUBACK/PUBCOMP of QoS 1/2 */
}

static void on_timeout(uv_timer_t *timer)
{
    mqtt_cmd_t *cmd = timer->data;
    te_cli_fail(cmd->is_pub ? "publish the message" : "subscribe to the topic",
                "Connection timeout: no connection to the MQTT broker within %llu ms "
                "(is mosquitto running? check mqtt.client.host and mqtt.client.port)",
                cmd->connection_timeout_ms);
    cmd_stop(cmd, TE_EXIT_FAILURE);
}

static void on_duration(uv_timer_t *timer)
{
    cmd_stop(timer->data, TE_EXIT_OK);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    mqtt_cmd_t *cmd = sig->data;
    if (cmd->stopping)
        _exit(128 + signum); /* asked twice: do not wait for the broker any longer */
    cmd_stop(cmd, TE_EXIT_OK);
}

static int run(mqtt_cmd_t *cmd, const te_cli_ctx_t *ctx)
{
    char err[512];
    te_config_t *cfg = NULL;
    if (te_config_load(&cfg, ctx->config_dir, false, err, sizeof err) != TE_OK) {
        fprintf(stderr, "Error: %s\n", err);
        return TE_EXIT_FAILURE;
    }
    char client_id[64];
    snprintf(client_id, sizeof client_id, "tedge-%s-%ld", cmd->is_pub ? "pub" : "sub", (long)getpid());

    if (cmd->is_pub) {
        size_t len = strlen(cmd->message);
        if (cmd->base64) {
            cmd->payload = malloc(len / 4 * 3 + 1);
            if (!cmd->payload || te_base64_decode(cmd->message, len, cmd->payload, len / 4 * 3 + 1,
                                                  &cmd->payload_len) != TE_OK) {
                te_config_free(cfg);
                return te_cli_usage_error("invalid value for '<MESSAGE>': not valid base64");
            }
        } else {
            cmd->payload = strdup(cmd->message);
            cmd->payload_len = len;
        }
    }

    uv_loop_init(&cmd->loop);
    char password[TE_SERVICE_PASSWORD_MAX];
    te_bus_opts_t opts = {
        .client_id = client_id,
        .clean_session = true,
        .reconnect_min_ms = 100,
        .reconnect_max_ms = 1000,
        .on_connection = on_connection,
        .ctx = cmd,
    };
    if (te_service_bus_opts(cfg, &opts, password, err, sizeof err) != TE_OK) {
        te_config_free(cfg);
        free(cmd->payload);
        uv_loop_close(&cmd->loop);
        return te_cli_fail(cmd->is_pub ? "publish the message" : "subscribe to the topic", "%s", err);
    }
    te_err_t e = te_bus_open(&cmd->bus, &cmd->loop, &opts);
    te_config_free(cfg);
    if (e != TE_OK) {
        free(cmd->payload);
        uv_loop_close(&cmd->loop);
        return te_cli_fail("connect to the MQTT broker", "%s", te_strerror(e));
    }
    if (!cmd->is_pub && te_bus_subscribe(cmd->bus, cmd->topic, cmd->qos, print_message, cmd) != TE_OK) {
        te_bus_close(cmd->bus);
        uv_run(&cmd->loop, UV_RUN_DEFAULT);
        free(cmd->payload);
        uv_loop_close(&cmd->loop);
        return te_cli_usage_error("invalid value '%s' for '<TOPIC>'", cmd->topic);
    }
    uv_timer_init(&cmd->loop, &cmd->timeout_timer);
    uv_timer_init(&cmd->loop, &cmd->duration_timer);
    cmd->timeout_timer.data = cmd->duration_timer.data = cmd;
    if (cmd->connection_timeout_ms)
        uv_timer_start(&cmd->timeout_timer, on_timeout, cmd->connection_timeout_ms, 0);
    if (cmd->duration_ms)
        uv_timer_start(&cmd->duration_timer, on_duration, cmd->duration_ms, 0);
    uv_signal_init(&cmd->loop, &cmd->sigint);
    uv_signal_init(&cmd->loop, &cmd->sigterm);
    cmd->sigint.data = cmd->sigterm.data = cmd;
    uv_signal_start(&cmd->sigint, on_signal, SIGINT);
    uv_signal_start(&cmd->sigterm, on_signal, SIGTERM);

    uv_run(&cmd->loop, UV_RUN_DEFAULT);
    uv_loop_close(&cmd->loop);
    free(cmd->payload);
    return cmd->exit_code;
}

int te_cli_mqtt_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(mqtt_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? TE_EXIT_USAGE : TE_EXIT_OK;
    }
    mqtt_cmd_t cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.connection_timeout_ms = 10000;
    if (strcmp(argv[1], "pub") == 0) {
        cmd.is_pub = true;
        cmd.qos = 1;
    } else if (strcmp(argv[1], "sub") == 0) {
        cmd.qos = 0;
    } else {
        return te_cli_usage_error("unrecognized subcommand '%s'", argv[1]);
    }
    int rc = parse_args(&cmd, argc - 1, argv + 1);
    if (rc < 0)
        return TE_EXIT_OK; /* --help */
    if (rc != TE_EXIT_OK)
        return rc;
    return run(&cmd, ctx);
}
