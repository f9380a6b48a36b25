/* Unit tests for timefmt: RFC 3339 and unix times both ways (mqtt-api.md
 * §3.1, mapper-c8y.md §4.1, mapper-az-aws.md §4.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tedge/timefmt.h"

/* ---- RFC 3339 parsing: accepted inputs ---- */

typedef struct parse_ok_case {
    const char *name;
    const char *input;
    int64_t unix_s;
    int32_t nsec;
    int16_t offset_min;
    bool utc_z;
    const char *reformatted; /* te_time_format_rfc3339 of the result */
} parse_ok_case_t;

static const parse_ok_case_t PARSE_OK[] = {
    { "spec_example_with_offset_and_ms", "2021-04-30T17:03:14.123+02:00", 1619794994,
      123000000, 120, false, "2021-04-30T17:03:14.123+02:00" },
    { "c8y_example_keeps_offset", "2021-04-22T17:05:26.958+02:00", 1619103926, 958000000,
      120, false, "2021-04-22T17:05:26.958+02:00" },
    { "plus_zero_offset_reformats_as_z", "2021-01-01T05:30:45+00:00", 1609479045, 0, 0,
      false, "2021-01-01T05:30:45Z" },
    { "minus_zero_offset_reformats_as_z", "2021-01-01T05:30:45-00:00", 1609479045, 0, 0,
      false, "2021-01-01T05:30:45Z" },
    { "z_suffix", "2021-04-07T19:00:00Z", 1617822000, 0, 0, true, "2021-04-07T19:00:00Z" },
    { "lowercase_t_and_z", "2021-04-07t19:00:00z", 1617822000, 0, 0, true,
      "2021-04-07T19:00:00Z" },
    { "aws_example_plus_five", "2021-04-23T19:00:00+05:00", 1619186400, 0, 300, false,
      "2021-04-23T19:00:00+05:00" },
    { "negative_half_hour_offset", "2021-04-23T19:00:00-03:30", 1619217000, 0, -210, false,
      "2021-04-23T19:00:00-03:30" },
    { "india_offset", "2024-05-01T15:30:00.5+05:30", 1714557600, 500000000, 330, false,
      "2024-05-01T15:30:00.5+05:30" },
    { "epoch", "1970-01-01T00:00:00Z", 0, 0, 0, true, "1970-01-01T00:00:00Z" },
    { "before_epoch", "1969-12-31T23:59:59.25Z", -1, 250000000, 0, true,
      "1969-12-31T23:59:59.25Z" },
    { "fraction_trailing_zeros_dropped", "2023-12-08T10:00:46.500Z", 1702029646, 500000000,
      0, true, "2023-12-08T10:00:46.5Z" },
    { "fraction_all_zeros_dropped", "2023-12-08T10:00:46.000Z", 1702029646, 0, 0, true,
      "2023-12-08T10:00:46Z" },
    { "nine_fraction_digits", "2024-05-01T10:00:00.123456789Z", 1714557600, 123456789, 0,
      true, "2024-05-01T10:00:00.123456789Z" },
    { "one_nanosecond", "2024-05-01T10:00:00.000000001Z", 1714557600, 1, 0, true,
      "2024-05-01T10:00:00.000000001Z" },
    { "digits_past_nine_truncated", "2024-05-01T10:00:00.1234567899999Z", 1714557600,
      123456789, 0, true, "2024-05-01T10:00:00.123456789Z" },
    { "leap_day_2024", "2024-02-29T12:00:00Z", 1709208000, 0, 0, true,
      "2024-02-29T12:00:00Z" },
    { "leap_day_2000", "2000-02-29T00:00:00Z", 951782400, 0, 0, true,
      "2000-02-29T00:00:00Z" },
    { "year_zero", "0000-01-01T00:00:00Z", -62167219200, 0, 0, true,
      "0000-01-01T00:00:00Z" },
    { "year_9999_last_ns", "9999-12-31T23:59:59.999999999Z", 253402300799, 999999999, 0,
      true, "9999-12-31T23:59:59.999999999Z" },
    { "offset_crosses_date_line", "2021-01-01T00:30:00+01:00", 1609457400, 0, 60, false,
      "2021-01-01T00:30:00+01:00" },
    { "max_offset", "2021-01-01T00:00:00+23:59", 1609372860, 0, 1439, false,
      "2021-01-01T00:00:00+23:59" },
    { "leap_second_at_end_of_year", "2016-12-31T23:59:60Z", 1483228799, 999999999, 0, true,
      "2016-12-31T23:59:59.999999999Z" },
    { "leap_second_in_local_time_of_utc_month_end", "2017-01-01T00:59:60+01:00", 1483228799,
      999999999, 60, false, "2017-01-01T00:59:59.999999999+01:00" },
};

static void run_parse_ok(void **state)
{
    const parse_ok_case_t *c = *state;
    te_time_t t;
    char err[200] = "";
    te_err_t rc = te_time_parse_rfc3339(c->input, strlen(c->input), &t, err, sizeof err);
    if (rc != TE_OK)
        fail_msg("%s: rc %d: %s", c->input, rc, err);
    assert_int_equal(t.unix_s, c->unix_s);
    assert_int_equal(t.nsec, c->nsec);
    assert_int_equal(t.offset_min, c->offset_min);
    assert_int_equal(t.utc_z, c->utc_z);
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, c->reformatted);
}

/* ---- RFC 3339 parsing: rejected inputs ---- */

typedef struct parse_bad_case {
    const char *name;
    const char *input;
    size_t len; /* 0: strlen */
    const char *reason;
} parse_bad_case_t;

static const parse_bad_case_t PARSE_BAD[] = {
    { "date_only", "2013-06-22", 0,
      "expected 'T' between date and time at byte 10, found end of input" },
    { "date_with_3am", "2013-06-22 3am", 0,
      "expected 'T' between date and time at byte 10, found ' '" },
    { "february_30", "2021-02-30T00:00:00Z", 0, "day 30 out of range 1..=28 for 2021-02" },
    { "february_29_non_leap", "2023-02-29T00:00:00Z", 0,
      "day 29 out of range 1..=28 for 2023-02" },
    { "february_29_century", "1900-02-29T00:00:00Z", 0,
      "day 29 out of range 1..=28 for 1900-02" },
    { "april_31", "2021-04-31T00:00:00Z", 0, "day 31 out of range 1..=30 for 2021-04" },
    { "day_zero", "2021-04-00T00:00:00Z", 0, "day 0 out of range 1..=30 for 2021-04" },
    { "month_13", "2021-13-01T00:00:00Z", 0, "month 13 out of range 1..=12" },
    { "month_zero", "2021-00-01T00:00:00Z", 0, "month 0 out of range 1..=12" },
    { "hour_24", "2021-04-30T24:00:00Z", 0, "hour 24 out of range 0..=23" },
    { "minute_60", "2021-04-30T17:60:00Z", 0, "minute 60 out of range 0..=59" },
    { "second_61", "2021-04-30T17:03:61Z", 0, "second 61 out of range 0..=60" },
    { "leap_second_mid_month", "2021-06-15T12:00:60Z", 0,
      "second 60 is only valid as a leap second (23:59:60 UTC on the last day of a month)" },
    { "leap_second_local_not_utc", "2016-12-31T23:59:60+01:00", 0,
      "second 60 is only valid as a leap second (23:59:60 UTC on the last day of a month)" },
    { "no_offset", "2021-04-30T17:03:14", 0,
      "expected 'Z' or a +hh:mm/-hh:mm offset at byte 19, found end of input" },
    { "no_seconds", "2021-04-30T17:03Z", 0,
      "expected ':' after the minute at byte 16, found 'Z'" },
    { "empty_fraction", "2021-04-30T17:03:14.Z", 0,
      "expected a digit after '.' at byte 20, found 'Z'" },
    { "comma_fraction", "2021-04-30T17:03:14,123Z", 0,
      "expected 'Z' or a +hh:mm/-hh:mm offset at byte 19, found ','" },
    { "offset_without_colon", "2021-04-30T17:03:14+0200", 0,
      "expected ':' in the offset at byte 22, found '0'" },
    { "offset_hour_24", "2021-04-30T17:03:14+24:00", 0, "offset hour 24 out of range 0..=23" },
    { "offset_minute_60", "2021-04-30T17:03:14+01:60", 0,
      "offset minute 60 out of range 0..=59" },
    { "trailing_text", "2021-04-30T17:03:14Zjunk", 0,
      "unexpected 'j' at byte 20 after the offset" },
    { "trailing_nul", "2021-04-30T17:03:14Z\0", 21,
      "unexpected byte 0x00 at byte 20 after the offset" },
    { "two_digit_year", "21-04-30T17:03:14Z", 0,
      "expected a 4-digit year at byte 2, found '-'" },
    { "extended_year", "+2021-04-30T17:03:14Z", 0,
      "expected a 4-digit year at byte 0, found '+'" },
    { "one_digit_month", "2021-4-30T17:03:14Z", 0,
      "expected a 2-digit month at byte 6, found '-'" },
    { "leading_space", " 2021-04-30T17:03:14Z", 0,
      "expected a 4-digit year at byte 0, found ' '" },
    { "empty", "", 0, "expected a 4-digit year at byte 0, found end of input" },
    { "slashes", "2021/04/30T17:03:14Z", 0,
      "expected '-' after the year at byte 4, found '/'" },
    { "space_separator", "2021-04-30 17:03:14Z", 0,
      "expected 'T' between date and time at byte 10, found ' '" },
    { "unix_number_as_string", "1701949168", 0,
      "expected '-' after the year at byte 4, found '9'" },
};

static void run_parse_bad(void **state)
{
    const parse_bad_case_t *c = *state;
    te_time_t t = { 0 };
    char err[200] = "";
    size_t len = c->len ? c->len : strlen(c->input);
    assert_int_equal(te_time_parse_rfc3339(c->input, len, &t, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, c->reason);
}

static void test_parse_rejects_null_arguments(void **state)
{
    (void)state;
    te_time_t t;
    assert_int_equal(te_time_parse_rfc3339(NULL, 0, &t, NULL, 0), TE_ERR_INVAL);
    assert_int_equal(te_time_parse_rfc3339("2021-04-30T17:03:14Z", 20, NULL, NULL, 0),
                     TE_ERR_INVAL);
}

static void test_parse_reads_only_len_bytes(void **state)
{
    (void)state;
    const char text[] = "2021-04-30T17:03:14Z trailing";
    te_time_t t;
    assert_int_equal(te_time_parse_rfc3339(text, 20, &t, NULL, 0), TE_OK);
    assert_int_equal(t.unix_s, 1619802194);
}

static void test_parse_error_text_truncates_to_small_buffer(void **state)
{
    (void)state;
    te_time_t t;
    char err[8];
    assert_int_equal(te_time_parse_rfc3339("x", 1, &t, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "expecte");
}

/* ---- unix input ---- */

static void test_unix_integer_in_range_is_utc(void **state)
{
    (void)state;
    te_time_t t;
    assert_int_equal(te_time_from_unix_s(1701949168, &t, NULL, 0), TE_OK);
    assert_int_equal(t.unix_s, 1701949168);
    assert_int_equal(t.nsec, 0);
    assert_true(t.utc_z);
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "2023-12-07T11:39:28Z");
}

static void test_unix_integer_bounds_are_inclusive(void **state)
{
    (void)state;
    te_time_t t;
    char err[200];
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MAX, &t, err, sizeof err), TE_OK);
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MIN, &t, err, sizeof err), TE_OK);
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MAX, &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
}

static void test_unix_integer_above_range_has_spec_error_text(void **state)
{
    (void)state;
    te_time_t t;
    char err[200];
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MAX + 1, &t, err, sizeof err),
                     TE_ERR_RANGE);
    assert_string_equal(err, "Invalid unix timestamp (reading integer value in seconds): "
                             "253402300800; timestamp must be in the range "
                             "-377705116800..=253402300799");
}

static void test_unix_integer_below_range_has_spec_error_text(void **state)
{
    (void)state;
    te_time_t t;
    char err[200];
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MIN - 1, &t, err, sizeof err),
                     TE_ERR_RANGE);
    assert_string_equal(err, "Invalid unix timestamp (reading integer value in seconds): "
                             "-377705116801; timestamp must be in the range "
                             "-377705116800..=253402300799");
    assert_int_equal(te_time_from_unix_s(INT64_MIN, &t, NULL, 0), TE_ERR_RANGE);
}

static void test_unix_min_is_year_minus_9999_and_not_printable(void **state)
{
    (void)state;
    te_time_t t;
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_from_unix_s(TE_TIME_UNIX_MIN, &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_ERR_RANGE);
    assert_string_equal(buf, "");
    /* year 0000 is the first printable one */
    assert_int_equal(te_time_from_unix_s(-62167219200, &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "0000-01-01T00:00:00Z");
    assert_int_equal(te_time_from_unix_s(-62167219201, &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_ERR_RANGE);
}

typedef struct decimal_case {
    double input;
    int64_t unix_s;
    int32_t nsec;
} decimal_case_t;

static void test_unix_decimal_is_truncated_to_milliseconds(void **state)
{
    (void)state;
    static const decimal_case_t cases[] = {
        { 1701949168.001, 1701949168, 1000000 },
        { 1701949168.0019, 1701949168, 1000000 },
        { 1701949168.9999, 1701949168, 999000000 },
        { 1701949168.0, 1701949168, 0 },
        { 1765877875.135, 1765877875, 135000000 },
        { -1.5, -2, 500000000 },
        { -0.0005, 0, 0 },
        { -0.0015, -1, 999000000 },
        { 0.0, 0, 0 },
        { 253402300799.999, 253402300799, 999000000 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_time_t t;
        char err[200] = "";
        te_err_t rc = te_time_from_unix_double(cases[i].input, &t, err, sizeof err);
        if (rc != TE_OK || t.unix_s != cases[i].unix_s || t.nsec != cases[i].nsec)
            fail_msg("%.17g: rc %d, got %lld.%09d (%s)", cases[i].input, rc,
                     (long long)t.unix_s, (int)t.nsec, err);
        assert_true(t.utc_z);
    }
}

static void test_unix_decimal_out_of_range_names_the_value(void **state)
{
    (void)state;
    te_time_t t;
    char err[200];
    assert_int_equal(te_time_from_unix_double(253402300800.0, &t, err, sizeof err),
                     TE_ERR_RANGE);
    assert_string_equal(err, "Invalid unix timestamp (reading decimal value in seconds): "
                             "253402300800.0; timestamp must be in the range "
                             "-377705116800..=253402300799");
    assert_int_equal(te_time_from_unix_double(1e300, &t, err, sizeof err), TE_ERR_RANGE);
    assert_non_null(strstr(err, "1e300"));
    assert_int_equal(te_time_from_unix_double(-377705116800.5, &t, err, sizeof err),
                     TE_ERR_RANGE);
    assert_int_equal(te_time_from_unix_double(-377705116800.0, &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_from_unix_double(0.0 / 0.0, &t, err, sizeof err), TE_ERR_RANGE);
    assert_int_equal(te_time_from_unix_double(1.0 / 0.0, &t, err, sizeof err), TE_ERR_RANGE);
}

/* ---- printing ---- */

static void test_rfc3339_utc_precision_choices(void **state)
{
    (void)state;
    te_time_t t = { .unix_s = 1714557600, .nsec = 123456789, .offset_min = 120 };
    char buf[TE_TIME_STR_MAX];
    static const struct {
        int digits;
        const char *text;
    } cases[] = {
        { -1, "2024-05-01T10:00:00.123456789Z" }, { 0, "2024-05-01T10:00:00Z" },
        { 3, "2024-05-01T10:00:00.123Z" },        { 6, "2024-05-01T10:00:00.123456Z" },
        { 9, "2024-05-01T10:00:00.123456789Z" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(te_time_format_rfc3339_utc(&t, cases[i].digits, buf, sizeof buf),
                         TE_OK);
        assert_string_equal(buf, cases[i].text);
    }
    assert_int_equal(te_time_format_rfc3339_utc(&t, 10, buf, sizeof buf), TE_ERR_INVAL);
    assert_int_equal(te_time_format_rfc3339_utc(&t, -2, buf, sizeof buf), TE_ERR_INVAL);
    t.nsec = 500000000;
    assert_int_equal(te_time_format_rfc3339_utc(&t, -1, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "2024-05-01T10:00:00.5Z");
}

static void test_rfc3339_keeps_original_offset(void **state)
{
    (void)state;
    te_time_t t = { .unix_s = 1714557600, .nsec = 0, .offset_min = -330 };
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "2024-05-01T04:30:00-05:30");
}

static void test_rfc3339_small_buffer_is_toobig(void **state)
{
    (void)state;
    te_time_t t = { .unix_s = 0, .nsec = 0, .offset_min = 0, .utc_z = true };
    char buf[21];
    assert_int_equal(te_time_format_rfc3339(&t, buf, 20), TE_ERR_TOOBIG);
    assert_string_equal(buf, "");
    assert_int_equal(te_time_format_rfc3339(&t, buf, 21), TE_OK); /* 20 chars + NUL */
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
}

static void test_rfc3339_rejects_malformed_struct(void **state)
{
    (void)state;
    char buf[TE_TIME_STR_MAX];
    te_time_t bad_ns = { .unix_s = 0, .nsec = 1000000000 };
    te_time_t bad_offset = { .unix_s = 0, .nsec = 0, .offset_min = 1440 };
    assert_int_equal(te_time_format_rfc3339(&bad_ns, buf, sizeof buf), TE_ERR_RANGE);
    assert_int_equal(te_time_format_rfc3339(&bad_offset, buf, sizeof buf), TE_ERR_RANGE);
    assert_int_equal(te_time_format_rfc3339(NULL, buf, sizeof buf), TE_ERR_INVAL);
}

static void test_unix_float_output_matches_mapper_examples(void **state)
{
    (void)state;
    static const struct {
        te_time_t t;
        const char *text;
    } cases[] = {
        { { 1765877875, 135000000, 0, true }, "1765877875.135" },
        { { 1702029646, 0, 0, true }, "1702029646.0" },
        { { 1619186400, 0, 300, false }, "1619186400.0" },
        { { 1765877000, 500000000, 0, true }, "1765877000.5" },
        { { 1714676361, 361000000, 0, true }, "1714676361.361" },
        { { 1714676361, 123456789, 0, true }, "1714676361.1234567" },
        { { 0, 0, 0, true }, "0.0" },
        { { -2, 500000000, 0, true }, "-1.5" },
        { { -1, 0, 0, true }, "-1.0" },
        { { -1, 999000000, 0, true }, "-0.001" },
        { { 253402300799, 999000000, 0, true }, "253402300799.999" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[TE_TIME_STR_MAX];
        assert_int_equal(te_time_format_unix(&cases[i].t, buf, sizeof buf), TE_OK);
        assert_string_equal(buf, cases[i].text);
    }
}

static uint64_t next_random(uint64_t *seed);

/* thin-edge.io's (double)nanos / 1e9 would print 1714676361.3609998 for
 * .361; the nearest double to the decimal prints back as written. */
static void test_unix_float_of_millisecond_times_prints_exact_millis(void **state)
{
    (void)state;
    uint64_t seed = 0xa4093822299f31d0ULL;
    for (int i = 0; i < 20000; i++) {
        int64_t s = (int64_t)(next_random(&seed) % 4000000000ULL);
        int ms = (int)(next_random(&seed) % 1000);
        te_time_t t = { .unix_s = s, .nsec = ms * 1000000, .utc_z = true };
        char got[TE_TIME_STR_MAX], want[40];
        snprintf(want, sizeof want, "%lld.%03d", (long long)s, ms);
        size_t len = strlen(want);
        while (want[len - 1] == '0' && want[len - 2] != '.')
            want[--len] = '\0';
        assert_int_equal(te_time_format_unix(&t, got, sizeof got), TE_OK);
        if (strcmp(got, want) != 0)
            fail_msg("%lld + %d ms: got %s, want %s", (long long)s, ms, got, want);
    }
}

static void test_rfc3339_to_unix_float_for_aws(void **state)
{
    (void)state;
    /* mapper-az-aws §4.6: "2021-04-23T19:00:00+05:00" -> 1619186400.0 */
    const char *in = "2021-04-23T19:00:00+05:00";
    te_time_t t;
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_parse_rfc3339(in, strlen(in), &t, NULL, 0), TE_OK);
    assert_int_equal(te_time_format_unix(&t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "1619186400.0");
    assert_true(te_time_to_unix_double(&t) == 1619186400.0);
}

static void test_now_is_current_utc_with_nanoseconds(void **state)
{
    (void)state;
    time_t before = time(NULL);
    te_time_t t = te_time_now();
    time_t after = time(NULL);
    assert_true(t.unix_s >= before && t.unix_s <= after);
    assert_true(t.nsec >= 0 && t.nsec < 1000000000);
    assert_true(t.utc_z);
    assert_int_equal(t.offset_min, 0);
}

static void test_truncate_ms_drops_sub_millisecond_part(void **state)
{
    (void)state;
    te_time_t t = { .unix_s = 5, .nsec = 123456789 };
    te_time_truncate_ms(&t);
    assert_int_equal(t.nsec, 123000000);
    assert_int_equal(t.unix_s, 5);
    te_time_truncate_ms(NULL);
}

static uint64_t next_random(uint64_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

/* Independent check of the hand-written calendar against glibc's gmtime_r
 * (which has no TZ dependence) over the whole printable range. */
static void test_calendar_matches_gmtime_for_random_instants(void **state)
{
    (void)state;
    uint64_t seed = 0x243f6a8885a308d3ULL;
    const int64_t lo = -62167219200, hi = TE_TIME_UNIX_MAX;
    for (int i = 0; i < 50000; i++) {
        int64_t s = lo + (int64_t)(next_random(&seed) % (uint64_t)(hi - lo + 1));
        te_time_t t = { .unix_s = s, .nsec = 0, .utc_z = true };
        char mine[TE_TIME_STR_MAX], ref[64];
        assert_int_equal(te_time_format_rfc3339(&t, mine, sizeof mine), TE_OK);
        time_t tt = (time_t)s;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        snprintf(ref, sizeof ref, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (strcmp(mine, ref) != 0)
            fail_msg("%lld: mine %s, gmtime %s", (long long)s, mine, ref);
    }
}

static void test_format_then_parse_round_trips_random_times(void **state)
{
    (void)state;
    uint64_t seed = 0x13198a2e03707344ULL;
    for (int i = 0; i < 50000; i++) {
        int16_t offset = (int16_t)((int)(next_random(&seed) % 2879) - 1439);
        int64_t lo = -62167219200 + 1440 * 60, hi = TE_TIME_UNIX_MAX - 1440 * 60;
        te_time_t t = {
            .unix_s = lo + (int64_t)(next_random(&seed) % (uint64_t)(hi - lo)),
            .nsec = (int32_t)(next_random(&seed) % 1000000000),
            .offset_min = offset,
            .utc_z = offset == 0,
        };
        if (i % 3 == 0)
            t.nsec = (t.nsec / 1000000) * 1000000;
        char buf[TE_TIME_STR_MAX];
        assert_int_equal(te_time_format_rfc3339(&t, buf, sizeof buf), TE_OK);
        te_time_t back;
        char err[200] = "";
        if (te_time_parse_rfc3339(buf, strlen(buf), &back, err, sizeof err) != TE_OK)
            fail_msg("%s: %s", buf, err);
        if (back.unix_s != t.unix_s || back.nsec != t.nsec ||
            back.offset_min != t.offset_min || back.utc_z != t.utc_z)
            fail_msg("%s read back as %lld.%09d %+d", buf, (long long)back.unix_s,
                     (int)back.nsec, back.offset_min);
    }
}

#define ROW_TESTS(table, runner)                                                   \
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)                    \
        tests[n++] = (struct CMUnitTest){ table[i].name, runner, NULL, NULL,       \
                                          (void *)&table[i] }

int main(void)
{
    static struct CMUnitTest tests[128];
    size_t n = 0;
    ROW_TESTS(PARSE_OK, run_parse_ok);
    ROW_TESTS(PARSE_BAD, run_parse_bad);
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_parse_rejects_null_arguments),
        cmocka_unit_test(test_parse_reads_only_len_bytes),
        cmocka_unit_test(test_parse_error_text_truncates_to_small_buffer),
        cmocka_unit_test(test_unix_integer_in_range_is_utc),
        cmocka_unit_test(test_unix_integer_bounds_are_inclusive),
        cmocka_unit_test(test_unix_integer_above_range_has_spec_error_text),
        cmocka_unit_test(test_unix_integer_below_range_has_spec_error_text),
        cmocka_unit_test(test_unix_min_is_year_minus_9999_and_not_printable),
        cmocka_unit_test(test_unix_decimal_is_truncated_to_milliseconds),
        cmocka_unit_test(test_unix_decimal_out_of_range_names_the_value),
        cmocka_unit_test(test_rfc3339_utc_precision_choices),
        cmocka_unit_test(test_rfc3339_keeps_original_offset),
        cmocka_unit_test(test_rfc3339_small_buffer_is_toobig),
        cmocka_unit_test(test_rfc3339_rejects_malformed_struct),
        cmocka_unit_test(test_unix_float_output_matches_mapper_examples),
        cmocka_unit_test(test_unix_float_of_millisecond_times_prints_exact_millis),
        cmocka_unit_test(test_rfc3339_to_unix_float_for_aws),
        cmocka_unit_test(test_now_is_current_utc_with_nanoseconds),
        cmocka_unit_test(test_truncate_ms_drops_sub_millisecond_part),
        cmocka_unit_test(test_calendar_matches_gmtime_for_random_instants),
        cmocka_unit_test(test_format_then_parse_round_trips_random_times),
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("timefmt", tests, n, NULL, NULL);
}
