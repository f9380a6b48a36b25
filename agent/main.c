/* tedge-agent: device management on the local bus (restart, software,
 * configuration and log files). The commands come with their own issue; until
 * then the agent runs as a service: registration, health, clean shutdown. */
#include "tedge/service.h"

static const te_service_def_t agent_def = {
    .name = "tedge-agent",
    .summary = "tedge-agent: device management (restart, software, configuration, logs) over the local MQTT bus",
    .persistent_session = true,
};

int main(int argc, char **argv)
{
    te_service_t svc;
    int rc = te_service_init(&svc, &agent_def, argc, argv);
    if (rc >= 0)
        return rc;
    return te_service_run(&svc);
}
