package io.metaproxy.host.admin;

/**
 * The dashboard served at {@code /}: one self-contained page (no external scripts, styles or fonts, so it works
 * on an offline host) that polls {@code /ready}, {@code /stats/prometheus}, {@code /clusters} and {@code /plugins}
 * every two seconds and shows requests, rates and latency per route, errors by type, connections, clusters and
 * plugins, with a button that POSTs {@code /reload} and shows the answer. It writes everything it fetched through
 * {@code textContent}, never as HTML, so names in the config cannot inject markup.
 */
final class DashboardPage {
  static final String HTML =
      """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>metaproxy admin</title>
      <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f4f6f9; }
        header { display: flex; gap: 12px; align-items: center; padding: 10px 20px; background: #1d2330; color: #fff; }
        header h1 { font-size: 18px; margin: 0 12px 0 0; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
        section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 15px; margin: 4px 0 8px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e6e9ef; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.empty { color: #8a93a6; font-style: italic; }
        .badge { padding: 2px 10px; border-radius: 10px; font-weight: 600; background: #8a93a6; }
        .ok { background: #1f9d55; } .bad { background: #d64545; }
        tr.hot td { color: #d64545; font-weight: 600; }
        button { font: inherit; padding: 3px 14px; border-radius: 4px; border: 0; background: #3c6df0; color: #fff; cursor: pointer; }
        button:disabled { background: #8a93a6; cursor: wait; }
        #reload-result { max-width: 50vw; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        #updated { margin-left: auto; color: #b8c0d0; font-size: 12px; }
        pre { margin: 0; font-size: 12px; white-space: pre-wrap; }
      </style>
      </head>
      <body>
      <header>
        <h1>metaproxy</h1>
        <span id="ready" class="badge">...</span>
        <button id="reload" type="button">Reload</button>
        <span id="reload-result"></span>
        <span id="updated"></span>
      </header>
      <main>
        <section class="wide">
          <h2>Requests by route</h2>
          <table id="routes"><thead><tr><th>listener</th><th>route</th><th>cluster</th><th class="num">requests</th>
            <th class="num">req/s</th><th class="num">in flight</th><th class="num">errors</th><th class="num">mean latency</th>
          </tr></thead><tbody></tbody></table>
        </section>
        <section>
          <h2>Errors by type</h2>
          <table id="errors"><thead><tr><th>type</th><th class="num">count</th></tr></thead><tbody></tbody></table>
        </section>
        <section>
          <h2>Connections</h2>
          <table id="listeners"><thead><tr><th>listener</th><th class="num">active</th><th class="num">accepted</th>
            <th class="num">decode errors</th></tr></thead><tbody></tbody></table>
          <h2>Upstream connect failures</h2>
          <table id="connect-failures"><thead><tr><th>cluster</th><th class="num">failures</th></tr></thead><tbody></tbody></table>
          <h2>Config reloads</h2>
          <table id="reloads"><thead><tr><th>result</th><th class="num">count</th></tr></thead><tbody></tbody></table>
        </section>
        <section class="wide">
          <h2>Clusters</h2>
          <table id="clusters"><thead><tr></tr></thead><tbody></tbody></table>
        </section>
        <section>
          <h2>Filter counters</h2>
          <table id="filter-counters"><thead><tr><th>listener</th><th>metric</th><th class="num">count</th></tr></thead>
            <tbody></tbody></table>
        </section>
        <section>
          <h2>Plugins</h2>
          <pre id="plugins"></pre>
        </section>
      </main>
      <script>
      "use strict";
      const REFRESH_MS = 2000;
      const byId = (id) => document.getElementById(id);
      let previous = null; // the last poll's per-route totals, for rates

      function unescapeLabel(value) {
        return value.replace(/\\\\(.)/g, (_, c) => (c === "n" ? "\\n" : c));
      }

      // One sample per line: name{label="value",...} value
      function parsePrometheus(text) {
        const samples = [];
        const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)/;
        const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\]|\\\\.)*)"/g;
        for (const line of text.split("\\n")) {
          if (line === "" || line.startsWith("#")) continue;
          const m = lineRe.exec(line);
          if (!m) continue;
          const labels = {};
          for (const l of (m[2] || "").matchAll(labelRe)) labels[l[1]] = unescapeLabel(l[2]);
          const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
          samples.push({ name: m[1], labels, value });
        }
        return samples;
      }

      function sumBy(samples, name, keyOf) {
        const sums = new Map();
        for (const s of samples) {
          if (s.name !== name) continue;
          const key = keyOf(s.labels);
          sums.set(key, (sums.get(key) || 0) + s.value);
        }
        return sums;
      }

      function fillTable(id, rows, columns, hot) {
        const table = byId(id);
        const body = table.tBodies[0];
        if (rows.length === 0) {
          const td = document.createElement("td");
          td.colSpan = columns;
          td.className = "empty";
          td.textContent = "none yet";
          const tr = document.createElement("tr");
          tr.appendChild(td);
          body.replaceChildren(tr);
          return;
        }
        body.replaceChildren(...rows.map((row) => {
          const tr = document.createElement("tr");
          if (hot && hot(row)) tr.className = "hot";
          for (const cell of row) {
            const td = document.createElement("td");
            td.textContent = String(cell);
            if (typeof cell === "number" || /^[0-9.]+( ms)?$/.test(String(cell))) td.className = "num";
            tr.appendChild(td);
          }
          return tr;
        }));
      }

      function fillHeader(id, names) {
        const tr = byId(id).tHead.rows[0];
        tr.replaceChildren(...names.map((name) => {
          const th = document.createElement("th");
          th.textContent = name;
          return th;
        }));
      }

      function milliseconds(seconds) {
        return Number.isFinite(seconds) ? (seconds * 1000).toFixed(2) + " ms" : "-";
      }

      function showStats(text) {
        const samples = parsePrometheus(text);
        const routeKey = (l) => JSON.stringify([l.listener || "", l.route || "", l.cluster || ""]);
        const requests = sumBy(samples, "metaproxy_requests_total", routeKey);
        const active = sumBy(samples, "metaproxy_requests_active", routeKey);
        const errors = sumBy(samples, "metaproxy_request_errors_total", routeKey);
        const count = sumBy(samples, "metaproxy_request_duration_seconds_count", routeKey);
        const sum = sumBy(samples, "metaproxy_request_duration_seconds_sum", routeKey);
        const now = Date.now();
        const rows = [];
        for (const [key, total] of requests) {
          const [listener, route, cluster] = JSON.parse(key);
          let rate = "-";
          let latency = (sum.get(key) || 0) / (count.get(key) || NaN);
          if (previous && previous.requests.has(key)) {
            const seconds = (now - previous.time) / 1000;
            rate = ((total - previous.requests.get(key)) / seconds).toFixed(1);
            const answered = (count.get(key) || 0) - (previous.count.get(key) || 0);
            if (answered > 0) latency = ((sum.get(key) || 0) - (previous.sum.get(key) || 0)) / answered;
          }
          rows.push([listener, route || "(none)", cluster || "(none)", total, rate, active.get(key) || 0,
            errors.get(key) || 0, milliseconds(latency)]);
        }
        rows.sort((a, b) => b[3] - a[3]);
        fillTable("routes", rows, 8, (row) => row[6] > 0);
        previous = { time: now, requests, count, sum };

        const byType = sumBy(samples, "metaproxy_request_errors_total", (l) => l.type || "");
        fillTable("errors", [...byType].sort((a, b) => b[1] - a[1]), 2, (row) => row[1] > 0);

        const listenerKey = (l) => l.listener || "";
        const open = sumBy(samples, "metaproxy_downstream_connections_active", listenerKey);
        const accepted = sumBy(samples, "metaproxy_downstream_connections_total", listenerKey);
        const decodeErrors = sumBy(samples, "metaproxy_decode_errors_total", listenerKey);
        fillTable("listeners", [...accepted.keys()].sort().map((name) =>
          [name, open.get(name) || 0, accepted.get(name), decodeErrors.get(name) || 0]), 4, (row) => row[3] > 0);
        fillTable("connect-failures",
          [...sumBy(samples, "metaproxy_upstream_connect_failures_total", (l) => l.cluster || "")], 2);
        fillTable("reloads", [...sumBy(samples, "metaproxy_config_reloads_total", (l) => l.result || "")], 2,
          (row) => row[0] === "failure" && row[1] > 0);
        const counters = sumBy(samples, "metaproxy_filter_counter_total", (l) => JSON.stringify([l.listener, l.metric]));
        fillTable("filter-counters", [...counters].map(([key, value]) => [...JSON.parse(key), value]), 3);
      }

      // Lines cluster::endpoint::stat::value; an IPv6 endpoint may itself contain "::".
      function showClusters(text) {
        const endpoints = new Map();
        const stats = [];
        for (const line of text.split("\\n")) {
          const parts = line.trim().split("::");
          if (parts.length < 4) continue;
          const cluster = parts[0];
          const value = parts[parts.length - 1];
          const stat = parts[parts.length - 2];
          const endpoint = parts.slice(1, parts.length - 2).join("::");
          const key = JSON.stringify([cluster, endpoint]);
          if (!endpoints.has(key)) endpoints.set(key, {});
          endpoints.get(key)[stat] = value;
          if (!stats.includes(stat)) stats.push(stat);
        }
        fillHeader("clusters", ["cluster", "endpoint", ...stats]);
        const rows = [...endpoints].map(([key, values]) => [...JSON.parse(key), ...stats.map((s) => values[s] ?? "")]);
        const health = stats.indexOf("health");
        fillTable("clusters", rows, stats.length + 2,
          (row) => health >= 0 && !/^(healthy|ok|up)$/i.test(row[health + 2]));
      }

      function showPlugins(text) {
        try {
          byId("plugins").textContent = JSON.stringify(JSON.parse(text), null, 2);
        } catch (e) {
          byId("plugins").textContent = text;
        }
      }

      async function fetchText(path, options) {
        const response = await fetch(path, Object.assign({ cache: "no-store" }, options));
        return { status: response.status, text: await response.text() };
      }

      async function refresh() {
        try {
          const [ready, stats, clusters, plugins] = await Promise.all(
            ["/ready", "/stats/prometheus", "/clusters", "/plugins"].map((path) => fetchText(path)));
          const badge = byId("ready");
          badge.textContent = ready.text.trim() || String(ready.status);
          badge.className = "badge " + (ready.status === 200 ? "ok" : "bad");
          if (stats.status === 200) showStats(stats.text);
          if (clusters.status === 200) showClusters(clusters.text);
          if (plugins.status === 200) showPlugins(plugins.text);
          byId("updated").textContent = "updated " + new Date().toLocaleTimeString();
        } catch (e) {
          const badge = byId("ready");
          badge.textContent = "UNREACHABLE";
          badge.className = "badge bad";
        } finally {
          setTimeout(refresh, REFRESH_MS);
        }
      }

      byId("reload").addEventListener("click", async () => {
        const button = byId("reload");
        const result = byId("reload-result");
        button.disabled = true;
        result.textContent = "reloading...";
        try {
          const answer = await fetchText("/reload", { method: "POST" });
          result.textContent = (answer.status === 200 ? "reloaded: " : "rejected (" + answer.status + "): ") + answer.text;
          result.title = answer.text;
        } catch (e) {
          result.textContent = "reload failed: " + e;
        } finally {
          button.disabled = false;
        }
      });

      refresh();
      </script>
      </body>
      </html>
      """;

  private DashboardPage() {}
}
