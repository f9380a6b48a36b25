/* tedge-mapper-az: translates the local te/ API for Azure IoT Hub.
 * The conversions come with their own issue; until then the process runs on
 * the shared runtime (config, bus, health, signals) and converts nothing. */
#include "tedge/mapper.h"

static const te_mapper_def_t az_mapper = {
    .name = "tedge-mapper-az",
    .summary = "tedge-mapper-az: translates the local te/ MQTT API for Azure IoT Hub",
};

int main(int argc, char **argv)
{
    return te_mapper_main(&az_mapper, argc, argv);
}
