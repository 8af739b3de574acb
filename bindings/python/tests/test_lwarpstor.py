"""lwarpstor.WarpStor against the real warpstor on a throwaway pool.

Run by tests/python.bats (the suite's namespace, pool and configuration):
WS_BIN, WS_POOL, WS_POOLMNT, WARPSTOR_CONFIG, WS_RV_POOL, and WS_SSH (the
ssh command to an sshd on localhost) where one runs.  Every method with
keyword and positional calls, its return value and type, and its errors;
the same scenario locally and over ssh.
"""

import logging
import os
import re
import subprocess

import pytest

from lwarpstor import WarpStor, WarpStorError

BIN = os.environ.get("WS_BIN", "warpstor")
POOL = os.environ.get("WS_POOL", "")
POOLMNT = os.environ.get("WS_POOLMNT", "")
CONF = os.environ.get("WARPSTOR_CONFIG")

pytestmark = pytest.mark.skipif(not POOL, reason="run by tests/python.bats")


def zfs(*args):
    return subprocess.run(["zfs", *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def prop(name, ds):
    return zfs("get", "-H", "-p", "-o", "value", name, ds)


@pytest.fixture(scope="module", params=["local", "ssh"])
def ws(request):
    if request.param == "ssh":
        if not os.environ.get("WS_SSH"):
            pytest.skip("no sshd on localhost here")
        return WarpStor(host="localhost", config=CONF, binary=BIN,
                        ssh=tuple(os.environ["WS_SSH"].split()))
    return WarpStor(config=CONF, binary=BIN)


@pytest.fixture(scope="module")
def base(ws):
    """A folder of the pool for this scenario, with a golden snapshot."""
    b = f"{POOL}/{'ssh' if ws.host else 'local'}"
    zfs("create", b)
    zfs("create", f"{b}/golden")
    with open(f"{POOLMNT}/{b[len(POOL) + 1:]}/golden/file", "w") as f:
        f.write("golden\n")
    os.makedirs(f"{POOLMNT}/{b[len(POOL) + 1:]}/golden/var/log")
    with open(f"{POOLMNT}/{b[len(POOL) + 1:]}/golden/var/log/syslog", "w") as f:
        f.write("log\n")
    zfs("snapshot", f"{b}/golden@v1")
    return b


def mnt(ds):
    return f"{POOLMNT}/{ds[len(POOL) + 1:]}"


def test_version_and_methods(ws):
    v = ws.version()
    assert isinstance(v, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+,[^,]+,[^,]+", v)
    m = ws.list_wst_methods()
    assert isinstance(m, str)
    names = m.split(",")
    assert "clone" in names and "dataset_exists_not" in names
    for name in names:
        assert callable(getattr(ws, name))


def test_create_fs(ws, base):
    ds = f"{base}/a"
    assert ws.create_fs(dataset=ds, userid="1000", groupid="1000") == ds
    assert prop("warpstor:fsid", ds) != "-"
    assert os.stat(mnt(ds)).st_uid == 1000
    assert ws.create_fs(f"{base}/a2", 1001, 1001) == f"{base}/a2"
    assert os.stat(mnt(f"{base}/a2")).st_gid == 1001


def test_create_fs_type_and_no_export(ws, base):
    ds = f"{base}/n"
    got = ws.create_fs_no_export(dataset=ds, userid="5", groupid="6")
    assert got == ds and isinstance(got, str)
    assert prop("warpstor:fsid", ds) == "-"
    assert ws.create_fs_no_export(f"{base}/n2", "5", "6") == f"{base}/n2"
    with pytest.raises(WarpStorError) as e:
        ws.create_fs(dataset=f"{base}/t", userid="1", groupid="1",
                     dataset_type="nosuchtype")
    assert e.value.code == 65 and e.value.command == "create-fs"
    assert "nosuchtype" in e.value.message


def test_create_fs_only(ws, base, caplog):
    assert ws.create_fs_only(dataset=f"{base}/o") == "0"
    assert ws.create_fs_only(f"{base}/o2") == "0"
    with caplog.at_level(logging.ERROR, logger="lwarpstor"):
        assert ws.create_fs_only(dataset=f"{base}/o") == "1"
    assert "already exists" in caplog.text
    strict = WarpStor(host=ws.host, config=ws.config, binary=ws.binary,
                      ssh=ws.ssh, strict=True)
    with pytest.raises(WarpStorError) as e:
        strict.create_fs_only(dataset=f"{base}/o")
    assert e.value.code == 73


def test_exists_not(ws, base):
    assert ws.dataset_exists_not(dataset_name=f"{base}/a") == "0"
    assert ws.dataset_exists_not(f"{base}/none") == "1"
    assert ws.snapshot_exists_not(snapshot_name=f"{base}/golden@v1") == "0"
    assert ws.snapshot_exists_not(f"{base}/golden@none") == "1"


def test_snapshot(ws, base):
    assert ws.snapshot(dataset=f"{base}/a", snap_name="s1") == "0"
    assert ws.snapshot(f"{base}/a", "s2") == "0"
    assert ws.snapshot_exists_not(f"{base}/a@s2") == "0"
    assert ws.snapshot(dataset=f"{base}/a", snap_name="s1") == "1"


def test_clones(ws, base):
    snap = f"{base}/golden@v1"
    c = ws.clone(fs_snapshot=snap, dest_fs=f"{base}/c", userid="2000",
                 groupid="2000")
    assert c == f"{base}/c"
    assert os.stat(f"{mnt(c)}/file").st_uid == 2000
    assert ws.clone(snap, f"{base}/c2", 2000, 2000) == f"{base}/c2"
    assert ws.clone_only(fs_snapshot=snap, dest_fs=f"{base}/co") == f"{base}/co"
    assert ws.clone_only(snap, f"{base}/co2") == f"{base}/co2"
    f = ws.filtered_clone(fs_snapshot=snap, dest_fs=f"{base}/f",
                          userid="3000", groupid="3000")
    assert f == f"{base}/f"
    assert ws.filtered_clone(snap, f"{base}/f2", 3000, 3000) == f"{base}/f2"
    with pytest.raises(WarpStorError) as e:
        ws.clone(fs_snapshot=f"{base}/golden@none", dest_fs=f"{base}/x",
                 userid="1", groupid="1")
    assert e.value.code == 66 and e.value.command == "clone"


def test_vfsid_and_space(ws, base):
    ds = f"{base}/a"
    v = ws.get_vfsid_for_export(dataset=ds)
    assert v == prop("warpstor:fsid", ds)
    assert ws.get_vfsid_for_export(ds) == v
    used = ws.get_used_space_for_vol(vol=POOL)
    assert isinstance(used, str) and used.isdigit()
    assert abs(int(used) - int(prop("used", POOL))) < 1 << 20
    assert ws.get_used_space_for_vol(POOL).isdigit()
    avail = ws.get_available_space_for_vol(vol=POOL)
    assert avail.isdigit()
    assert ws.get_available_space_for_vol().isdigit()   # default_volume
    with pytest.raises(WarpStorError) as e:
        ws.get_vfsid_for_export(dataset=f"{base}/n")
    assert e.value.code == 66


def test_lists(ws, base):
    fs = ws.list_filesystems(pattern=f"{base}/*")
    assert isinstance(fs, list) and fs == sorted(fs)
    assert f"{base}/a" in fs and f"{base}/golden" in fs
    assert ws.list_filesystems(f"{base}/a*") == [f"{base}/a", f"{base}/a2"]
    assert POOL in ws.list_filesystems()
    snaps = ws.list_snapshots(pattern=f"{base}/a@*")
    assert snaps == [f"{base}/a@s1", f"{base}/a@s2"]
    assert ws.list_snapshots(f"{base}/a") == snaps
    assert f"{base}/golden@v1" in ws.list_snapshots()
    vols = ws.list_vols()
    assert isinstance(vols, list) and POOL in vols


def test_rename_promote_replace(ws, base):
    assert ws.rename(dataset_a=f"{base}/a2", dataset_b=f"{base}/b2") == "0"
    assert ws.dataset_exists_not(f"{base}/b2") == "0"
    assert ws.rename(f"{base}/b2", f"{base}/a2") == "0"
    assert ws.rename(f"{base}/a2", f"{base}/a") == "1"     # exists
    assert ws.promote(cloned_dataset=f"{base}/co") == "0"
    assert prop("origin", f"{base}/co") == "-"
    assert ws.promote(f"{base}/none") == "1"
    assert ws.replace(dataset=f"{base}/c", source=f"{base}/a@s1",
                      userid="2000", groupid="2000") == "0"
    assert ws.replace(f"{base}/c", f"{base}/a@s2", 2000, 2000) == "0"
    assert ws.replace(dataset=f"{base}/c", source=f"{base}/a@s1",
                      keep=f"{base}/c-old") == "0"
    assert ws.dataset_exists_not(f"{base}/c-old") == "0"


def test_destroy(ws, base):
    assert ws.destroy(dataset=f"{base}/n2") == "0"
    assert ws.dataset_exists_not(f"{base}/n2") == "1"
    assert ws.destroy(f"{base}/a", "0") == "1"            # has snapshots
    zfs("clone", f"{base}/a@s1", f"{base}/dep")
    assert ws.destroy(dataset=f"{base}/a", recursive="1",
                      recursive_mode="-r") == "1"         # a dependent clone
    assert ws.destroy(dataset=f"{base}/a", recursive="1",
                      recursive_mode="-R", force="-f") == "0"
    assert ws.dataset_exists_not(f"{base}/dep") == "1"
    # c and c-old were clones of a's snapshots (replace): gone with -R
    assert ws.dataset_exists_not(f"{base}/c-old") == "1"
    assert ws.destroy(f"{base}/c2", "1", "-r", "-f") == "0"


def test_rebuild_vol(ws, base):
    rv = os.environ.get("WS_RV_POOL")
    if not rv:
        pytest.skip("no second pool")
    zfs("create", f"{rv}/x")
    zfs("snapshot", f"{rv}/x@s")
    assert ws.rebuild_vol(vol=rv) == "0"
    assert ws.list_filesystems(f"{rv}*") == [rv]
    zfs("create", f"{rv}/y")
    assert ws.rebuild_vol(rv) == "0"
    assert ws.rebuild_vol(vol=f"{rv}/notavol") == "1"


def test_arguments_as_the_older_client_took_them(ws, base):
    with pytest.raises(TypeError):
        ws.clone(fs_snapshot="a@b")                     # missing
    with pytest.raises(TypeError):
        ws.snapshot(dataset="a", snap_name="b", bogus=1)
    with pytest.raises(TypeError):
        ws.promote("a", "b")
    with pytest.raises(ValueError):
        ws.destroy(dataset=f"{base}/o", recursive="1", recursive_mode="-x")
    # every word reaches warpstor as one argument, never through a shell
    assert ws.dataset_exists_not(dataset_name="x; touch /tmp/lwarpstor-pwned") == "1"
    assert not os.path.exists("/tmp/lwarpstor-pwned")


def test_operands_after_double_dash(ws, base):
    """A value beginning with "-" is an operand, never an option."""
    before = zfs("list", "-H", "-t", "snapshot", "-o", "name", "-r", POOL)
    # was: seven recursive snapshots of the pool
    assert ws.snapshot(f"{POOL}@rx", "-r") == "1"
    assert ws.snapshot(dataset=base, snap_name="-r") == "1"
    assert zfs("list", "-H", "-t", "snapshot", "-o", "name", "-r",
               POOL) == before
    # was: "0", the usage of exists having exited 0
    assert ws.dataset_exists_not("-h") == "1"
    assert ws.snapshot_exists_not(snapshot_name="-h") == "1"
    with pytest.raises(WarpStorError) as e:
        WarpStor(host=ws.host, config=CONF, binary=BIN, ssh=ws.ssh,
                 strict=True).dataset_exists_not("-h")
    assert e.value.code == 65


def test_missing_or_failing_binary_raises_warpstor_error(ws, tmp_path):
    """Locally: cannot run it (an OSError before); over ssh: exit 127."""
    def other(binary):
        return WarpStor(host=ws.host, config=CONF, binary=binary, ssh=ws.ssh)

    missing = other(str(tmp_path / "nowhere"))
    with pytest.raises(WarpStorError) as e:
        missing.list_vols()
    assert e.value.code == 127 and "nowhere" in e.value.message
    with pytest.raises(WarpStorError):
        missing.dataset_exists_not("a")     # not "1": it never ran
    bad = tmp_path / "bad"
    bad.write_text("#!/bin/sh\necho garbage\nexit 0\n")
    bad.chmod(0o755)
    with pytest.raises(WarpStorError):
        other(str(bad)).list_vols()
    with pytest.raises(WarpStorError):
        other(str(bad)).clone("a@b", "c", 1, 1)
