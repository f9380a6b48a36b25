/* tedge-mapper-c8y: translates the local te/ API for Cumulocity IoT.
 * The conversions come with their own issue; until then the process runs on
 * the shared runtime (config, bus, health, signals) and converts nothing. */
#include "tedge/mapper.h"

static const te_mapper_def_t c8y_mapper = {
    .name = "tedge-mapper-c8y",
    .summary = "tedge-mapper-c8y: translates the local te/ MQTT API for Cumulocity IoT",
};

int main(int argc, char **argv)
{
    return te_mapper_main(&c8y_mapper, argc, argv);
}
