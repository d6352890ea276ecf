/** The stylesheet of report.html: system fonts, a light theme and a dark one where the system asks. */
export const STYLE = `
:root{--fg:#1f2328;--muted:#656d76;--bg:#fff;--panel:#f6f8fa;--border:#d0d7de;--accent:#0969da;
--good:#1a7f37;--good-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;
--c1:#0969da;--c2:#d1242f;--b0:#0969da;--b1:#8250df;--b2:#bf8700;--b3:#1a7f37;--b4:#cf222e;--b5:#57606a;
--ins:#dafbe1;--del:#ffebe9;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--panel:#161b22;
--border:#30363d;--accent:#4493f8;--good:#3fb950;--good-bg:#12261e;--bad:#f85149;--bad-bg:#2d1214;
--warn:#d29922;--c1:#4493f8;--c2:#ff7b72;--b0:#4493f8;--b1:#a371f7;--b2:#d29922;--b3:#3fb950;
--b4:#f85149;--b5:#8d96a0;--ins:#12361f;--del:#4a1419}}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;padding:24px 32px 64px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1400px;margin:0 auto}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:15px;margin:16px 0 8px}h3 .muted{font-weight:400;font-size:13px}.card h3{margin-top:0}
code,.mono,td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted,.na{color:var(--muted)}.na{font-style:italic}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;vertical-align:middle}
.badge.good{color:var(--good);background:var(--good-bg)}.badge.bad{color:var(--bad);background:var(--bad-bg)}
.badge.neutral{color:var(--muted);background:var(--panel);border:1px solid var(--border)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status-ran{color:var(--accent)}.status-failed,.status-interrupted{color:var(--bad);font-weight:600}
.status-fresh,.status-cached{color:var(--good)}.status-skipped,.status-detached{color:var(--muted)}
ul.why{margin:0;padding-left:16px}
.cards{display:flex;flex-wrap:wrap;gap:16px}
.card{border:1px solid var(--border);border-radius:6px;padding:12px 16px;background:var(--bg)}
.chart{max-width:100%;height:auto;display:block}
.chart text{fill:var(--fg);font-size:12px}.chart .tick{fill:var(--muted);font-size:11px}
.chart .axis-label{font-size:12px;font-weight:600}.chart .value{font-weight:600;font-variant-numeric:tabular-nums}
.chart .grid{stroke:var(--border);stroke-width:1;opacity:.6}.chart .axis{stroke:var(--muted);stroke-width:1}
.chart .line{fill:none;stroke-width:1.5;stroke-linejoin:round}
.chart .s-train{stroke:var(--c1)}.chart .s-eval{stroke:var(--c2);stroke-width:2}
.chart circle.s-eval{fill:var(--c2);stroke:none}.chart circle.s-train{fill:var(--c1);stroke:none}
.chart .bar{opacity:.85}.bar-0{fill:var(--b0)}.bar-1{fill:var(--b1)}.bar-2{fill:var(--b2)}.bar-3{fill:var(--b3)}
.bar-4{fill:var(--b4)}.bar-5{fill:var(--b5)}
.chart .err line{stroke:var(--fg);stroke-width:1.5}
.gates{list-style:none;padding:0}.gates li{margin:6px 0}.gates .detail{color:var(--muted);margin-left:8px}
.delta.good{color:var(--good)}.delta.bad{color:var(--bad)}
.controls{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:8px 0}
.controls input[type=search]{padding:4px 8px;min-width:280px;border:1px solid var(--border);border-radius:4px;
background:var(--bg);color:var(--fg)}
#examples-table{width:100%;table-layout:fixed}
#examples-table .id{width:110px;word-break:break-all}
#examples-table .text{white-space:pre-wrap;word-break:break-word;max-height:14em;overflow:auto}
#examples-table tr.failed td.id{border-left:3px solid var(--bad)}
#examples-table td.fail{background:var(--bad-bg)}
details summary{cursor:pointer;color:var(--accent);font-size:12px}
.msg{margin:4px 0}.msg .role{font-size:11px;text-transform:uppercase;color:var(--muted)}
ins{background:var(--ins);text-decoration:none}del{background:var(--del);text-decoration:line-through}
.scores{margin-top:4px;display:flex;flex-wrap:wrap;gap:4px 10px;font-size:12px;color:var(--muted)}
.score.good{color:var(--good)}.score.bad{color:var(--bad)}
button{font:inherit;padding:4px 12px;border:1px solid var(--border);border-radius:4px;background:var(--panel);
color:var(--fg);cursor:pointer}
button.link{border:0;background:none;padding:0;color:var(--accent);text-decoration:underline}
.legend-note{font-size:12px;color:var(--muted)}
`;
