/* conv_az: the converter of tedge-mapper-az (Azure IoT Hub), in the shape the mapper
 * runtime (mapper.h) calls: the shared pipeline of cloudmap.h configured
 * from the az.* keys, stamped with the wall clock at each message.
 *
 * Memory: init allocates the state (a te_cloudmap_t) that free releases. */
#ifndef TEDGE_CONV_AZ_H
#define TEDGE_CONV_AZ_H

#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/err.h"
#include "tedge/out.h"

/* Reads the az.* keys of cfg into a new state. On error out->error says why.
 * Returns TE_OK, TE_ERR_CONFIG or TE_ERR_NOMEM. */
te_err_t te_conv_az_init(void **state, te_config_t *cfg, te_out_t *out) TE_MUST_USE;

/* Converts one te/ message (see te_cloudmap_convert). */
te_err_t te_conv_az_convert(void *state, const te_msg_t *in, te_out_t *out) TE_MUST_USE;

/* Releases the state (NULL-safe). */
void te_conv_az_free(void *state);

#endif
