"""report.py - vigil-drill's results: the plain-text summary (stdout and summary.txt), an HTML
page with an inline SVG timeline (sentinel events as marks, one row per sentinel; the writer's
outcome in 0.25 s bins; the drill's actions as dashed lines), and events.tsv / writes.tsv.
All times are seconds from the fault.
"""
import html
import os

KEY_EVENTS = ("+sdown", "+odown", "+elected-leader", "+switch-master", "+convert-to-slave")
COLORS = {"+sdown": "#e69f00", "+odown": "#d55e00", "+try-failover": "#cc79a7",
          "+elected-leader": "#0072b2", "+promoted-slave": "#009e73",
          "+switch-master": "#000000", "+convert-to-slave": "#56b4e9",
          "-sdown": "#999999", "-odown": "#999999", "~link-lost": "#ff0000"}
BIN = 0.25


def fmt_t(t):
    return "-" if t is None else f"{t:+.2f}"


def first_events(res):
    """{event: (first time, [first time per sentinel])} for the key events after the fault."""
    out = {}
    n = len(res["sentinel_names"])
    for name in KEY_EVENTS:
        per = [None] * n
        for t, i, ch, _ in res["events"]:
            if ch == name and t >= 0 and per[i] is None:
                per[i] = t
        seen = [t for t in per if t is not None]
        out[name] = (min(seen) if seen else None, per)
    return out


def summary(res, opts):
    r = res
    L = []
    target = f"sentinels {opts.sentinels}" if opts.sentinels else "own trio"
    L.append(f"vigil-drill {r['scenario']} (seed {r['seed']}) against {target}, "
             f"master {opts.master_name}")
    if r.get("t_fault") is None:
        L.append("the fault was not injected")
        return "\n".join(L)
    L.append(f"writer: {opts.rate:g}/s from {r['t_start'] - r['t_fault']:+.2f} s to "
             f"{r['t_writer_end'] - r['t_fault']:+.2f} s"
             + (f", WAIT {opts.wait} {opts.wait_timeout}" if opts.wait else ", no WAIT"))
    L.append("drill actions (s from the fault):")
    for t, x in r["notes"]:
        L.append(f"  {t:+7.2f}  {x}")
    L.append("sentinel events (first, then per sentinel " +
             ", ".join(r["sentinel_names"]) + "):")
    for name, (first, per) in first_events(r).items():
        L.append(f"  {name:18} {fmt_t(first):>7}   [" + ", ".join(fmt_t(t) for t in per) + "]")
    old = r["old"]
    final = r.get("final")
    L.append(f"old primary: {old[0]}:{old[1]}")
    L.append("new primary: " + (f"{final[0]}:{final[1]}" if final else "none agreed") +
             ("" if not final or final != old else " (unchanged)"))
    ans = r.get("answers", {})
    L.append("sentinels agree: " + ("yes" if final else "NO") + " (" +
             ", ".join(f"{k} -> {v}" for k, v in ans.items()) + ")")
    if r.get("masters") is not None:
        L.append(f"servers reporting role master: {len(r['masters'])} "
                 f"({', '.join(r['masters'])})")
    L.append(f"writes: {r['attempts']} attempted, {r['acked']} acknowledged, "
             f"{r['failures']} failed or unconfirmed")
    L.append(f"client-visible unavailability (longest gap between acknowledged writes): "
             f"{r['gap']:.2f} s, from {fmt_t(r['gap_from'])} s")
    lost = r.get("lost", [])
    L.append(f"acknowledged writes lost: {len(lost)}"
             + (f" (n={lost[0]}..{lost[-1]}, acknowledged between "
                f"{r['loss_window'][0]:+.2f} and {r['loss_window'][1]:+.2f} s)" if lost else "")
             + (f"; {r['readback']} values read back from the new primary"
                if "readback" in r else ""))
    if r["split"]:
        L.append(f"split brain: {r['split']} writes acknowledged by the old primary after the "
                 f"fault ({r['split_window'][0]:+.2f} .. {r['split_window'][1]:+.2f} s), "
                 f"{r['split_lost']} of them lost")
    else:
        L.append("split brain: no write acknowledged by the old primary after the fault")
    node = r.get("rejoin_node")
    if node and final and node != final:
        who = "old primary" if node == old else f"{node[0]}:{node[1]}"
        if r.get("rejoin_at") is not None:
            L.append(f"{who} a replica of the new primary, link up: {r['rejoin_at']:.2f} s after "
                     f"its return (resync: {r.get('resync', '?')})")
        else:
            L.append(f"{who}: not a replica of the primary with its link up")
    L.append("result: " + ("PASS" if not r["failed"] else "FAIL"))
    for f in r["failed"]:
        L.append(f"  failed: {f}")
    return "\n".join(L)


def svg(res):
    """The timeline: x = seconds from the fault; one row per sentinel, then the writer."""
    recs = res["records"]
    t0 = min([res["t_start"] - res["t_fault"]] + [e[0] for e in res["events"]] or [0])
    t0 = max(t0, res["t_start"] - res["t_fault"] - 1)
    t1 = max([res["t_writer_end"] - res["t_fault"]] + [e[0] for e in res["events"]] +
             [t for t, _ in res["notes"]]) + 0.5
    W, left, row = 1100, 170, 34
    nst = len(res["sentinel_names"])
    H = 40 + row * (nst + 1) + 60
    span = max(t1 - t0, 1)

    def x(t):
        return left + (t - t0) / span * (W - left - 20)

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="11">']
    step = 1 if span <= 30 else 5 if span <= 150 else 30
    t = int(t0)
    while t <= t1:
        o.append(f'<line x1="{x(t):.1f}" y1="30" x2="{x(t):.1f}" y2="{H - 50}" '
                 f'stroke="#eee"/><text x="{x(t):.1f}" y="22" text-anchor="middle">{t:+d}</text>')
        t += step
    for i, name in enumerate(res["sentinel_names"]):
        y = 40 + row * i
        o.append(f'<text x="5" y="{y + 18}">sentinel {html.escape(name)}</text>'
                 f'<line x1="{left}" y1="{y + 14}" x2="{W - 20}" y2="{y + 14}" stroke="#ccc"/>')
    ys = 40 + row * nst
    o.append(f'<text x="5" y="{ys + 18}">writer (per {BIN} s)</text>')
    nbins = int(span / BIN) + 1
    bins = [[0, 0, 0] for _ in range(nbins)]  # acked, unconfirmed (WAIT short), errors
    for t, n, ok, _, err in recs:
        b = int((t - t0) / BIN)
        if 0 <= b < nbins:
            bins[b][0 if ok else 1 if err and err.startswith("WAIT") else 2] += 1
    for b, (a, u, e) in enumerate(bins):
        if a + u + e == 0:
            continue
        color = "#2ca02c" if a and not (u or e) else "#bcbd22" if a else \
            "#ff7f0e" if u and not e else "#d62728"
        o.append(f'<rect x="{x(t0 + b * BIN):.1f}" y="{ys + 4}" '
                 f'width="{max(x(t0 + BIN) - x(t0), 1):.1f}" height="20" fill="{color}">'
                 f'<title>{t0 + b * BIN:+.2f} s: {a} acknowledged, {u} unconfirmed, '
                 f'{e} errors</title></rect>')
    for t, text in res["notes"]:
        o.append(f'<line x1="{x(t):.1f}" y1="30" x2="{x(t):.1f}" y2="{H - 50}" '
                 f'stroke="{"#d62728" if text.startswith("fault") else "#555"}" '
                 f'stroke-dasharray="4 3"><title>{t:+.2f} s {html.escape(text)}</title></line>')
    for t, i, ch, data in res["events"]:
        if t < t0 or ch.startswith("__"):
            continue
        y = 40 + row * i + 14
        color = COLORS.get(ch, "#7f7f7f")
        big = ch in KEY_EVENTS
        o.append(f'<circle cx="{x(t):.1f}" cy="{y}" r="{5 if big else 3}" fill="{color}">'
                 f'<title>{t:+.3f} s {html.escape(ch)} {html.escape(data)}</title></circle>')
        if big:
            o.append(f'<text x="{x(t) + 3:.1f}" y="{y - 7}" fill="{color}" font-size="9">'
                     f'{html.escape(ch)}</text>')
    ly = H - 30
    lx = left
    for name, color in [("acknowledged", "#2ca02c"), ("mixed", "#bcbd22"),
                        ("WAIT unconfirmed", "#ff7f0e"), ("errors", "#d62728")] + \
            [(k, v) for k, v in COLORS.items() if k in KEY_EVENTS]:
        o.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{color}"/>'
                 f'<text x="{lx + 13}" y="{ly + 9}">{html.escape(name)}</text>')
        lx += 20 + 7 * len(name)
    o.append("</svg>")
    return "\n".join(o)


def write(out, res, opts, text):
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text + "\n")
    if res.get("t_fault") is None:
        return
    with open(os.path.join(out, "events.tsv"), "w") as f:
        f.write("t\tsentinel\tevent\tpayload\n")
        for t, i, ch, data in res["events"]:
            f.write(f"{t:.3f}\t{res['sentinel_names'][i]}\t{ch}\t{data}\n")
    with open(os.path.join(out, "writes.tsv"), "w") as f:
        f.write("t\tn\tacknowledged\taddress\terror\n")
        for t, n, ok, addr, err in res["records"]:
            f.write(f"{t:.3f}\t{'' if n is None else n}\t{int(ok)}\t{addr}\t{err or ''}\n")
    verdict = "PASS" if not res["failed"] else "FAIL"
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>vigil-drill {html.escape(res['scenario'])}: {verdict}</title>
<style>body{{font-family:sans-serif;margin:1em}} pre{{background:#f6f6f6;padding:.6em}}
.PASS{{color:#2ca02c}} .FAIL{{color:#d62728}}</style></head><body>
<h1>vigil-drill {html.escape(res['scenario'])}: <span class="{verdict}">{verdict}</span></h1>
<p>Time in seconds from the fault (red dashed line). One row per sentinel: its Pub/Sub events
(hover for the payload). Last row: the writer's outcome per {BIN} s.</p>
{svg(res)}
<h2>Summary</h2>
<pre>{html.escape(text)}</pre>
<p>Raw data: events.tsv, writes.tsv; the processes' logs are in their directories here.</p>
</body></html>
"""
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(page)
