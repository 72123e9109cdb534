import { randomBytes, randomUUID } from "node:crypto";

/**
 * A member of a commons as a CrowdSec 1.4.6 engine speaks to it (register, login,
 * enroll, signals, stream), for tests that drive a commons under wrangler dev.
 */

export const SSH_BF_03 = {
  scenario: "crowdsecurity/ssh-bf",
  scenario_version: "0.3",
  scenario_hash: "242f36684d66bbae3044e576b7cfffef62d5323465f3f74f87923167c6d93356",
};

export class CapiMember {
  readonly id = `${randomBytes(16).toString("hex")}${randomBytes(8).toString("hex")}`;
  readonly password = randomBytes(32).toString("hex");
  token = "";

  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Response> {
    const headers: Record<string, string> = { "User-Agent": "crowdsec/v1.4.6-test" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Registers and logs in; enrolls with `key` when given. Throws on any refusal. */
  async join(key?: string, name = "site"): Promise<this> {
    await this.expect(
      this.call("POST", "/v2/watchers", { machine_id: this.id, password: this.password }, ""),
      201,
    );
    const login = await this.expect(
      this.call(
        "POST",
        "/v2/watchers/login",
        { machine_id: this.id, password: this.password, scenarios: [] },
        "",
      ),
      200,
    );
    this.token = (JSON.parse(login) as { token: string }).token;
    if (key) {
      await this.expect(
        this.call("POST", "/v2/watchers/enroll", {
          attachment_key: key,
          name,
          tags: [],
          overwrite: false,
        }),
        202,
      );
    }
    return this;
  }

  async signal(ip: string): Promise<void> {
    const now = Date.now();
    const item = {
      ...SSH_BF_03,
      scenario_trust: "certified",
      message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 3s)`,
      source: { ip, scope: "Ip", value: ip },
      start_at: new Date(now - 3000).toISOString(),
      stop_at: new Date(now).toISOString(),
      uuid: randomUUID(),
    };
    await this.expect(this.call("POST", "/v2/signals", [item]), 200);
  }

  private async expect(p: Promise<Response>, status: number): Promise<string> {
    const res = await p;
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
    return text;
  }
}
