/* conv_aws: tedge-mapper-aws's converter over the shared cloudmap pipeline. */
#include "tedge/conv_aws.h"

#include <stdlib.h>

#include "tedge/cloudmap.h"
#include "tedge/timefmt.h"

te_err_t te_conv_aws_init(void **state, te_config_t *cfg, te_out_t *out)
{
    te_cloudmap_t *m = malloc(sizeof *m);
    if (!m)
        return TE_ERR_NOMEM;
    char err[512];
    te_err_t rc = te_cloudmap_init_config(m, TE_CLOUD_AWS, cfg, err, sizeof err);
    if (rc != TE_OK) {
        te_out_errorf(out, "%s", err);
        free(m);
        return rc;
    }
    *state = m;
    return TE_OK;
}

te_err_t te_conv_aws_convert(void *state, const te_msg_t *in, te_out_t *out)
{
    te_time_t now = te_time_now();
    return te_cloudmap_convert(state, in, &now, out);
}

void te_conv_aws_free(void *state)
{
    te_cloudmap_free(state);
    free(state);
}
