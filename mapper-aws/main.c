/* tedge-mapper-aws: translates the local te/ API for AWS IoT Core.
 * The conversions come with their own issue; until then the process runs on
 * the shared runtime (config, bus, health, signals) and converts nothing. */
#include "tedge/mapper.h"

static const te_mapper_def_t aws_mapper = {
    .name = "tedge-mapper-aws",
    .summary = "tedge-mapper-aws: translates the local te/ MQTT API for AWS IoT Core",
};

int main(int argc, char **argv)
{
    return te_mapper_main(&aws_mapper, argc, argv);
}
