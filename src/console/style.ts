/**
 * The console's whole stylesheet, inlined in each page under the response's CSP nonce (no
 * extra request, nothing served before login but the login page). System fonts, no
 * framework; colours meet WCAG AA contrast on both themes.
 */
export const CONSOLE_CSS = `
:root{--bg:#f7f7f8;--fg:#17181c;--muted:#4b5060;--card:#fff;--line:#d8dae0;--accent:#0b57d0;--a2:#b3261e;--ok:#146c2e;--warn:#8a4b00;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#121317;--fg:#e8e9ed;--muted:#b4b8c5;--card:#1b1d23;--line:#343844;--accent:#8ab4f8;--a2:#f2b8b5;--ok:#7dd99b;--warn:#ffb870}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;margin-right:.5rem}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem .9rem;list-style:none;margin:0;padding:0}
nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header form{margin-left:auto}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.3rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem;min-width:0}
.kpis{display:flex;flex-wrap:wrap;gap:1rem}
.kpi{min-width:9rem}
.kpi b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td{overflow-wrap:anywhere}th{white-space:nowrap}
th{font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre,.raw{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre.raw{white-space:pre-wrap;word-break:break-all;margin:0;padding:.4rem .5rem;background:var(--bg);border-radius:4px}
.muted{color:var(--muted)}
.notice{padding:.6rem .8rem;border-radius:6px;border:1px solid var(--ok);margin-bottom:1rem}
.notice.error{border-color:var(--a2)}
.secret{font-family:ui-monospace,monospace;font-size:15px;padding:.5rem;border:2px dashed var(--warn);word-break:break-all}
form.inline{display:inline}
form.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.15rem}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:5px;background:var(--card);color:var(--fg)}
button{cursor:pointer;background:var(--accent);color:var(--card);border-color:var(--accent);font-weight:600}
button.secondary{background:var(--card);color:var(--accent)}
button.danger{background:var(--a2);border-color:var(--a2);color:var(--card)}
.tag{display:inline-block;padding:0 .4rem;border-radius:4px;border:1px solid var(--line);font-size:.8rem}
.tag.ban{border-color:var(--a2);color:var(--a2)}.tag.captcha{border-color:var(--warn);color:var(--warn)}
svg text{fill:var(--muted);font-size:11px}
svg .s0{fill:var(--a2)}svg .s1{fill:var(--accent)}svg .axis{stroke:var(--line)}
.legend span{margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
.legend .s0{background:var(--a2)}.legend .s1{background:var(--accent)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:var(--card);padding:.3rem}
.login{max-width:26rem;margin:12vh auto}
`;
