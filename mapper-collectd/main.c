/* tedge-mapper-collectd: batches collectd's MQTT output (collectd/#) into
 * grouped Thin-Edge JSON measurements on te/device/main///m/
 * (spec/mapper-az-aws.md §9); the converter is common/src/conv_collectd.c. */
#include "tedge/conv_collectd.h"
#include "tedge/mapper.h"

static const char *const collectd_filters[] = {"collectd/#", NULL};

static const te_mapper_def_t collectd_mapper = {
    .name = "tedge-mapper-collectd",
    .summary = "tedge-mapper-collectd: turns collectd metrics into thin-edge measurements",
    .filters = collectd_filters,
    .input_qos0 = true,
    .tick_ms = TE_COLLECTD_TICK_MS,
    .out_arena_bytes = TE_COLLECTD_OUT_ARENA,
    .init = te_conv_collectd_init,
    .convert = te_conv_collectd_convert,
    .tick = te_conv_collectd_tick,
    .stop = te_conv_collectd_stop,
    .free = te_conv_collectd_free,
};

int main(int argc, char **argv)
{
    return te_mapper_main(&collectd_mapper, argc, argv);
}
