/* tedge-mapper: `tedge-mapper <cloud> [ARGS]` runs tedge-mapper-<cloud> from
 * the same directory with ARGS, as thin-edge.io's service units call it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const clouds[] = {"c8y", "az", "aws", "collectd"};

static int usage(FILE *to, int code)
{
    fputs("tedge-mapper: runs the mapper of one cloud\n"
          "\n"
          "Usage: tedge-mapper [OPTIONS] <COMMAND>\n"
          "\n"
          "Commands:\n"
          "  c8y       Cumulocity IoT (runs tedge-mapper-c8y)\n"
          "  az        Azure IoT Hub (runs tedge-mapper-az)\n"
          "  aws       AWS IoT Core (runs tedge-mapper-aws)\n"
          "  collectd  collectd metrics (runs tedge-mapper-collectd)\n"
          "\n"
          "Options are passed on: --config-dir <DIR>, --log-level <LEVEL>, --debug.\n"
          "  -h, --help     Print help\n"
          "  -V, --version  Print version\n", to);
    return code;
}

int main(int argc, char **argv)
{
    /* The cloud may come after options: `tedge-mapper --config-dir D c8y`. */
    int cloud_at = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return usage(stdout, 0);
        if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("tedge-mapper %s\n", TEDGE_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--config-dir") == 0 || strcmp(argv[i], "--log-level") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] != '-') {
            cloud_at = i;
            break;
        }
    }
    if (cloud_at < 0)
        return usage(stderr, 2);
    const char *cloud = argv[cloud_at];
    int known = 0;
    for (size_t i = 0; i < sizeof clouds / sizeof clouds[0]; i++)
        known |= strcmp(cloud, clouds[i]) == 0;
    if (!known) {
        fprintf(stderr, "error: unrecognized subcommand '%s'\n\nFor more information, try '--help'.\n", cloud);
        return 2;
    }
    char self[PATH_MAX], target[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(target, sizeof target, "tedge-mapper-%s", cloud);
    } else {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        *slash = '\0';
        snprintf(target, sizeof target, "%s/tedge-mapper-%s", self, cloud);
    }
    /* argv for the mapper: its name, then every argument but the cloud. */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int k = 0;
    args[k++] = target;
    for (int i = 1; i < argc; i++)
        if (i != cloud_at)
            args[k++] = argv[i];
    args[k] = NULL;
    execv(target, args);
    if (errno == ENOENT)
        execvp(strrchr(target, '/') ? strrchr(target, '/') + 1 : target, args);
    fprintf(stderr, "Error: cannot run %s: %s\n", target, strerror(errno));
    return 1;
}
