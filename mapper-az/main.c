/* tedge-mapper-az: forwards te/ telemetry to Azure IoT Hub through the local
 * az/messages/events/ topic (spec/mapper-az-aws.md §4); the converter is
 * common/src/conv_az.c, the service is the shared mapper runtime. */
#include "tedge/cloudmap.h"
#include "tedge/conv_az.h"
#include "tedge/mapper.h"

static const te_mapper_def_t az_mapper = {
    .name = "tedge-mapper-az",
    .summary = "tedge-mapper-az: translates the local te/ MQTT API for Azure IoT Hub",
    .topics_key = "az.topics",
    .name_key = "az.bridge.topic_prefix",
    .out_arena_bytes = TE_CLOUDMAP_OUT_ARENA,
    .init = te_conv_az_init,
    .convert = te_conv_az_convert,
    .free = te_conv_az_free,
};

int main(int argc, char **argv)
{
    return te_mapper_main(&az_mapper, argc, argv);
}
