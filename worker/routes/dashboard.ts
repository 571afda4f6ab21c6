/**
 * `GET /`: the dispatch-state dashboard. A static page; it asks for the admin token once
 * (kept in the browser's localStorage) and renders `/api/state`: per repo, items with their
 * gate verdict, runs with fence and lease, agents, stale claims; then recent deliveries.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const dashboard = new Hono<{ Bindings: AppEnv }>();

dashboard.get("/", (c) =>
  c.html(PAGE, 200, {
    "content-security-policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
  }),
);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Worker Factory</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.muted{color:#656d76}.v-runnable{color:#1a7f37}.v-conflict,.v-parked{color:#cf222e}
.v-waiting,.v-triage{color:#9a6700}code{font-size:12px}
</style></head><body>
<h1>Worker Factory <span class="muted" id="workspace"></span></h1>
<form id="login" hidden><label>Admin token <input id="token" type="password" autocomplete="off"></label> <button>Show state</button></form>
<p class="muted" id="status"></p>
<h2>QA sequence</h2><div id="qa"></div><div id="repos"></div>
<h2>Operator log</h2><div id="meta"></div>
<h2>Recent deliveries</h2><div id="deliveries"></div>
<script>
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? "").replace(/[&<>"]/g, (ch) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[ch]));
const table = (head, rows) => "<div class=scroll><table><tr>" + head.map((h) => "<th>" + h + "</th>").join("") + "</tr>" +
  (rows.length ? rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>").join("") :
  "<tr><td class=muted colspan=" + head.length + ">none</td></tr>") + "</table></div>";
async function load() {
  const token = localStorage.getItem("wf-admin-token");
  if (!token) { $("login").hidden = false; return; }
  const res = await fetch("/api/state", { headers: { authorization: "Bearer " + token } });
  if (res.status === 401) { localStorage.removeItem("wf-admin-token"); $("login").hidden = false; $("status").textContent = "Token refused."; return; }
  const s = await res.json();
  $("login").hidden = true;
  $("workspace").textContent = s.workspace + " · " + s.project.org + " project " + s.project.number;
  $("status").textContent = "Updated " + new Date().toLocaleTimeString() + " · " + s.deliveryCount + (s.deliveryCount === 1 ? " delivery" : " deliveries") + " kept";
  $("qa").innerHTML = table(["", "Repo", "Item"], s.qaSequence.map((q, i) => [i === 0 ? "<b>now</b>" : String(i + 1),
    esc(q.repo), "#" + q.number + " " + esc(q.title)]));
  $("repos").innerHTML = s.repos.map((r) => "<h2>" + esc(r.name) + (r.paused ? " <span class=v-parked>(paused)</span>" : "") + "</h2>" +
    "<p class=muted>Agents: " + (r.agents.length ? r.agents.map((a) => esc(a.agentId) + " (" + a.liveRuns + "/" + a.capacity + ")").join(", ") : "none connected") +
    (r.budget ? " · GitHub budget " + r.budget.remaining + "/" + r.budget.limit + " points" : "") +
    (r.lastRefresh && r.lastRefresh.error ? " · board read failed: " + esc(r.lastRefresh.error) : "") + "</p>" +
    table(["#", "Title", "State", "Verdict", "Reason", "Attempts"], r.items.map((i) => ["#" + i.number, esc(i.title), esc(i.state),
      "<span class=v-" + esc(i.verdict) + ">" + esc(i.verdict) + "</span>", esc(i.reason), i.attempts])) +
    (r.runs.length ? table(["Run", "Item", "Fence", "Agent", "State", "Lease expires", "Outcome"], r.runs.map((u) => ["<code>" + esc(u.runId) + "</code>",
      "#" + u.number, u.fence, esc(u.agentId), esc(u.state), new Date(u.leaseExpires).toLocaleTimeString(), esc((u.outcome || "") + " " + (u.reason || ""))])) : "") +
    (r.staleClaims.length ? "<p class=v-conflict>Stale claims (lease passed, not released): " + r.staleClaims.map((c) => "#" + c.number + " by " + esc(c.claimOwner)).join(", ") + "</p>" : "")
  ).join("");
  $("meta").innerHTML = table(["When", "Event", "Item", "Detail"], s.metaQueue.slice(0, 20).map((m) =>
    [esc(new Date(m.at).toLocaleString()), esc(m.kind), esc((m.repo || "") + (m.number ? "#" + m.number : "")), esc(m.detail)]));
  $("deliveries").innerHTML = table(["Received", "Event", "Action", "Outcome", "Repo", "Detail"], s.deliveries.map((d) =>
    [esc(new Date(d.receivedAt).toLocaleString()), esc(d.event), esc(d.action), esc(d.outcome), esc(d.repo), esc(d.detail)]));
}
$("login").addEventListener("submit", (e) => { e.preventDefault(); localStorage.setItem("wf-admin-token", $("token").value); load(); });
load(); setInterval(load, 5000);
</script></body></html>`;
