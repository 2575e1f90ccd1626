/** The report's only stylesheet, inline: the page needs no network and runs no script. */
export const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--critical:#8b0000;--high:#d1242f;--medium:#bc4c00;--low:#9a6700;--info:#0969da;--pass:#1a7f37;--error:#8250df}
*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
p{margin:6px 0}.meta,.muted{color:var(--muted)}code{font-size:12px;overflow-wrap:anywhere}a{color:var(--info)}
nav{margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 14px}
.notice{border:1px solid var(--medium);background:#fff1e5;border-radius:6px;padding:8px 12px;margin:12px 0}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:14px 0}.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:100px;background:var(--soft)}
.card b{display:block;font-size:22px}.card.delta b{color:var(--high)}.card.good b{color:var(--pass)}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}th{background:var(--soft);font-weight:600}
td.msg{min-width:16em;overflow-wrap:anywhere}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev,.st{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.st-FAIL{background:var(--high)}.st-PASS{background:var(--pass)}.st-ERROR{background:var(--error)}.st-NOT_APPLICABLE{background:var(--muted)}
.lc{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;border:1px solid currentColor}
.lc-new{color:var(--high)}.lc-regressed{color:var(--critical);background:#ffebe9}.lc-resolved{color:var(--pass)}
.lc-stale{color:var(--error)}.lc-suppressed{color:var(--muted);border-style:dashed}
ol.fix{padding-left:2.2em;margin:6px 0}ol.fix li{margin:0 0 6px}ol.fix .where{color:var(--muted)}
table.heat td,table.heat th{text-align:center;white-space:nowrap}table.heat td:first-child,table.heat th:first-child{text-align:left}
table.heat td a{display:block;color:inherit;text-decoration:none}table.heat small{font-weight:400}
.h0{background:#dafbe1}.h1{background:#fff8c5}.h2{background:#ffd8b5}.h3{background:#ffaba8}.h4{background:var(--high);color:#fff}.hx{color:var(--muted)}
.legend span{display:inline-block;padding:0 8px;border-radius:4px;margin-right:4px;font-size:12px}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:var(--bg)}
summary{cursor:pointer;padding:6px 12px}details>div{padding:0 12px 10px}details details{margin:8px 0}
summary .chips{white-space:normal}summary .sev{margin-left:2px}
.finding{border-top:1px solid var(--line);padding:8px 0}.finding:target,tr:target,div:target{outline:2px solid var(--info);outline-offset:2px}
pre{background:var(--soft);padding:8px;border-radius:4px;overflow:auto;font-size:12px;max-height:240px;white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0}
pre.cmd{border-left:3px solid var(--info)}
@media (max-width:900px){main{padding:12px}.card{min-width:84px;padding:6px 10px}.card b{font-size:18px}summary{padding:6px 8px}details>div{padding:0 8px 8px}}
@media print{details:not([open])>div{display:block}}
`;
