"""tedge init (spec/cli.md §5.2, §6.1): directories, owners and modes; the
user and group from the options, else system.toml, else tedge; needs root."""
import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import uuid

import pytest

from conftest import BIN_DIR

CONFIG_SUBDIRS = ["", "mosquitto-conf", "operations", "operations/c8y", "plugins", "sm-plugins",
                  "device-certs", "mappers", ".tedge-mapper-c8y"]


def owner_and_mode(path):
    st = os.stat(path)
    return pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)


@pytest.fixture
def layout(tedge, tmp_path):
    """Keeps every path init touches inside tmp_path."""
    tedge.config_set("logs.path", str(tmp_path / "var" / "log" / "tedge"))
    tedge.config_set("data.path", str(tmp_path / "var" / "tedge"))
    tedge.config_set("agent.state.path", str(tmp_path / "data" / "tedge" / "agent"))
    return tmp_path


@pytest.fixture
def test_user():
    """A system user and group made for the test (useradd), removed after."""
    name = "tei" + uuid.uuid4().hex[:8]
    subprocess.run(["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin",
                    name], check=True, capture_output=True)
    yield name
    subprocess.run(["userdel", name], capture_output=True)
    subprocess.run(["groupdel", name], capture_output=True)


def test_init_creates_directories_with_owner_and_mode(tedge, layout):
    r = tedge.run("init", "--user", "nobody", "--group", "nogroup")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    for sub in CONFIG_SUBDIRS:
        path = os.path.join(tedge.config_dir, sub)
        assert owner_and_mode(path) == ("nobody", "nogroup", 0o775), path
    for path in (layout / "var" / "log" / "tedge", layout / "var" / "tedge", os.path.join(tedge.config_dir, ".agent")):
        assert owner_and_mode(path) == ("nobody", "nogroup", 0o775), path
    # missing parents of logs.path / data.path stay root's
    assert owner_and_mode(layout / "var")[:2] == ("root", "root")
    # agent.state.path did not exist: <cfg>/.agent is the fallback, nothing made there
    assert not os.path.exists(layout / "data")


def test_init_is_idempotent_and_forces_modes_on_existing_dirs(tedge, layout):
    certs = os.path.join(tedge.config_dir, "device-certs")
    os.makedirs(certs)
    os.chmod(certs, 0o700)
    state = layout / "data" / "tedge" / "agent"
    os.makedirs(state)
    store = os.path.join(tedge.config_dir, ".tedge-mapper-c8y", "entity_store.jsonl")
    os.makedirs(os.path.dirname(store))
    open(store, "w").close()
    with open(os.path.join(tedge.config_dir, "system.toml"), "w") as f:
        f.write('[init]\nname = "systemd"\nis_available = ["/bin/true"]\nrestart = ["/bin/true", "{}"]\n'
                'stop = ["/bin/true", "{}"]\nenable = ["/bin/true", "{}"]\ndisable = ["/bin/true", "{}"]\n'
                'is_active = ["/bin/true", "{}"]\n')
    os.chmod(os.path.join(tedge.config_dir, "system.toml"), 0o600)
    for _ in range(2):
        r = tedge.run("init", "--user", "nobody", "--group", "nogroup")
        assert r.returncode == 0, r.stderr
    assert owner_and_mode(certs) == ("nobody", "nogroup", 0o775)
    assert owner_and_mode(state) == ("nobody", "nogroup", 0o775)
    assert owner_and_mode(store)[:2] == ("nobody", "nogroup")
    assert stat.S_IMODE(os.stat(os.path.join(tedge.config_dir, "system.toml")).st_mode) == 0o644
    assert not os.path.exists(os.path.join(tedge.config_dir, ".agent"))


def test_init_takes_user_and_group_from_system_toml(tedge, layout, test_user):
    with open(os.path.join(tedge.config_dir, "system.toml"), "w") as f:
        f.write(f'user = "{test_user}"\ngroup = "{test_user}"\n')
    r = tedge.run("init")
    assert r.returncode == 0, r.stderr
    assert owner_and_mode(tedge.config_dir) == (test_user, test_user, 0o775)
    assert owner_and_mode(os.path.join(tedge.config_dir, "operations", "c8y")) == (test_user, test_user, 0o775)
    # an option wins over system.toml
    r = tedge.run("init", "--group", "nogroup")
    assert r.returncode == 0, r.stderr
    assert owner_and_mode(tedge.config_dir) == (test_user, "nogroup", 0o775)


def test_init_with_unknown_user_fails(tedge, layout):
    name = "no-such-user-" + uuid.uuid4().hex[:6]
    r = tedge.run("init", "--user", name)
    assert r.returncode == 1
    assert r.stderr == ("Error: failed to Initialize tedge\n"
                        "\n"
                        "Caused by:\n"
                        "    0: Failed to initialize tedge. You have to run tedge with sudo.\n"
                        f"    1: User \"{name}\" not found\n")


def test_init_defaults_to_the_tedge_user(tedge, layout):
    r = tedge.run("init")
    try:
        pwd.getpwnam("tedge")
        grp.getgrnam("tedge")
    except KeyError:
        assert r.returncode == 1
        assert "    1: User \"tedge\" not found\n" in r.stderr or "    1: Group \"tedge\" not found\n" in r.stderr
        return
    assert r.returncode == 0, r.stderr
    assert owner_and_mode(tedge.config_dir) == ("tedge", "tedge", 0o775)


def test_init_as_non_root_asks_for_sudo(tedge):
    # a world-readable place, so that nobody can reach the binary and the config
    base = tempfile.mkdtemp(prefix="tedge-init-")
    try:
        os.chmod(base, 0o755)
        binary = os.path.join(base, "tedge")
        shutil.copy(os.path.join(BIN_DIR, "tedge"), binary)
        cfg = os.path.join(base, "etc-tedge")
        env = {"PATH": "/usr/bin:/bin", "TEDGE_LOGS_PATH": os.path.join(base, "log"),
               "TEDGE_DATA_PATH": os.path.join(base, "data")}
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", binary,
                            "--config-dir", cfg, "init", "--user", "nobody", "--group", "nogroup"],
                           capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode == 1
        assert r.stderr.startswith("Error: failed to Initialize tedge\n\nCaused by:\n"
                                   "    0: Failed to initialize tedge. You have to run tedge with sudo.\n"
                                   f"    1: Failed to create directory {cfg}: Permission denied (os error 13)\n"), \
            r.stderr
        assert not os.path.exists(cfg)
    finally:
        shutil.rmtree(base)


def test_init_usage_errors(tedge):
    assert tedge.run("init", "--bogus").returncode == 2
    assert tedge.run("init", "--user").returncode == 2
    r = tedge.run("init", "--help")
    assert r.returncode == 0 and "--user" in r.stdout
