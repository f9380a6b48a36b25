/* config_docs: the documentation and examples of the config keys, for
 * `tedge config list --doc` only (see config_keys.def: the same rows as the
 * key table, this time with their text). */
#include <stddef.h>

#include "config_internal.h"

#define KEY(name, type, def, from, doc, ex, nex) \
    .pub = {name, TE_CFG_##type, def, from, doc, ex, false}, .n_examples = nex
#define KEYTABLE static const te_config_keydef_t keydocs
#include "config_keys.def"

const char *te_config_key_doc(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd ? keydocs[te_config_keydef_index(kd)].pub.doc : NULL;
}

const char *te_config_key_example(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd ? keydocs[te_config_keydef_index(kd)].pub.example : NULL;
}
