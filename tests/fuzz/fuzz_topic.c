/* libFuzzer harness for topic: parses arbitrary bytes under root "te"; a
 * topic that parses must build back, re-parse to the same struct and build
 * to the same text (canonical form). The id and MQTT syntax helpers run on
 * the same bytes as a C string. abort() on any broken invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition)
        abort();
}

static void check_parsed(const te_topic_t *t)
{
    size_t slashes = 0;
    for (const char *p = t->entity_id; *p; p++) {
        slashes += *p == '/';
        require(*p != '+' && *p != '#');
    }
    require(slashes == 3);
    require(strchr(t->name, '/') == NULL && strchr(t->cmd_id, '/') == NULL);
    require(t->kind >= TE_CH_REGISTRATION && t->kind <= TE_CH_HEALTH);

    char buf[TE_TOPIC_MAX], again_buf[TE_TOPIC_MAX];
    require(te_topic_build("te", t, buf, sizeof buf) == TE_OK);
    te_topic_t again;
    require(te_topic_parse("te", buf, strlen(buf), &again) == TE_OK);
    require(strcmp(t->entity_id, again.entity_id) == 0);
    require(t->kind == again.kind);
    require(strcmp(t->name, again.name) == 0);
    require(strcmp(t->cmd_id, again.cmd_id) == 0);
    require(te_topic_build("te", &again, again_buf, sizeof again_buf) == TE_OK);
    require(strcmp(buf, again_buf) == 0);

    /* a parsed id is already normal, splits in 4, and answers the helpers */
    char id[TE_TOPIC_ID_MAX], name[TE_TOPIC_ID_MAX];
    require(te_topic_id_normalize(t->entity_id, id, sizeof id, NULL, 0) == TE_OK);
    require(strcmp(id, t->entity_id) == 0);
    const char *seg[4];
    size_t seg_len[4];
    require(te_topic_id_split(id, seg, seg_len) == TE_OK);
    bool is_default = te_topic_id_is_default_scheme(id);
    require((te_topic_id_device_name(id, name, sizeof name) == TE_OK) == is_default);
    if (te_topic_id_is_default_service(id)) {
        require(is_default);
        require(te_topic_id_service_name(id, name, sizeof name) == TE_OK);
        require(te_topic_id_default_parent(id, true, NULL, name, sizeof name) == TE_OK);
        require(te_topic_id_is_default_scheme(name));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    te_topic_t t;
    te_err_t rc = te_topic_parse("te", (const char *)data, size, &t);
    if (rc == TE_OK)
        check_parsed(&t);
    else
        require(rc == TE_ERR_NOTFOUND || rc == TE_ERR_PARSE || rc == TE_ERR_RANGE);

    char *text = malloc(size + 1);
    require(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    bool name_ok = te_topic_name_valid(text);
    bool filter_ok = te_topic_filter_valid(text);
    require(!name_ok || filter_ok); /* every topic name is also a filter */

    char id[TE_TOPIC_ID_MAX], again[TE_TOPIC_ID_MAX], err[128];
    if (te_topic_id_normalize(text, id, sizeof id, err, sizeof err) == TE_OK) {
        const char *seg[4];
        size_t seg_len[4];
        require(te_topic_id_split(id, seg, seg_len) == TE_OK);
        require(te_topic_id_normalize(id, again, sizeof again, NULL, 0) == TE_OK);
        require(strcmp(id, again) == 0);
        char topic[TE_TOPIC_MAX];
        te_err_t brc = te_topic_build_for("te", id, TE_CH_MEASUREMENT, "x", NULL, topic,
                                          sizeof topic);
        require(brc == TE_OK);
        te_topic_t back;
        require(te_topic_parse("te", topic, strlen(topic), &back) == TE_OK);
        require(strcmp(back.entity_id, id) == 0 && back.kind == TE_CH_MEASUREMENT);
    }
    free(text);
    return 0;
}
