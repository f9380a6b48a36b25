/* libFuzzer harness for tejson: arbitrary bytes through the measurement,
 * event and alarm parsers. A parse either succeeds with a consistent struct or
 * fails with a non-empty error text; every tree is released (ASan/LSan check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/tejson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *payload = (const char *)data;
    char err[512];

    static te_measurement_t m; /* ~6 KiB: keep it off the fuzzer's stack */
    err[0] = '\0';
    if (te_tejson_measurement_parse(payload, size, &m, err, sizeof err) == TE_OK) {
        if (m.count == 0)
            abort();
        te_tejson_measurement_free(&m);
    } else if (err[0] == '\0') {
        abort();
    }

    te_event_t ev;
    err[0] = '\0';
    if (te_tejson_event_parse(payload, size, &ev, err, sizeof err) == TE_OK)
        te_tejson_event_free(&ev);
    else if (err[0] == '\0')
        abort();

    te_alarm_t al;
    err[0] = '\0';
    if (te_tejson_alarm_parse(payload, size, &al, err, sizeof err) == TE_OK)
        te_tejson_alarm_free(&al);
    else if (err[0] == '\0')
        abort();
    return 0;
}
