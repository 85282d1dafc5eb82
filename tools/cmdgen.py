#!/usr/bin/python3
"""cmdgen.py - print the command-table rows for Redis commands, from a running redis-server.

Vigil describes every command twice: a CmdSpec row next to its proc (name, arity, flags,
legacy key range, group, summary, since, argument hint) and a CmdMeta row in
server/command_meta.c (ACL categories, tips, key specs, complexity). Both come from what
Redis 7.0 says about itself (COMMAND INFO and COMMAND DOCS), so this script asks a reference
redis-server and prints the rows for pasting, which keeps COMMAND INFO byte-identical.

    tools/cmdgen.py --port 6379 spec lpush rpush     # CmdSpec rows (procs named cmd_<name>)
    tools/cmdgen.py --port 6379 meta lpush rpush     # CmdMeta rows, sorted by name
"""
import argparse
import sys

import redis

FLAG_NAMES = {
    "write": "CMD_WRITE", "readonly": "CMD_READONLY", "denyoom": "CMD_DENYOOM",
    "admin": "CMD_ADMIN", "pubsub": "CMD_PUBSUB", "noscript": "CMD_NOSCRIPT",
    "blocking": "CMD_BLOCKING", "loading": "CMD_LOADING", "stale": "CMD_STALE",
    "skip_monitor": "CMD_SKIP_MONITOR", "skip_slowlog": "CMD_SKIP_SLOWLOG",
    "fast": "CMD_FAST", "no_auth": "CMD_NO_AUTH", "may_replicate": "CMD_MAY_REPLICATE",
    "sentinel": "CMD_SENTINEL", "only_sentinel": "CMD_ONLY_SENTINEL",
    "no_mandatory_keys": "CMD_NO_MANDATORY_KEYS", "no_multi": "CMD_NO_MULTI",
    "allow_busy": "CMD_ALLOW_BUSY",
}


def as_str(v):
    return v.decode() if isinstance(v, bytes) else v


def pairs(lst):
    return {as_str(lst[i]): lst[i + 1] for i in range(0, len(lst), 2)}


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_arg(a):
    """One COMMAND DOCS argument as redis-cli's hint syntax ("[COUNT count]", "a|b")."""
    a = pairs(a)
    typ = as_str(a["type"])
    name = as_str(a["name"])
    token = as_str(a.get("token")) if a.get("token") is not None else None
    flags = [as_str(f) for f in a.get("flags", [])]
    if typ == "oneof":
        body = "|".join(render_arg(x) for x in a["arguments"])
    elif typ == "block":
        body = " ".join(render_arg(x) for x in a["arguments"])
    elif typ == "pure-token":
        body = token
    else:
        body = name
    if token and typ != "pure-token":
        body = f"{token} {body}"
    if "multiple" in flags:
        if "multiple_token" in flags or not token:
            body = f"{body} [{body} ...]"
        else:
            inner = body[len(token) + 1:]
            body = f"{body} [{inner} ...]"
    if "optional" in flags:
        body = f"[{body}]"
    return body


def raw(r, *args):
    """The reply as the server sent it (redis-py reshapes COMMAND INFO/DOCS otherwise)."""
    conn = r.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def describe(r, name):
    """(COMMAND INFO row, COMMAND DOCS map) of one command."""
    return raw(r, "COMMAND", "INFO", name)[0], pairs(raw(r, "COMMAND", "DOCS", name)[1])


def spec_row(r, name):
    info, docs = describe(r, name)
    arity = info[1]
    flags = [FLAG_NAMES[as_str(f)] for f in info[2] if as_str(f) in FLAG_NAMES]
    first, last, step = info[3], info[4], info[5]
    keys = f"KEYS({first}, {last}, {step})" if first else "NO_KEYS"
    hint = " ".join(render_arg(a) for a in docs.get("arguments", []))
    return (f'    {{{c_string(name)}, cmd_{name}, {arity}, {" | ".join(flags) or "0"}, {keys}, '
            f'{c_string(as_str(docs["group"]))}, NULL, {c_string(as_str(docs["summary"]))}, '
            f'{c_string(as_str(docs["since"]))}, {c_string(hint)}}},')


def key_spec(ks):
    ks = pairs(ks)
    flags = " ".join(as_str(f) for f in ks["flags"])
    bs = pairs(ks["begin_search"])
    bspec = pairs(bs["spec"])
    btype = as_str(bs["type"])
    if btype == "index":
        begin = f"BS_INDEX({bspec['index']})"
    elif btype == "keyword":
        begin = f"BS_KEYWORD({c_string(as_str(bspec['keyword']))}, {bspec['startfrom']})"
    else:
        begin = "BS_UNKNOWN"
    fk = pairs(ks["find_keys"])
    fspec = pairs(fk["spec"])
    ftype = as_str(fk["type"])
    if ftype == "range":
        find = f"FK_RANGE({fspec['lastkey']}, {fspec['keystep']}, {fspec['limit']})"
    elif ftype == "keynum":
        find = f"FK_KEYNUM({fspec['keynumidx']}, {fspec['firstkey']}, {fspec['keystep']})"
    else:
        find = "FK_UNKNOWN"
    if ks.get("notes"):
        return f"KS_NOTE({c_string(flags)}, {begin}, {find}, {c_string(as_str(ks['notes']))})"
    return f"KS({c_string(flags)}, {begin}, {find})"


def meta_row(r, name):
    info, docs = describe(r, name)
    acl = " ".join(as_str(c) for c in info[6])
    tips = " ".join(as_str(t) for t in info[7])
    specs = [key_spec(ks) for ks in info[8]]
    specs_c = "{" + ", ".join(specs) + "}" if specs else "NO_KEY_SPECS"
    tips_c = c_string(tips) if tips else "NULL"
    complexity = docs.get("complexity")  # REPLCONF has none
    complexity_c = c_string(as_str(complexity)) if complexity is not None else "NULL"
    return (f"    {{{c_string(name)}, {c_string(acl)}, {tips_c}, {specs_c},\n"
            f"     {complexity_c}}},")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=6379)
    ap.add_argument("kind", choices=["spec", "meta"])
    ap.add_argument("names", nargs="+")
    args = ap.parse_args()
    r = redis.Redis(port=args.port)
    names = [n.lower() for n in args.names]
    if args.kind == "meta":
        names.sort()
    for name in names:
        print(spec_row(r, name) if args.kind == "spec" else meta_row(r, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
