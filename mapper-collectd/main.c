/* tedge-mapper-collectd: batches collectd's MQTT output into Thin-Edge JSON
 * measurements. The conversion comes with its own issue; until then the
 * process runs on the shared runtime (config, bus, health, signals). */
#include "tedge/mapper.h"

static const te_mapper_def_t collectd_mapper = {
    .name = "tedge-mapper-collectd",
    .summary = "tedge-mapper-collectd: turns collectd metrics into thin-edge measurements",
};

int main(int argc, char **argv)
{
    return te_mapper_main(&collectd_mapper, argc, argv);
}
