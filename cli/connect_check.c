/* connect_check: the connection checks of spec/cli.md §4.3, a round trip
 * through the local broker, the bridge and the cloud; and the Cumulocity
 * tenant check (the JWT's issuer).
 *
 * A fresh clean-session client per attempt, driven by mosquitto_loop() with a
 * deadline that moves with traffic: an attempt ends after
 * timing.response_timeout_s without any packet, as thin-edge.io's ends at its
 * first keepalive ping. (te_bus reconnects forever and hides SUBACK/PUBACK;
 * a one-shot check needs both, and a clear failure.) */
#include <errno.h>
#include <jansson.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connect.h"

typedef enum check_mode {
    MODE_C8Y_JWT,    /* s/uat -> 71,<jwt> on s/dat */
    MODE_C8Y_BASIC,  /* 123 on s/us -> 124,... on s/ds */
    MODE_AZ,         /* twin/GET -> twin/res */
    MODE_AWS,        /* test-connection -> connection-success (cloud echo) */
} check_mode_t;

typedef struct check {
    check_mode_t mode;
    const char *cloud_name;      /* "Cumulocity", "Azure", "AWS" */
    char response_topic[300];
    char request_topic[300];
    const char *request_payload;
    int request_qos;
    char health_topic[512];      /* c8y: wait for the bridge notification "1" */
    int request_mid;
    bool connack;
    int connack_rc;
    bool sent, acked, success, lost;
    char *iss;                   /* tenant check: where to put the issuer */
    size_t iss_size;
    char failure[TE_CONNECT_ERR_LEN];
    double last_activity;
} check_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_request(struct mosquitto *mosq, check_t *c)
{
    const char *payload = c->request_payload;
    int rc = mosquitto_publish(mosq, &c->request_mid, c->request_topic, (int)strlen(payload), payload,
                               c->request_qos, false);
    if (rc == MOSQ_ERR_SUCCESS)
        c->sent = true;
}

static void on_connect(struct mosquitto *mosq, void *ctx, int rc)
{
    check_t *c = ctx;
    c->connack = true;
    c->connack_rc = rc;
    c->last_activity = now_s();
    if (rc != 0)
        return;
    mosquitto_subscribe(mosq, NULL, c->response_topic, 1);
    if (c->health_topic[0])
        mosquitto_subscribe(mosq, NULL, c->health_topic, 1);
}

static void on_subscribe(struct mosquitto *mosq, void *ctx, int mid, int qos_count, const int *granted)
{
    (void)mid;
    (void)qos_count;
    (void)granted;
    check_t *c = ctx;
    c->last_activity = now_s();
    /* az and aws ask at once; c8y waits for the bridge to report it is up */
    if (!c->health_topic[0] && !c->sent)
        send_request(mosq, c);
}

static void on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
    (void)mosq;
    check_t *c = ctx;
    c->last_activity = now_s();
    if (mid == c->request_mid)
        c->acked = true;
}

static void on_disconnect(struct mosquitto *mosq, void *ctx, int rc)
{
    (void)mosq;
    (void)rc;
    check_t *c = ctx;
    c->lost = true;
}

static bool topic_matches(const char *filter, const char *topic)
{
    bool result = false;
    return mosquitto_topic_matches_sub(filter, topic, &result) == MOSQ_ERR_SUCCESS && result;
}

static void on_message(struct mosquitto *mosq, void *ctx, const struct mosquitto_message *msg)
{
    check_t *c = ctx;
    c->last_activity = now_s();
    char payload[4096];
    size_t len = (size_t)msg->payloadlen < sizeof payload - 1 ? (size_t)msg->payloadlen : sizeof payload - 1;
    if (len)
        memcpy(payload, msg->payload, len);
    payload[len] = '\0';
    if (c->health_topic[0] && strcmp(msg->topic, c->health_topic) == 0) {
        if (strchr(payload, '1'))
            send_request(mosq, c);
        return;
    }
    if (!topic_matches(c->response_topic, msg->topic))
        return;
    switch (c->mode) {
    case MODE_C8Y_JWT: {
        size_t id_len = strcspn(payload, ",");
        if (id_len != 2 || strncmp(payload, "71", 2) != 0)
            return;
        if (c->iss && te_jwt_issuer(payload, c->iss, c->iss_size, c->failure, sizeof c->failure) != TE_OK) {
            c->lost = true; /* ends the attempt with the decoding error */
            return;
        }
        c->success = true;
        break;
    }
    case MODE_C8Y_BASIC:
        if (strncmp(payload, "124", 3) == 0 && (payload[3] == ',' || payload[3] == '\0'))
            c->success = true;
        break;
    case MODE_AZ:
        /* thin-edge.io counts any twin response as an answer (spec §4.3) */
        c->success = true;
        break;
    case MODE_AWS:
        c->success = true;
        break;
    }
}

static void setup_check(check_t *c, const te_cloud_settings_t *s)
{
    const char *pfx = s->topic_prefix;
    c->request_mid = -1;
    switch (s->cloud) {
    case TE_CLOUD_C8Y:
        c->cloud_name = "Cumulocity";
        c->mode = s->basic_auth ? MODE_C8Y_BASIC : MODE_C8Y_JWT;
        if (s->basic_auth) {
            snprintf(c->response_topic, sizeof c->response_topic, "%s/s/ds", pfx);
            snprintf(c->request_topic, sizeof c->request_topic, "%s/s/us", pfx);
            c->request_payload = "123";
        } else {
            snprintf(c->response_topic, sizeof c->response_topic, "%s/s/dat", pfx);
            snprintf(c->request_topic, sizeof c->request_topic, "%s/s/uat", pfx);
            c->request_payload = "";
        }
        c->request_qos = 0;
        if (te_bridge_health_topic(s->topic_root, pfx, c->health_topic, sizeof c->health_topic) != TE_OK)
            c->health_topic[0] = '\0';
        break;
    case TE_CLOUD_AZ:
        c->cloud_name = "Azure";
        c->mode = MODE_AZ;
        snprintf(c->response_topic, sizeof c->response_topic, "%s/twin/res/#", pfx);
        snprintf(c->request_topic, sizeof c->request_topic, "%s/twin/GET/?$rid=1", pfx);
        c->request_payload = "";
        c->request_qos = 1;
        break;
    case TE_CLOUD_AWS:
        c->cloud_name = "AWS";
        c->mode = MODE_AWS;
        snprintf(c->response_topic, sizeof c->response_topic, "%s/connection-success", pfx);
        snprintf(c->request_topic, sizeof c->request_topic, "%s/test-connection", pfx);
        c->request_payload = "";
        c->request_qos = 1;
        break;
    }
}

/* Applies mqtt.client.auth.* to a client. Returns a mosquitto error code. */
static int apply_local_auth(struct mosquitto *mosq, const te_local_broker_t *local)
{
    int rc = MOSQ_ERR_SUCCESS;
    if (local->username || local->has_password)
        rc = mosquitto_username_pw_set(mosq, local->username ? local->username : "",
                                       local->has_password ? local->password : NULL);
    if (rc == MOSQ_ERR_SUCCESS && (local->ca_file || local->ca_dir))
        rc = mosquitto_tls_set(mosq, local->ca_file, local->ca_dir,
                               local->cert_file && local->key_file ? local->cert_file : NULL,
                               local->cert_file && local->key_file ? local->key_file : NULL, NULL);
    return rc;
}

/* Runs one exchange; TE_OK when the expected answer came. */
static te_err_t run_check(const te_cloud_settings_t *s, check_t *c, const char *client_prefix, char *err,
                          size_t errlen)
{
    char client_id[64];
    snprintf(client_id, sizeof client_id, "%s_%s-%ld", client_prefix, te_cloud_name(s->cloud), (long)getpid());
    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(client_id, true, c);
    if (!mosq) {
        snprintf(err, errlen, "%s", te_strerror(TE_ERR_NOMEM));
        return TE_ERR_NOMEM;
    }
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_subscribe_callback_set(mosq, on_subscribe);
    mosquitto_publish_callback_set(mosq, on_publish);
    mosquitto_message_callback_set(mosq, on_message);
    mosquitto_disconnect_callback_set(mosq, on_disconnect);
    te_err_t result = TE_OK;
    int rc = apply_local_auth(mosq, &s->local);
    if (rc == MOSQ_ERR_SUCCESS) {
        errno = 0;
        /* libmosquitto refuses keepalives under 5 s (test timings go lower) */
        int keepalive = s->timing.response_timeout_s < 5 ? 5 : (int)s->timing.response_timeout_s;
        rc = mosquitto_connect(mosq, s->local.host, s->local.port, keepalive);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "Failed to connect to mosquitto for connection check: %s",
                 rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
        mosquitto_destroy(mosq);
        return TE_ERR_NOCONN;
    }
    c->last_activity = now_s();
    for (;;) {
        rc = mosquitto_loop(mosq, 100, 1);
        if (c->success)
            break;
        if (c->connack && c->connack_rc != 0) {
            snprintf(err, errlen, "Failed to connect to mosquitto for connection check: %s",
                     mosquitto_connack_string(c->connack_rc));
            result = TE_ERR_NOCONN;
            break;
        }
        if (c->failure[0]) {
            snprintf(err, errlen, "%s", c->failure);
            result = TE_ERR_PARSE;
            break;
        }
        if (rc != MOSQ_ERR_SUCCESS || c->lost) {
            snprintf(err, errlen, "Client was disconnected from mosquitto during connection check");
            result = TE_ERR_NOCONN;
            break;
        }
        if (now_s() - c->last_activity > s->timing.response_timeout_s) {
            /* QoS 1 requests count as sent once acknowledged; QoS 0 once written */
            bool delivered = c->request_qos ? c->acked : c->sent;
            if (delivered)
                snprintf(err, errlen, "Didn't receive a response from %s", c->cloud_name);
            else if (s->cloud == TE_CLOUD_C8Y)
                snprintf(err, errlen, "Failed to verify device is connected to Cumulocity: "
                                      "Local MQTT publish has timed out");
            else
                snprintf(err, errlen, "Local MQTT publish has timed out");
            result = TE_ERR_TIMEOUT;
            break;
        }
    }
    mosquitto_disconnect(mosq);
    for (int i = 0; i < 5 && mosquitto_loop(mosq, 10, 1) == MOSQ_ERR_SUCCESS; i++)
        ;
    mosquitto_destroy(mosq);
    return result;
}

te_err_t te_connect_check_once(const te_cloud_settings_t *s, char *err, size_t errlen)
{
    check_t c = {0};
    setup_check(&c, s);
    return run_check(s, &c, "check_connection", err, errlen);
}

te_err_t te_connect_c8y_tenant(const te_cloud_settings_t *s, char *iss, size_t iss_size, char *err,
                               size_t errlen)
{
    check_t c = {0};
    setup_check(&c, s);
    c.mode = MODE_C8Y_JWT;
    snprintf(c.response_topic, sizeof c.response_topic, "%s/s/dat", s->topic_prefix);
    snprintf(c.request_topic, sizeof c.request_topic, "%s/s/uat", s->topic_prefix);
    c.request_payload = "";
    c.iss = iss;
    c.iss_size = iss_size;
    iss[0] = '\0';
    te_err_t rc = run_check(s, &c, "get_jwt_token", err, errlen);
    if (rc == TE_ERR_TIMEOUT)
        snprintf(err, errlen, "Timed out obtaining Cumulocity URL. %s",
                 c.sent ? "The request has been sent, however, no response was received"
                        : "Make sure mosquitto is running.");
    return rc;
}

static int b64url_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '-' || ch == '+')
        return 62;
    if (ch == '_' || ch == '/')
        return 63;
    return -1;
}

/* Decodes base64url (padding optional; the standard alphabet is accepted
 * too). Returns the decoded length or -1. */
static long b64url_decode(const char *in, size_t n, unsigned char *out, size_t out_size)
{
    while (n > 0 && in[n - 1] == '=')
        n--;
    size_t used = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (used >= out_size)
                return -1;
            out[used++] = (unsigned char)((acc >> bits) & 0xFF);
        }
    }
    if (bits >= 6)
        return -1;
    return (long)used;
}

te_err_t te_jwt_issuer(const char *token, char *iss, size_t iss_size, char *err, size_t errlen)
{
    const char *reason = NULL;
    const char *dot = strchr(token, '.');
    const char *payload = dot ? dot + 1 : NULL;
    size_t payload_len = payload ? strcspn(payload, ".") : 0;
    if (!payload || payload_len == 0) {
        reason = "JWT token format must be <header>.<payload>.<signature>.";
    } else {
        unsigned char decoded[4096];
        long n = b64url_decode(payload, payload_len, decoded, sizeof decoded);
        json_t *json = n < 0 ? NULL : json_loadb((const char *)decoded, (size_t)n, 0, NULL);
        const char *value = json_string_value(json_object_get(json, "iss"));
        if (n < 0)
            reason = "Cannot decode the payload of JWT token by Base64 without padding.";
        else if (!json)
            reason = "The payload of JWT token is not JSON.";
        else if (!value)
            reason = "The JSON decoded from JWT token doesn't contain 'iss' field.";
        else
            snprintf(iss, iss_size, "%s", value);
        json_decref(json);
    }
    if (!reason)
        return TE_OK;
    snprintf(err, errlen, "The JWT token received from Cumulocity is invalid.\nToken: %s\nReason: %s", token,
             reason);
    return TE_ERR_PARSE;
}
