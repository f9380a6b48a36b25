/* tedge-mapper-aws: forwards te/ telemetry to AWS IoT Core through the local
 * aws/td/<source>/<chan>/<type> topics (spec/mapper-az-aws.md §4); the
 * converter is common/src/conv_aws.c, the service the shared mapper runtime. */
#include "tedge/cloudmap.h"
#include "tedge/conv_aws.h"
#include "tedge/mapper.h"

static const te_mapper_def_t aws_mapper = {
    .name = "tedge-mapper-aws",
    .summary = "tedge-mapper-aws: translates the local te/ MQTT API for AWS IoT Core",
    .topics_key = "aws.topics",
    .name_key = "aws.bridge.topic_prefix",
    .out_arena_bytes = TE_CLOUDMAP_OUT_ARENA,
    .init = te_conv_aws_init,
    .convert = te_conv_aws_convert,
    .free = te_conv_aws_free,
};

int main(int argc, char **argv)
{
    return te_mapper_main(&aws_mapper, argc, argv);
}
