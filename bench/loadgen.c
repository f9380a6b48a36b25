/* bench/loadgen: publishes Thin-Edge JSON measurements and times their
 * converted copies.
 *
 * usage: loadgen PORT IN_TOPIC OUT_FILTER MODE COUNT [RATE]
 *   MODE flood:  publish COUNT messages (QoS 1) as fast as possible
 *   MODE paced:  publish COUNT messages at RATE per second
 * Each payload is {"seq":N,"t_us":T} with T the send time in microseconds
 * since the run started; a received message's latency is now - T (the first
 * number after "t_us" in whatever shape the converter produced).
 * Prints one JSON line: sent, received, elapsed_s, rate, p50_ms, p99_ms, max_ms. */
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long received;
static double *latencies_ms;
static long expected;
static double t0, t_last;
static volatile int subscribed;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_subscribe(struct mosquitto *m, void *o, int mid, int n, const int *q)
{
    (void)m; (void)o; (void)mid; (void)n; (void)q;
    subscribed = 1;
}

static void on_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg)
{
    (void)m; (void)o;
    double now = now_s();
    const char *p = msg->payload ? strstr(msg->payload, "t_us") : NULL;
    double sent_us = -1;
    if (p) {
        while (*p && (*p < '0' || *p > '9'))
            p++;
        sent_us = strtod(p, NULL);
    }
    pthread_mutex_lock(&lock);
    if (received < expected && sent_us >= 0)
        latencies_ms[received] = (now - t0) * 1e3 - sent_us / 1e3;
    received++;
    t_last = now;
    pthread_mutex_unlock(&lock);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: loadgen PORT IN_TOPIC OUT_FILTER flood|paced COUNT [RATE]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    const char *in_topic = argv[2], *out_filter = argv[3], *mode = argv[4];
    expected = atol(argv[5]);
    double rate = argc > 6 ? atof(argv[6]) : 1000;
    latencies_ms = calloc((size_t)expected, sizeof *latencies_ms);

    mosquitto_lib_init();
    struct mosquitto *sub = mosquitto_new(NULL, true, NULL);
    struct mosquitto *pub = mosquitto_new(NULL, true, NULL);
    mosquitto_max_inflight_messages_set(pub, 100);
    mosquitto_message_callback_set(sub, on_message);
    mosquitto_subscribe_callback_set(sub, on_subscribe);
    if (mosquitto_connect(sub, "127.0.0.1", port, 60) || mosquitto_connect(pub, "127.0.0.1", port, 60)) {
        fprintf(stderr, "loadgen: cannot connect\n");
        return 1;
    }
    mosquitto_subscribe(sub, NULL, out_filter, 1);
    mosquitto_loop_start(sub);
    mosquitto_loop_start(pub);
    for (int i = 0; i < 500 && !subscribed; i++)
        usleep(10000);

    t0 = now_s();
    char payload[128];
    for (long i = 0; i < expected; i++) {
        if (strcmp(mode, "paced") == 0) {
            double due = (double)i / rate;
            double wait = due - (now_s() - t0);
            if (wait > 0)
                usleep((useconds_t)(wait * 1e6));
        }
        int n = snprintf(payload, sizeof payload, "{\"seq\":%ld,\"t_us\":%.0f}", i, (now_s() - t0) * 1e6);
        while (mosquitto_publish(pub, NULL, in_topic, n, payload, 1, false) == MOSQ_ERR_NOMEM)
            usleep(1000);
    }
    /* wait for the outputs: give up after 10 s without progress */
    long last_seen = -1;
    double last_progress = now_s();
    for (;;) {
        pthread_mutex_lock(&lock);
        long r = received;
        pthread_mutex_unlock(&lock);
        if (r >= expected)
            break;
        if (r != last_seen) {
            last_seen = r;
            last_progress = now_s();
        } else if (now_s() - last_progress > 10) {
            break;
        }
        usleep(2000);
    }
    pthread_mutex_lock(&lock);
    long got = received;
    long n_lat = got < expected ? got : expected;
    qsort(latencies_ms, (size_t)n_lat, sizeof *latencies_ms, cmp);
    double elapsed = t_last - t0;
    printf("{\"sent\":%ld,\"received\":%ld,\"elapsed_s\":%.3f,\"rate\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
           expected, got, elapsed, elapsed > 0 ? (double)got / elapsed : 0,
           n_lat ? latencies_ms[n_lat / 2] : -1, n_lat ? latencies_ms[(long)(n_lat * 0.99)] : -1,
           n_lat ? latencies_ms[n_lat - 1] : -1);
    pthread_mutex_unlock(&lock);
    fflush(stdout);
    _exit(0);
}
