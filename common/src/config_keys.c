/* config_keys: the one table of tedge config keys (spec/cli.md §2.5), with
 * thin-edge.io's defaults, documentation and examples, and key lookup.
 *
 * Order: the order `tedge config list` prints, which is thin-edge.io's: in
 * each group, its own keys first, then its sub-groups. */
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

#define KEY(name, type, def, from, doc, ex, nex) \
    .pub = {name, TE_CFG_##type, def, from, doc, ex, false}, .n_examples = nex

static const char *const choices_auth[] = {"certificate", "basic", "auto", NULL};
static const char *const choices_sm_api[] = {"legacy", "advanced", NULL};
static const char *const choices_log_upload[] = {"never", "always", "on-failure", NULL};
static const char *const choices_cryptoki[] = {"off", "socket", "module", NULL};
static const char *const choices_apt[] = {"keepold", "keepnew", NULL};

#define ENUM_OF(list, message) .choices = list, .choice_error = message

#define DEVICE_ID_DOC "Identifier of the device within the fleet. It must be globally unique and is derived from the device certificate."
#define DEVICE_ID_EX "Raspberrypi-4d18303a-6d3a-11eb-b1a6-175f6bb72665"
#define KEY_PATH_DOC "Path where the device's private key is stored."
#define KEY_PATH_EX "/etc/tedge/device-certs/tedge-private-key.pem"
#define CERT_PATH_DOC "Path where the device's certificate is stored."
#define CERT_PATH_EX "/etc/tedge/device-certs/tedge-certificate.pem"
#define CSR_PATH_DOC "Path where the device's certificate signing request is stored."
#define CSR_PATH_EX "/etc/tedge/device-certs/tedge.csr"
#define KEY_URI_DOC "A PKCS#11 URI of the private key. See RFC #7512."
#define KEY_PIN_DOC "User PIN value for logging into the PKCS#11 token provided by the consumer."
#define ROOT_CERT_NOTE "The value can be a directory path as well as the path of the certificate file."
#define KEEPALIVE_DOC "The amount of time after which the bridge should send a ping if no other traffic has occurred."
#define PAYLOAD_DOC "The maximum message payload size that can be mapped to the cloud via MQTT."
#define CLOUD_TOPICS_EX "te/+/+/+/+/a/+,te/+/+/+/+/m/+,te/+/+/+/+/e/+"
#define CLOUD_TOPICS_DEFAULT "te/+/+/+/+/m/+,te/+/+/+/+/e/+,te/+/+/+/+/a/+,te/+/+/+/+/status/health"
#define TIMEFMT_EX "rfc-3339, unix"

/* The keys every cloud has under <cloud>.device. */
#define CLOUD_DEVICE(cloud)                                                              \
    {KEY(cloud ".device.id", STRING, NULL, "device.id", DEVICE_ID_DOC, DEVICE_ID_EX, 1), \
     .flags = TE_CFG_F_CLOUD_ID},                                                        \
    {KEY(cloud ".device.key_path", PATH, NULL, "device.key_path", KEY_PATH_DOC, KEY_PATH_EX, 1)}, \
    {KEY(cloud ".device.cert_path", PATH, NULL, "device.cert_path", CERT_PATH_DOC, CERT_PATH_EX, 1)}, \
    {KEY(cloud ".device.csr_path", PATH, NULL, "device.csr_path", CSR_PATH_DOC, CSR_PATH_EX, 1)}, \
    {KEY(cloud ".device.key_uri", STRING, NULL, NULL, KEY_URI_DOC,                       \
         "pkcs11:token=my-pkcs11-token;object=my-key", 1)},                              \
    {KEY(cloud ".device.key_pin", STRING, NULL, NULL, KEY_PIN_DOC, "123456, my-pin", 2)}

#define PAYLOAD_KEY(cloud, limit)                                                        \
    {KEY(cloud ".mapper.mqtt.max_payload_size", UINT, limit, NULL, PAYLOAD_DOC, limit, 1), \
     .check = TE_CFG_CHECK_PAYLOAD_LIMIT}

#define PREFIX_KEY(cloud, doc)                                                           \
    {KEY(cloud ".bridge.topic_prefix", STRING, cloud, NULL, doc, cloud, 1),              \
     .check = TE_CFG_CHECK_TOPIC_PREFIX},                                                \
    {KEY(cloud ".bridge.keepalive_interval", DURATION, "60s", NULL, KEEPALIVE_DOC, "60s", 1)}

#define TIMESTAMP_KEYS(cloud, name)                                                      \
    {KEY(cloud ".mapper.timestamp", BOOL, "true", NULL,                                  \
         "Whether the " name " mapper should add a timestamp or not.", "true", 1)},      \
    {KEY(cloud ".mapper.timestamp_format", TIMEFMT, "unix", NULL,                        \
         "The format that will be used by the mapper when sending timestamps to " name ".", \
         TIMEFMT_EX, 2)}

const te_config_keydef_t te_config_keydefs[] = {
    /* device */
    {KEY("device.id", STRING, NULL, NULL, DEVICE_ID_DOC, DEVICE_ID_EX, 1), .flags = TE_CFG_F_DEVICE_ID},
    {KEY("device.key_path", PATH, "/etc/tedge/device-certs/tedge-private-key.pem", NULL,
         KEY_PATH_DOC, KEY_PATH_EX, 1), .flags = TE_CFG_F_CFG_DIR},
    {KEY("device.cert_path", PATH, "/etc/tedge/device-certs/tedge-certificate.pem", NULL,
         CERT_PATH_DOC, CERT_PATH_EX, 1), .flags = TE_CFG_F_CFG_DIR},
    {KEY("device.csr_path", PATH, "/etc/tedge/device-certs/tedge.csr", NULL,
         CSR_PATH_DOC, CSR_PATH_EX, 1), .flags = TE_CFG_F_CFG_DIR},
    {KEY("device.key_uri", STRING, NULL, NULL, KEY_URI_DOC, "pkcs11:token=my-pkcs11-token;object=my-key", 1)},
    {KEY("device.key_pin", STRING, NULL, NULL, KEY_PIN_DOC, "123456, my-pin", 2)},
    {KEY("device.type", STRING, "thin-edge.io", NULL, "The default device type.", "thin-edge.io", 1)},
    {KEY("device.cryptoki.mode", ENUM, "off", NULL,
         "Whether to use a Hardware Security Module for authenticating the MQTT connection with the cloud. "
         "\"off\" to not use the HSM, \"module\" to use the provided cryptoki dynamic module, \"socket\" "
         "to access the HSM via tedge-p11-server signing service.", "off, module, socket", 3),
     ENUM_OF(choices_cryptoki, "Failed to parse flag: %s. Supported values are: off, module, socket")},
    {KEY("device.cryptoki.module_path", PATH, NULL, NULL,
         "A path to the PKCS#11 module used for interaction with the HSM. Needs to be set when "
         "`device.cryptoki.mode` is set to `module`.", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", 1)},
    {KEY("device.cryptoki.pin", STRING, "123456", NULL,
         "A default User PIN value for logging into the PKCS11 token. May be overridden on a per-key "
         "basis using device.key_pin config setting.", "123456", 1)},
    {KEY("device.cryptoki.uri", STRING, NULL, NULL,
         "A URI of the token/object to be used by tedge-p11-server.",
         "pkcs11:token=my-pkcs11-token;object=my-key", 1)},
    {KEY("device.cryptoki.socket_path", STRING, "/run/tedge-p11-server/tedge-p11-server.sock", NULL,
         "A path to the tedge-p11-server socket. Needs to be set when `device.cryptoki.mode` is set "
         "to `socket`.", "/run/tedge-p11-server/tedge-p11-server.sock", 1)},

    /* certificate */
    {KEY("certificate.organization", STRING, "Thin Edge", NULL,
         "Organization name used for certificate signing requests.", "ACME", 1)},
    {KEY("certificate.organization_unit", STRING, "Device", NULL,
         "Organization unit used for certificate signing requests.", "IoT", 1)},
    {KEY("certificate.validity.requested_duration", DURATION, "365d", NULL,
         "Requested validity duration for a new certificate.", "365d", 1),
     .note = "The CA might return certificates valid for period shorter than requested"},
    {KEY("certificate.validity.minimum_duration", DURATION, "30d", NULL,
         "Minimum validity duration below which a new certificate should be requested.", "30d", 1),
     .note = "This is an advisory setting and the renewal has to be scheduled"},

    /* c8y */
    {KEY("c8y.url", URL, NULL, NULL, "Endpoint URL of Cumulocity tenant.", "your-tenant.cumulocity.com", 1)},
    {KEY("c8y.root_cert_path", PATH, "/etc/ssl/certs", NULL,
         "The path where Cumulocity root certificate(s) are stored.",
         "/etc/tedge/c8y-trusted-root-certificates.pem", 1), .note = ROOT_CERT_NOTE},
    {KEY("c8y.auth_method", ENUM, "certificate", NULL,
         "The authentication method used to connect Cumulocity.", "certificate, basic, auto", 3),
     .note = "In the auto mode, basic auth is used if c8y.credentials_path is set",
     ENUM_OF(choices_auth, "Failed to parse flag: %s. Supported values are: 'certificate', 'basic' or 'auto'")},
    {KEY("c8y.credentials_path", PATH, "/etc/tedge/credentials.toml", NULL,
         "The path where Cumulocity username/password are stored.", "/etc/tedge/credentials.toml", 1),
     .note = "The value must be the path of the credentials file.", .flags = TE_CFG_F_CFG_DIR},
    {KEY("c8y.http", HOSTPORT, NULL, "c8y.url", "HTTP Endpoint for the Cumulocity tenant, with optional port.",
         "http.your-tenant.cumulocity.com:1234", 1), .default_port = 443},
    {KEY("c8y.mqtt", HOSTPORT, NULL, "c8y.url", "MQTT Endpoint for the Cumulocity tenant, with optional port.",
         "mqtt.your-tenant.cumulocity.com:1234", 1), .default_port = 8883},
    {KEY("c8y.topics", LIST,
         "te/+/+/+/+,te/+/+/+/+/twin/+,te/+/+/+/+/m/+,te/+/+/+/+/m/+/meta,te/+/+/+/+/e/+,"
         "te/+/+/+/+/a/+,te/+/+/+/+/status/health", NULL,
         "Set of MQTT topics the Cumulocity mapper should subscribe to.",
         "te/+/+/+/+/a/+,te/+/+/+/+/m/+,te/+/+/+/+/m/+/meta,te/+/+/+/+/e/+", 1)},
    CLOUD_DEVICE("c8y"),
    {KEY("c8y.smartrest.templates", LIST, "", NULL,
         "Set of SmartREST template IDs the device should subscribe to.", "templateId1,templateId2", 1)},
    {KEY("c8y.smartrest.use_operation_id", BOOL, "true", NULL,
         "Switch using 501-503 (without operation ID) or 504-506 (with operation ID) SmartREST messages "
         "for operation status update.", "true", 1)},
    {KEY("c8y.smartrest.child_device.create_with_device_marker", BOOL, "false", NULL,
         "Attach the c8y_IsDevice fragment to child devices on creation.", "false", 1)},
    {KEY("c8y.smartrest1.templates", LIST, "", NULL,
         "Set of SmartREST 1.0 template IDs the device should subscribe to.", "templateId1,templateId2", 1)},
    {KEY("c8y.enable.log_upload", BOOL, "true", NULL, "Enable log_upload feature.", "true", 1)},
    {KEY("c8y.enable.config_snapshot", BOOL, "true", NULL, "Enable config_snapshot feature.", "true", 1)},
    {KEY("c8y.enable.config_update", BOOL, "true", NULL, "Enable config_update feature.", "true", 1)},
    {KEY("c8y.enable.firmware_update", BOOL, "true", NULL, "Enable firmware_update feature.", "true", 1)},
    {KEY("c8y.enable.device_profile", BOOL, "true", NULL, "Enable device_profile feature.", "true", 1)},
    {KEY("c8y.enable.device_restart", BOOL, "true", NULL, "Enable device_restart feature.", "true", 1)},
    {KEY("c8y.enable.software_update", BOOL, "true", NULL, "Enable software_update feature.", "true", 1)},
    PAYLOAD_KEY("c8y", "16184"),
    {KEY("c8y.proxy.cert_path", PATH, NULL, NULL,
         "The file that will be used as the server certificate for the Cumulocity proxy.",
         "/etc/tedge/device-certs/c8y_proxy_certificate.pem", 1)},
    {KEY("c8y.proxy.key_path", PATH, NULL, NULL,
         "The file that will be used as the server private key for the Cumulocity proxy.",
         "/etc/tedge/device-certs/c8y_proxy_key.pem", 1)},
    {KEY("c8y.proxy.ca_path", PATH, NULL, NULL,
         "Path to a file containing the PEM encoded CA certificates that are trusted when checking "
         "incoming client certificates for the Cumulocity Proxy.", "/etc/ssl/certs", 1)},
    {KEY("c8y.proxy.bind.address", IP, "127.0.0.1", NULL,
         "The IP address local Cumulocity HTTP proxy binds to.", "127.0.0.1", 1)},
    {KEY("c8y.proxy.bind.port", PORT, "8001", NULL, "The port local Cumulocity HTTP proxy binds to.", "8001", 1)},
    {KEY("c8y.proxy.client.host", STRING, "127.0.0.1", NULL,
         "The address of the host on which the local Cumulocity HTTP Proxy is running, used by the "
         "Cumulocity mapper.", "127.0.0.1, 192.168.1.2, tedge-hostname", 3)},
    {KEY("c8y.proxy.client.port", PORT, NULL, "c8y.proxy.bind.port",
         "The port number on the remote host on which the local Cumulocity HTTP Proxy is running, used "
         "by the Cumulocity mapper.", "8001", 1)},
    PREFIX_KEY("c8y", "The topic prefix that will be used for the bridge MQTT topic. For instance, if "
                      "this is set to \"c8y\", then messages published to `c8y/s/us` will be forwarded "
                      "to Cumulocity on the `s/us` topic."),
    {KEY("c8y.bridge.include.local_cleansession", AUTOFLAG, "auto", NULL,
         "Set the bridge local clean session flag (this requires mosquitto >= 2.0.0).", "auto", 1),
     .note = "If set to 'auto', this cleans the local session accordingly the detected version of mosquitto."},
    {KEY("c8y.entity_store.auto_register", BOOL, "true", NULL, "Enable auto registration feature.", "true", 1)},
    {KEY("c8y.entity_store.clean_start", BOOL, "true", NULL,
         "On a clean start, the whole state of the device, services and child-devices is resent to the cloud.",
         "true", 1)},
    {KEY("c8y.software_management.api", ENUM, "legacy", NULL,
         "Switch legacy or advanced software management API to use. Value: legacy or advanced.", "advanced", 1),
     ENUM_OF(choices_sm_api, "Failed to parse flag: %s. Supported values are: legacy, advanced")},
    {KEY("c8y.software_management.with_types", BOOL, "false", NULL,
         "Enable publishing c8y_SupportedSoftwareTypes fragment to the c8y inventory API.", "true", 1)},
    {KEY("c8y.operations.auto_log_upload", ENUM, "on-failure", NULL,
         "Auto-upload the operation log once it finishes.", "always, never, on-failure", 3),
     ENUM_OF(choices_log_upload,
             "Failed to parse flag: %s. Supported values are: 'never', 'always' or 'on-failure'")},
    {KEY("c8y.availability.enable", BOOL, "true", NULL,
         "Enable sending heartbeat to Cumulocity periodically. If set to false, c8y_RequiredAvailability "
         "won't be sent.", "true", 1)},
    {KEY("c8y.availability.interval", DURATION, "60m", NULL,
         "Heartbeat interval to be sent to Cumulocity as c8y_RequiredAvailability. The value must be "
         "greater than 1 minute. If set to a lower value or 0, the device is considered in maintenance "
         "mode in the Cumulocity context. Details: "
         "https://cumulocity.com/docs/device-integration/fragment-library/#device-availability.", "60m", 1)},
    {KEY("c8y.mqtt_service.enabled", BOOL, "false", NULL,
         "Whether to connect to the MQTT service endpoint or not.", "true", 1)},
    {KEY("c8y.mqtt_service.topics", LIST, "", NULL,
         "Set of MQTT topics the bridge should subscribe to on the Cumulocity MQTT service endpoint.",
         "incoming/topic,another/topic,test/topic", 1), .check = TE_CFG_CHECK_TOPIC_FILTERS},

    /* az */
    {KEY("az.url", URL, NULL, NULL, "Endpoint URL of Azure IoT tenant.", "myazure.azure-devices.net", 1)},
    {KEY("az.root_cert_path", PATH, "/etc/ssl/certs", NULL,
         "The path where Azure IoT root certificate(s) are stored.",
         "/etc/tedge/az-trusted-root-certificates.pem", 1), .note = ROOT_CERT_NOTE},
    {KEY("az.topics", LIST, CLOUD_TOPICS_DEFAULT, NULL,
         "Set of MQTT topics the Azure IoT mapper should subscribe to.", CLOUD_TOPICS_EX, 1)},
    CLOUD_DEVICE("az"),
    TIMESTAMP_KEYS("az", "Azure IoT"),
    PAYLOAD_KEY("az", "262144"),
    PREFIX_KEY("az", "The topic prefix that will be used for the bridge MQTT topic. For instance, if "
                     "this is set to \"az\", then messages published to `az/twin/GET/#` will be "
                     "forwarded to Azure on the `$iothub/twin/GET/#` topic."),

    /* aws */
    {KEY("aws.url", URL, NULL, NULL, "Endpoint URL of AWS IoT tenant.", "your-endpoint.amazonaws.com", 1)},
    {KEY("aws.root_cert_path", PATH, "/etc/ssl/certs", NULL,
         "The path where AWS IoT root certificate(s) are stored.",
         "/etc/tedge/aws-trusted-root-certificates.pem", 1), .note = ROOT_CERT_NOTE},
    {KEY("aws.topics", LIST, CLOUD_TOPICS_DEFAULT, NULL,
         "Set of MQTT topics the AWS IoT mapper should subscribe to.", CLOUD_TOPICS_EX, 1)},
    CLOUD_DEVICE("aws"),
    TIMESTAMP_KEYS("aws", "AWS IoT"),
    PAYLOAD_KEY("aws", "131072"),
    PREFIX_KEY("aws", "The topic prefix that will be used for the bridge MQTT topic. For instance, if "
                      "this is set to \"aws\", then messages published to `aws/shadow/#` will be "
                      "forwarded to AWS on the `$aws/things/shadow/#` topic."),

    /* mqtt */
    {KEY("mqtt.topic_root", STRING, "te", NULL, "MQTT topic root.", "te", 1)},
    {KEY("mqtt.device_topic_id", STRING, "device/main//", NULL, "The device MQTT topic identifier.",
         "device/main//, device/child_001//", 2)},
    {KEY("mqtt.bind.address", IP, "127.0.0.1", NULL, "The address mosquitto binds to for internal use.",
         "127.0.0.1", 1)},
    {KEY("mqtt.bind.port", PORT, "1883", NULL, "The port mosquitto binds to for internal use.", "1883", 1)},
    {KEY("mqtt.client.host", STRING, "127.0.0.1", NULL,
         "The host that the thin-edge MQTT client should connect to.", "127.0.0.1", 1)},
    {KEY("mqtt.client.port", PORT, NULL, "mqtt.bind.port",
         "The port that the thin-edge MQTT client should connect to.", NULL, 0)},
    {KEY("mqtt.client.auth.ca_file", PATH, NULL, NULL,
         "Path to the CA certificate used by MQTT clients to use when authenticating the MQTT broker.",
         "/etc/mosquitto/ca_certificates/ca.crt", 1)},
    {KEY("mqtt.client.auth.ca_dir", PATH, NULL, NULL,
         "Path to the directory containing the CA certificates used by MQTT clients when authenticating "
         "the MQTT broker.", "/etc/mosquitto/ca_certificates", 1)},
    {KEY("mqtt.client.auth.cert_file", PATH, NULL, NULL, "Path to the client certificate.",
         "/etc/mosquitto/auth_certificates/cert.pem", 1)},
    {KEY("mqtt.client.auth.key_file", PATH, NULL, NULL, "Path to the client private key.",
         "/etc/mosquitto/auth_certificates/key.pem", 1)},
    {KEY("mqtt.client.auth.username", STRING, NULL, NULL, "Client username.", "myuser", 1)},
    {KEY("mqtt.client.auth.password_file", PATH, NULL, NULL, "Path to the client password file.",
         "/etc/tedge/.client_password", 1)},
    {KEY("mqtt.external.ca_path", PATH, NULL, NULL,
         "Path to a file containing the PEM encoded CA certificates that are trusted when checking "
         "incoming client certificates.", "/etc/ssl/certs", 1)},
    {KEY("mqtt.external.cert_file", PATH, NULL, NULL,
         "Path to the certificate file which is used by the external MQTT listener.",
         "/etc/tedge/device-certs/tedge-certificate.pem", 1),
     .note = "This setting shall be used together with `mqtt.external.key_file` for external connections."},
    {KEY("mqtt.external.key_file", PATH, NULL, NULL,
         "Path to the key file which is used by the external MQTT listener.",
         "/etc/tedge/device-certs/tedge-private-key.pem", 1),
     .note = "This setting shall be used together with `mqtt.external.cert_file` for external connections."},
    {KEY("mqtt.external.bind.port", PORT, NULL, NULL, "The port mosquitto binds to for external use.",
         "8883", 1)},
    {KEY("mqtt.external.bind.address", IP, NULL, NULL, "The address mosquitto binds to for external use.",
         "0.0.0.0", 1)},
    {KEY("mqtt.external.bind.interface", STRING, NULL, NULL,
         "Name of the network interface which mosquitto limits incoming connections on.", "wlan0", 1)},
    {KEY("mqtt.bridge.built_in", BOOL, "false", NULL, "Enables the built-in bridge when running tedge-mapper.",
         "false", 1),
     .note = "After changing this value, run `tedge reconnect <cloud>` to apply the changes"},
    {KEY("mqtt.bridge.reconnect_policy.initial_interval", DURATION, "30s", NULL,
         "The minimum time the built-in bridge will wait before reconnecting.", "30s", 1)},
    {KEY("mqtt.bridge.reconnect_policy.maximum_interval", DURATION, "10m", NULL,
         "The maximum time the built-in bridge will wait before reconnecting.", "10m", 1)},
    {KEY("mqtt.bridge.reconnect_policy.reset_window", DURATION, "5m", NULL,
         "How long to wait after successful reconnection before resetting the reconnect timeout.", "5m", 1)},

    /* http */
    {KEY("http.cert_path", PATH, NULL, NULL,
         "The file that will be used as the server certificate for the File Transfer Service.",
         "/etc/tedge/device-certs/file_transfer_certificate.pem", 1)},
    {KEY("http.key_path", PATH, NULL, NULL,
         "The file that will be used as the server private key for the File Transfer Service.",
         "/etc/tedge/device-certs/file_transfer_key.pem", 1)},
    {KEY("http.ca_path", PATH, NULL, NULL,
         "Path to a directory containing the PEM encoded CA certificates that are trusted when checking "
         "incoming client certificates for the File Transfer Service.", "/etc/ssl/certs", 1)},
    {KEY("http.bind.port", PORT, "8000", NULL,
         "The port number of the File Transfer Service HTTP server binds to for internal use.", "8000", 1)},
    {KEY("http.bind.address", IP, "127.0.0.1", "mqtt.external.bind.address,mqtt.bind.address",
         "The address of the File Transfer Service HTTP server binds to for internal use.",
         "127.0.0.1, 192.168.1.2, 0.0.0.0", 3)},
    {KEY("http.client.port", PORT, "8000", NULL,
         "The port number on the remote host on which the File Transfer Service HTTP server is running.",
         "8000", 1)},
    {KEY("http.client.host", STRING, "127.0.0.1", NULL,
         "The address of the host on which the File Transfer Service HTTP server is running.",
         "127.0.0.1, 192.168.1.2, tedge-hostname", 3)},
    {KEY("http.client.auth.cert_file", PATH, NULL, NULL,
         "Path to the certificate which is used by the agent when connecting to external services.", NULL, 0)},
    {KEY("http.client.auth.key_file", PATH, NULL, NULL,
         "Path to the private key which is used by the agent when connecting to external services.", NULL, 0)},

    /* agent */
    {KEY("agent.state.path", PATH, "/data/tedge/agent", NULL,
         "The directory where the tedge-agent persists its state across restarts.", "/data/tedge/agent", 1),
     .note = "If the given directory doesn't exists, `/etc/tedge/.agent` is used as a fallback "
             "irrespective of the current setting."},
    {KEY("agent.enable.config_update", BOOL, "true", NULL,
         "Determines if tedge-agent should enable config_update operation.", "true", 1)},
    {KEY("agent.enable.config_snapshot", BOOL, "true", NULL,
         "Determines if tedge-agent should enable config_snapshot operation.", "true", 1)},
    {KEY("agent.enable.log_upload", BOOL, "true", NULL,
         "Determines if tedge-agent should enable log_upload operation.", "true", 1)},
    {KEY("agent.entity_store.auto_register", BOOL, "true", NULL, "Enable auto registration feature.", "true", 1)},
    {KEY("agent.entity_store.clean_start", BOOL, "true", NULL,
         "On a clean start, the whole state of the device, services and child-devices is resent to the cloud.",
         "true", 1)},

    /* software */
    {KEY("software.plugin.default", STRING, NULL, NULL,
         "The default software plugin to be used for software management on the device.", "apt", 1)},
    {KEY("software.plugin.max_packages", UINT, "1000", NULL,
         "The maximum number of software packages reported for each type of software package.", "1000", 1)},
    {KEY("software.plugin.include", STRING, NULL, NULL,
         "The filtering criterion, in form of regex, that is used to filter packages list output.",
         "^(tedge|c8y).*", 1)},
    {KEY("software.plugin.exclude", STRING, NULL, NULL,
         "The filtering criterion, in form of regex, that is used to filter out packages from the output list.",
         "^(glibc|lib|kernel-|iptables-module).*", 1)},

    /* run, logs, tmp, data */
    {KEY("run.path", PATH, "/run", NULL,
         "The directory used to store runtime information, such as file locks.", "/run", 1)},
    {KEY("run.lock_files", BOOL, "true", NULL, "Whether to create a lock file or not.", "true", 1)},
    {KEY("run.log_memory_interval", DURATION, "0", NULL,
         "Interval at which the memory usage is logged (in seconds if no unit is provided). Logging is "
         "disabled if set to 0.", "60s", 1)},
    {KEY("logs.path", PATH, "/var/log/tedge", NULL, "The directory used to store logs.", "/var/log/tedge", 1)},
    {KEY("tmp.path", PATH, "/tmp", NULL, "The temporary directory used to download files to the device.",
         "/tmp", 1)},
    {KEY("data.path", PATH, "/var/tedge", NULL,
         "The directory used to store data like cached files, runtime metadata, etc.", "/var/tedge", 1)},

    /* firmware, service, apt, sudo */
    {KEY("firmware.child.update.timeout", DURATION, "1h", NULL,
         "The timeout limit in seconds for firmware update operations on child devices.", "1h", 1)},
    {KEY("service.type", STRING, "service", NULL, "The thin-edge.io service's service type.", "systemd", 1)},
    {KEY("service.timestamp_format", TIMEFMT, "unix", NULL,
         "The format that will be used for the timestamp when generating service \"up\" messages in "
         "thin-edge JSON.", TIMEFMT_EX, 2)},
    {KEY("apt.name", STRING, NULL, NULL,
         "The filtering criterion that is used to filter packages list output by name.", "tedge.*", 1)},
    {KEY("apt.maintainer", STRING, NULL, NULL,
         "The filtering criterion that is used to filter packages list output by maintainer.",
         "thin-edge.io team.*", 1)},
    {KEY("apt.dpkg.options.config", ENUM, "keepold", NULL,
         "dpkg configuration option used to control the dpkg options \"--force-confold\" and "
         "\"--force-confnew\" and are applied when installing apt packages via the tedge-apt-plugin. "
         "Accepts either 'keepold' or 'keepnew'.", "keepold, keepnew", 2),
     .note = "If set to 'keepold', this keeps the old configuration files of the package that is being installed",
     ENUM_OF(choices_apt, "Failed to parse flag: %s. Supported values are: keepold, keepnew")},
    {KEY("sudo.enable", BOOL, "true", NULL,
         "Determines if thin-edge should use `sudo` when attempting to write to files possibly not owned "
         "by `tedge`.", "true, false", 2)},

    /* proxy, plugin paths */
    {KEY("proxy.address", STRING, NULL, NULL,
         "The address (scheme://address:port) of an HTTP CONNECT proxy to use when connecting to external "
         "HTTP/MQTT services.", NULL, 0)},
    {KEY("proxy.username", STRING, NULL, NULL,
         "The username for the proxy connection to the cloud MQTT broker.", NULL, 0)},
    {KEY("proxy.password", STRING, NULL, NULL,
         "The password for the proxy connection to the cloud MQTT broker.", NULL, 0)},
    {KEY("proxy.no_proxy", STRING, NULL, NULL,
         "The \"no-proxy\" configuration, a comma-separated list of hosts to bypass the configured proxy for.",
         "127.0.0.1,example.com,192.168.1.0/24", 1)},
    {KEY("diag.plugin_paths", LIST, "/usr/share/tedge/diag-plugins", NULL,
         "The directories where diagnostic plugins are stored.",
         "/usr/share/diag-plugins,/etc/tedge/diag-plugins", 1)},
    {KEY("log.plugin_paths", LIST, "/usr/share/tedge/log-plugins", NULL,
         "The directories where log plugins are stored.", "/usr/share/log-plugins,/etc/tedge/log-plugins", 1)},
    {KEY("configuration.plugin_paths", LIST, "/usr/share/tedge/config-plugins", NULL,
         "The directories where configuration plugins are stored.",
         "/usr/share/tedge/config-plugins,/usr/local/share/tedge/config-plugins", 1)},
};

const size_t te_config_keydef_count = sizeof te_config_keydefs / sizeof te_config_keydefs[0];

/* Deprecated names still accepted on the command line and in the
 * environment (thin-edge.io's deprecated_key / deprecated_name). */
static const struct {
    const char *old_name;
    const char *new_name;
} key_aliases[] = {
    {"mqtt.port", "mqtt.bind.port"},
    {"http.port", "http.bind.port"},
    {"http.address", "http.bind.address"},
    {"mqtt.external.port", "mqtt.external.bind.port"},
    {"mqtt.external.capath", "mqtt.external.ca_path"},
    {"mqtt.external.certfile", "mqtt.external.cert_file"},
    {"mqtt.external.keyfile", "mqtt.external.key_file"},
    {"mqtt.client.auth.cafile", "mqtt.client.auth.ca_file"},
    {"mqtt.client.auth.cadir", "mqtt.client.auth.ca_dir"},
    {"mqtt.client.auth.certfile", "mqtt.client.auth.cert_file"},
    {"mqtt.client.auth.keyfile", "mqtt.client.auth.key_file"},
    {"c8y.enable.log_management", "c8y.enable.log_upload"},
    {"apt.dpk.options.config", "apt.dpkg.options.config"},
};

/* Compares key names with '.' and '_' equal. */
static bool same_key(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a == '.' ? '_' : *a;
        char cb = *b == '.' ? '_' : *b;
        if (ca != cb)
            return false;
        if (ca == '\0')
            return true;
    }
}

size_t te_config_key_count(void) { return te_config_keydef_count; }

const te_cfg_key_t *te_config_key_at(size_t i)
{
    return i < te_config_keydef_count ? &te_config_keydefs[i].pub : NULL;
}

const te_cfg_key_t *te_config_key_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < te_config_keydef_count; i++)
        if (same_key(name, te_config_keydefs[i].pub.name))
            return &te_config_keydefs[i].pub;
    return NULL;
}

const te_cfg_key_t *te_config_key_lookup(const char *name)
{
    const te_cfg_key_t *key = te_config_key_find(name);
    if (key || !name)
        return key;
    for (size_t i = 0; i < sizeof key_aliases / sizeof key_aliases[0]; i++)
        if (same_key(name, key_aliases[i].old_name))
            return te_config_key_find(key_aliases[i].new_name);
    /* azure.* is the 0.1 name of az.* */
    if (strncmp(name, "azure", 5) == 0 && (name[5] == '.' || name[5] == '_')) {
        char az[128];
        if ((size_t)snprintf(az, sizeof az, "az%s", name + 5) < sizeof az)
            return te_config_key_find(az);
    }
    return NULL;
}

const te_config_keydef_t *te_config_keydef_of(const te_cfg_key_t *key)
{
    if (!key)
        return NULL;
    const te_config_keydef_t *kd = (const te_config_keydef_t *)(const void *)key;
    if (kd < te_config_keydefs || kd >= te_config_keydefs + te_config_keydef_count)
        return NULL;
    return kd;
}

size_t te_config_keydef_index(const te_config_keydef_t *kd) { return (size_t)(kd - te_config_keydefs); }

const char *te_config_key_note(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd ? kd->note : NULL;
}

size_t te_config_key_example_count(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd && kd->pub.example ? kd->n_examples : 0;
}

bool te_config_is_internal_key(const char *path) { return strcmp(path, "config.version") == 0; }

bool te_config_is_group(const char *path)
{
    size_t n = strlen(path);
    if (strcmp(path, "config") == 0)
        return true;
    for (size_t i = 0; i < te_config_keydef_count; i++) {
        const char *name = te_config_keydefs[i].pub.name;
        if (strncmp(name, path, n) == 0 && name[n] == '.')
            return true;
    }
    return false;
}
