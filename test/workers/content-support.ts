import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { admin } from "./api-support";
import { ledger } from "./ingest-support";

/** Runtime content (issue 14) through the admin API, and the alerts the Ledger holds. */

export async function changeContent(body: unknown): Promise<Response> {
  return admin("POST", "/content", body);
}

export async function changed(body: unknown): Promise<{ version: number; unchanged: boolean }> {
  const res = await changeContent(body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as { version: number; unchanged: boolean };
}

export interface StoredAlert {
  scenario: string;
  value: string;
  simulated: boolean;
  events_count: number;
  decisions: number;
}

/** The Ledger's alerts of `scenario`, oldest first, with how many decisions each made. */
export function alertsOf(scenario: string): Promise<StoredAlert[]> {
  return runInDurableObject(ledger(), (_, state) => {
    const sql = state.storage.sql;
    return sql
      .exec<{ seq: number; value: string; alert: string }>(
        "SELECT seq, value, alert FROM alerts WHERE scenario = ? ORDER BY seq",
        scenario,
      )
      .toArray()
      .map((r) => {
        const a = JSON.parse(r.alert) as { simulated?: boolean; events_count: number };
        const n = sql
          .exec<{ n: number }>("SELECT COUNT(*) AS n FROM decisions WHERE alert_seq = ?", r.seq)
          .one().n;
        return {
          scenario,
          value: r.value,
          simulated: a.simulated === true,
          events_count: a.events_count,
          decisions: Number(n),
        };
      });
  });
}

/** A trigger on one path: the operator's own application rule. */
export function pathTrigger(name: string, path: string): string {
  return `# an operator's rule
type: trigger
name: ${name}
description: "a request for ${path}"
filter: evt.Meta.log_type == 'http_access-log' && evt.Meta.http_path == '${path}'
groupby: evt.Meta.source_ip
blackhole: 1m
labels:
  service: http
  remediation: true
`;
}
