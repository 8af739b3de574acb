"""lwarpstor: the older warpstor client's Python API, call for call.

``WarpStor`` keeps the method names, keyword arguments and return values
of the older client's ``lwarpstor.WarpStor``, so scripts written against
it run unchanged.  Each method runs the ``warpstor`` command line with
``-j`` (an argument list, never a shell), on this node or on ``host``
over OpenSSH, and maps its one JSON document to the documented value.

Return values are strings unless said otherwise:

================================  ===========================================
method                            returns
================================  ===========================================
clone, clone_only,                the dataset
filtered_clone, create_fs,
create_fs_no_export
create_fs_only, destroy,          ``"0"`` on success, ``"1"`` on failure
promote, rename, replace,
snapshot, rebuild_vol
dataset_exists_not,               ``"0"`` when it exists, ``"1"`` when not
snapshot_exists_not
get_available_space_for_vol,      the bytes, a string of digits
get_used_space_for_vol
get_vfsid_for_export              the fsid (VFSID) of the dataset's export
list_filesystems                  a list of names, sorted by name
list_snapshots                    a list of names, oldest first
list_vols                         a list of the volumes (pools' roots)
list_wst_methods                  the method names, comma-separated
version                           the versions, comma-separated
================================  ===========================================

Failures: where the older client returned ``"1"``, so does this one, and
the message is logged (logger ``lwarpstor``); every other method raises
``WarpStorError(code, command, message)``, and with ``strict=True`` every
method raises instead of returning ``"1"``.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
from typing import Any, Optional, Sequence

__all__ = ["WarpStor", "WarpStorError"]
__version__ = "0.1.0"

log = logging.getLogger("lwarpstor")

# The exit codes warpstor itself gives (SPEC "Exit status"); any other is
# a binary that is missing (127), cannot run (126), was killed, or an ssh
# that failed (255).
_EXITS = frozenset([0, 1, 130, 143, *range(64, 79)])

# The methods, in the order list_wst_methods gives them.
METHODS = (
    "create_fs", "create_fs_no_export", "create_fs_only", "snapshot",
    "clone", "clone_only", "filtered_clone", "promote", "rename", "destroy",
    "replace", "rebuild_vol", "dataset_exists_not", "snapshot_exists_not",
    "list_filesystems", "list_snapshots", "list_vols",
    "get_used_space_for_vol", "get_available_space_for_vol",
    "get_vfsid_for_export", "list_wst_methods", "version",
)


class WarpStorError(Exception):
    """A warpstor command failed: its exit code, command and message."""

    def __init__(self, code: int, command: Optional[str], message: str):
        super().__init__(f"warpstor {command or ''}: {message} (exit {code})")
        self.code = code
        self.command = command
        self.message = message


def _bind(args: Sequence[Any], kwargs: dict, names: Sequence[str],
          defaults: dict) -> list:
    """The older client's (*args, **kwargs): values in the order of names."""
    if len(args) > len(names):
        raise TypeError(f"takes at most {len(names)} arguments "
                        f"({len(args)} given)")
    out = dict(defaults)
    out.update(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"unexpected keyword argument {k!r}")
        out[k] = v
    missing = [n for n in names if n not in out]
    if missing:
        raise TypeError(f"missing argument {missing[0]!r}")
    return [out[n] for n in names]


class WarpStor:
    """The warpstor command line, as the older client's class.

    host: run warpstor there over ssh (None: this node); config: its -c
    file; binary: the warpstor program; ssh: the ssh command and options;
    strict: raise WarpStorError where the older client returned "1".
    """

    def __init__(self, host: Optional[str] = None,
                 config: Optional[str] = None, binary: str = "warpstor",
                 ssh: Sequence[str] = ("ssh", "-o", "BatchMode=yes"),
                 strict: bool = False):
        if host is not None and (not host or host.startswith("-")):
            raise ValueError(f"not a host name: {host!r}")
        self.host = host
        self.config = config
        self.binary = binary
        self.ssh = tuple(ssh)
        self.strict = strict

    # running warpstor

    def _argv(self, words: Sequence[str], operands: Sequence[Any]) -> list:
        argv = [self.binary, "-j"]
        if self.config is not None:
            argv += ["-c", self.config]
        # the operands after "--": a value beginning with "-" is never
        # taken for an option
        argv += [str(w) for w in words] + ["--"] + [str(o) for o in operands]
        if self.host is None:
            return argv
        # ssh hands its command to the remote shell: every word quoted
        return [*self.ssh, self.host, " ".join(shlex.quote(a) for a in argv)]

    def _run(self, words: Sequence[str], operands: Sequence[Any] = ()) -> tuple:
        """Run warpstor -j WORDS -- OPERANDS: (exit code, the JSON document
        or None).  A binary that cannot be run raises WarpStorError."""
        argv = self._argv(words, operands)
        try:
            p = subprocess.run(argv, capture_output=True, text=True,
                               check=False)
        except OSError as e:
            raise WarpStorError(127, words[0] if words else None,
                                f"cannot run {argv[0]}: {e.strerror or e}"
                                ) from None
        doc = None
        if p.stdout.strip():
            try:
                doc = json.loads(p.stdout)
            except ValueError:
                doc = None
        if p.returncode != 0 and not (isinstance(doc, dict) and
                                      "error" in doc):
            msg = p.stderr.strip().splitlines()
            doc = {"error": {"code": p.returncode, "command": words[0]
                             if words else None,
                             "message": msg[-1] if msg else "failed"}}
        if p.returncode not in _EXITS:
            # not one of warpstor's: the binary (or ssh) could not run it
            raise self._error(doc, p.returncode)
        return p.returncode, doc

    @staticmethod
    def _error(doc: Any, rc: int) -> WarpStorError:
        e = doc.get("error", {}) if isinstance(doc, dict) else {}
        return WarpStorError(e.get("code", rc), e.get("command"),
                             e.get("message", "failed"))

    def _value(self, words: Sequence[str], operands: Sequence[Any] = ()
               ) -> Any:
        """A result, or WarpStorError."""
        rc, doc = self._run(words, operands)
        if rc != 0:
            raise self._error(doc, rc)
        if doc is None:
            raise WarpStorError(rc, words[0] if words else None,
                                "no JSON document on its standard output")
        return doc

    def _status(self, words: Sequence[str], operands: Sequence[Any] = ()
                ) -> str:
        """"0" on success; "1" (logged) or WarpStorError when strict."""
        rc, doc = self._run(words, operands)
        if rc == 0:
            return "0"
        err = self._error(doc, rc)
        if self.strict:
            raise err
        log.error("%s", err)
        return "1"

    def _name(self, words: Sequence[str], operands: Sequence[Any]) -> str:
        doc = self._value(words, operands)
        if not isinstance(doc, dict) or "name" not in doc:
            raise WarpStorError(0, words[0], "no name in its JSON document")
        return doc["name"]

    @staticmethod
    def _ids(userid: Any, groupid: Any) -> list:
        return ["-u", str(userid), "-g", str(groupid)]

    # datasets

    def clone(self, *args: Any, **kwargs: Any) -> str:
        """clone(fs_snapshot, dest_fs, userid, groupid): clone, chown,
        export; returns the dataset."""
        snap, dest, uid, gid = _bind(args, kwargs, ("fs_snapshot", "dest_fs",
                                     "userid", "groupid"), {})
        return self._name(["clone", *self._ids(uid, gid)], [snap, dest])

    def clone_only(self, *args: Any, **kwargs: Any) -> str:
        """clone_only(fs_snapshot, dest_fs): zfs clone; returns the
        dataset."""
        snap, dest = _bind(args, kwargs, ("fs_snapshot", "dest_fs"), {})
        return self._name(["clone-only"], [snap, dest])

    def filtered_clone(self, *args: Any, **kwargs: Any) -> str:
        """filtered_clone(fs_snapshot, dest_fs, userid, groupid): clone,
        remove what the configured filter matches, chown, export; returns
        the dataset."""
        snap, dest, uid, gid = _bind(args, kwargs, ("fs_snapshot", "dest_fs",
                                     "userid", "groupid"), {})
        return self._name(["filtered-clone", *self._ids(uid, gid)],
                          [snap, dest])

    def create_fs(self, *args: Any, **kwargs: Any) -> str:
        """create_fs(dataset, userid, groupid, dataset_type=None): create,
        chown, export; returns the dataset."""
        ds, uid, gid, typ = _bind(args, kwargs, ("dataset", "userid",
                                  "groupid", "dataset_type"),
                                  {"dataset_type": None})
        words = ["create-fs", *self._ids(uid, gid)]
        if typ:
            words += ["-t", typ]
        return self._name(words, [ds])

    def create_fs_no_export(self, *args: Any, **kwargs: Any) -> str:
        """create_fs_no_export(dataset, userid, groupid): create, chown;
        returns the dataset."""
        ds, uid, gid = _bind(args, kwargs, ("dataset", "userid", "groupid"),
                             {})
        return self._name(["create-fs-no-export", *self._ids(uid, gid)], [ds])

    def create_fs_only(self, *args: Any, **kwargs: Any) -> str:
        """create_fs_only(dataset): zfs create; "0" / "1"."""
        (ds,) = _bind(args, kwargs, ("dataset",), {})
        return self._status(["create-fs-only"], [ds])

    def _exists_not(self, command: str, name: str) -> str:
        rc, doc = self._run([command], [name])
        if rc in (0, 1):
            return "0" if rc == 0 else "1"
        err = self._error(doc, rc)
        if self.strict:
            raise err
        log.error("%s", err)
        return "1"

    def dataset_exists_not(self, *args: Any, **kwargs: Any) -> str:
        """dataset_exists_not(dataset_name): "0" exists, "1" does not."""
        (name,) = _bind(args, kwargs, ("dataset_name",), {})
        return self._exists_not("exists", name)

    def snapshot_exists_not(self, *args: Any, **kwargs: Any) -> str:
        """snapshot_exists_not(snapshot_name): "0" exists, "1" does not."""
        (name,) = _bind(args, kwargs, ("snapshot_name",), {})
        return self._exists_not("snapshot-exists", name)

    def destroy(self, *args: Any, **kwargs: Any) -> str:
        """destroy(dataset, recursive="0", recursive_mode="-r", force=""):
        recursive "1" destroys with recursive_mode ("-r" children, "-R"
        also dependent clones); force "-f" unmounts when busy; "0" / "1"."""
        ds, rec, mode, force = _bind(
            args, kwargs, ("dataset", "recursive", "recursive_mode", "force"),
            {"recursive": "0", "recursive_mode": "-r", "force": ""})
        words = ["destroy"]
        if str(rec) == "1":
            if mode not in ("-r", "-R"):
                raise ValueError(f"recursive_mode: -r or -R, not {mode!r}")
            words.append(mode)
        if force:
            if force != "-f":
                raise ValueError(f"force: -f or empty, not {force!r}")
            words.append("-f")
        return self._status(words, [ds])

    def promote(self, *args: Any, **kwargs: Any) -> str:
        """promote(cloned_dataset): zfs promote; "0" / "1"."""
        (ds,) = _bind(args, kwargs, ("cloned_dataset",), {})
        return self._status(["promote"], [ds])

    def rename(self, *args: Any, **kwargs: Any) -> str:
        """rename(dataset_a, dataset_b): the export moves along; "0" /
        "1"."""
        a, b = _bind(args, kwargs, ("dataset_a", "dataset_b"), {})
        return self._status(["rename"], [a, b])

    def replace(self, *args: Any, **kwargs: Any) -> str:
        """replace(dataset, source, userid=None, groupid=None, keep=None,
        force=False, properties=(), exclude=()): dataset's content becomes
        source (a snapshot or a dataset), same export; "0" / "1"."""
        ds, src, uid, gid, keep, force, props, excl = _bind(
            args, kwargs, ("dataset", "source", "userid", "groupid", "keep",
                           "force", "properties", "exclude"),
            {"userid": None, "groupid": None, "keep": None, "force": False,
             "properties": (), "exclude": ()})
        words = ["replace"]
        if uid is not None:
            words += ["-u", str(uid)]
        if gid is not None:
            words += ["-g", str(gid)]
        for p in props:
            words += ["-o", p]
        for g in excl:
            words += ["-x", g]
        if keep:
            words += ["--keep", keep]
        if force:
            words.append("--force")
        return self._status(words, [ds, src])

    def snapshot(self, *args: Any, **kwargs: Any) -> str:
        """snapshot(dataset, snap_name): dataset@snap_name; "0" / "1"."""
        ds, snap = _bind(args, kwargs, ("dataset", "snap_name"), {})
        return self._status(["snapshot"], [ds, snap])

    def rebuild_vol(self, *args: Any, **kwargs: Any) -> str:
        """rebuild_vol(vol=None): destroy everything inside vol (default:
        the configured default_volume); "0" / "1"."""
        (vol,) = _bind(args, kwargs, ("vol",), {"vol": None})
        return self._status(["-y", "rebuild-vol"], [vol] if vol else [])

    # queries

    def _space(self, command: str, prop: str, vol: Optional[str]) -> str:
        doc = self._value([command], [vol] if vol else [])
        return str(doc[prop])

    def get_available_space_for_vol(self, *args: Any, **kwargs: Any) -> str:
        """get_available_space_for_vol(vol=None): the bytes available."""
        (vol,) = _bind(args, kwargs, ("vol",), {"vol": None})
        return self._space("available-space", "available", vol)

    def get_used_space_for_vol(self, *args: Any, **kwargs: Any) -> str:
        """get_used_space_for_vol(vol=None): the bytes used."""
        (vol,) = _bind(args, kwargs, ("vol",), {"vol": None})
        return self._space("used-space", "used", vol)

    def get_vfsid_for_export(self, *args: Any, **kwargs: Any) -> str:
        """get_vfsid_for_export(dataset): the fsid of its export."""
        (ds,) = _bind(args, kwargs, ("dataset",), {})
        return self._value(["vfsid"], [ds])["fsid"]

    def list_filesystems(self, *args: Any, **kwargs: Any) -> list:
        """list_filesystems(pattern=None): names, sorted by name."""
        (pattern,) = _bind(args, kwargs, ("pattern",), {"pattern": None})
        doc = self._value(["list-filesystems"], [pattern] if pattern else [])
        return [d["name"] for d in doc]

    def list_snapshots(self, *args: Any, **kwargs: Any) -> list:
        """list_snapshots(pattern=None): names, oldest first."""
        (pattern,) = _bind(args, kwargs, ("pattern",), {"pattern": None})
        doc = self._value(["list-snapshots"], [pattern] if pattern else [])
        return [d["name"] for d in doc]

    def list_vols(self, *args: Any, **kwargs: Any) -> list:
        """list_vols(): the volumes (the pools' root datasets)."""
        _bind(args, kwargs, (), {})
        return [d["name"] for d in self._value(["list-vols"])]

    def list_wst_methods(self, *args: Any, **kwargs: Any) -> str:
        """list_wst_methods(): the method names, comma-separated."""
        _bind(args, kwargs, (), {})
        return ",".join(METHODS)

    def version(self, *args: Any, **kwargs: Any) -> str:
        """version(): warpstor's, zfs's and nfs-utils' versions,
        comma-separated ("unknown" where one cannot be told)."""
        _bind(args, kwargs, (), {})
        doc = self._value(["version"])
        return ",".join(doc.get(k) or "unknown"
                        for k in ("warpstor", "zfs", "nfs-utils"))
