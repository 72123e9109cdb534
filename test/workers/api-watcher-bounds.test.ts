import { describe, expect, it } from "vitest";
import { lapiAlertListSchema } from "../../src/contract/lapi-alert";
import { adminOk, ban } from "./api-support";
import { ledger } from "./ingest-support";
import { agentAlert, call, cscliAlert, login, machine } from "./watcher-support";

// What a watcher credential can do, and not: a stolen agent's or log server's credential
// must not lift others' bans nor ban the internet (issue 10, item 4).

async function watcherJwt(): Promise<string> {
  const m = await machine();
  return login(m.name, m.token);
}

function withDecision(ip: string, scope: string, value: string) {
  const a = cscliAlert(ip);
  return { ...a, decisions: [{ ...a.decisions[0], scope, value }] };
}

async function alertCount(): Promise<number> {
  const page = await adminOk<{ alerts: unknown[] }>("GET", "/alerts?limit=1000");
  return page.alerts.length;
}

describe("a watcher ends only what its own alerts made", () => {
  it("refuses to end the admin's or Palisade's decisions, by filter and by id (403)", async () => {
    const jwt = await watcherJwt();
    const theirs = await ban("203.0.113.140");
    const byIp = await call("DELETE", "/decisions?ip=203.0.113.140", { jwt });
    expect(byIp.status).toBe(403);
    const body = (await byIp.json()) as { message: string; error: { code: string } };
    expect(body.error.code).toBe("not_yours");
    expect(body.message).toContain("palisade decisions delete");
    expect((await call("DELETE", `/decisions/${theirs.id}`, { jwt })).status).toBe(403);
    expect((await ledger().decision(theirs.id))?.deleted_seq).toBeNull();
  });

  it("ends its own and leaves the others when a filter matches both (no filter: all of its own)", async () => {
    const jwt = await watcherJwt();
    const theirs = await ban("203.0.113.141");
    await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.141")] });
    const res = await call("DELETE", "/decisions?ip=203.0.113.141", { jwt });
    expect(await res.json()).toEqual({ nbDeleted: "1" });
    expect((await ledger().decision(theirs.id))?.deleted_seq).toBeNull();
    const other = await watcherJwt();
    await call("POST", "/alerts", { jwt: other, body: [cscliAlert("203.0.113.142")] });
    await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.143")] });
    // cscli decisions delete --all: DELETE /v1/decisions with no filter.
    expect(await (await call("DELETE", "/decisions", { jwt })).json()).toEqual({ nbDeleted: "1" });
    const live = await adminOk<{ decisions: { value: string }[] }>("GET", "/decisions?limit=1000");
    const values = live.decisions.map((d) => d.value);
    expect(values).toContain("203.0.113.142");
    expect(values).toContain("203.0.113.141");
    expect(values).not.toContain("203.0.113.143");
  });

  it("deletes its own alerts (ending their decisions), not another machine's", async () => {
    const jwt = await watcherJwt();
    const other = await watcherJwt();
    const [mine] = (await (
      await call("POST", "/alerts", { jwt, body: [cscliAlert("203.0.113.144")] })
    ).json()) as string[];
    const [theirs] = (await (
      await call("POST", "/alerts", { jwt: other, body: [cscliAlert("203.0.113.145")] })
    ).json()) as string[];
    expect((await call("DELETE", `/alerts/${theirs}`, { jwt })).status).toBe(403);
    const del = await call("DELETE", `/alerts/${mine}`, { jwt });
    expect(await del.json()).toEqual({ nbDeleted: "1" });
    expect((await call("GET", `/alerts/${mine}`, { jwt })).status).toBe(404);
    expect((await call("GET", `/alerts/${theirs}`, { jwt })).status).toBe(200);
    const left = await adminOk<{ decisions: { value: string }[] }>("GET", "/decisions?limit=1000");
    expect(left.decisions.map((d) => d.value)).not.toContain("203.0.113.144");
    const byIp = await call("DELETE", "/alerts?ip=203.0.113.145", { jwt });
    expect(byIp.status).toBe(403);
    expect(await (await call("DELETE", "/alerts?ip=203.0.113.145", { jwt: other })).json()).toEqual(
      { nbDeleted: "1" },
    );
  });
});

describe("a watcher's pushes are bounded", () => {
  it.each([
    ["0.0.0.0/0 as a Range", "Range", "0.0.0.0/0", "body[1].decisions[0].value"],
    ["10.0.0.0/8 as an Ip (cscli import's form)", "Ip", "10.0.0.0/8", "body[1].decisions[0].value"],
    ["::/0", "Range", "::/0", "body[1].decisions[0].value"],
    ["2001:db8::/32", "Range", "2001:db8::/32", "body[1].decisions[0].value"],
    ["a country", "Country", "FR", "body[1].decisions[0].scope"],
    ["a made-up scope", "Username", "root", "body[1].decisions[0].scope"],
    ["garbage in an Ip", "Ip", "not-an-ip", "body[1].decisions[0].value"],
  ])(
    "refuses a decision on %s with 400 naming the field, and records nothing",
    async (_, scope, value, path) => {
      const jwt = await watcherJwt();
      const before = await alertCount();
      const res = await call("POST", "/alerts", {
        jwt,
        body: [cscliAlert("203.0.113.150"), withDecision("203.0.113.151", scope, value)],
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { path: string } }).error.path).toBe(path);
      expect(await alertCount()).toBe(before);
    },
  );

  it("refuses an alert whose Range source the profiles would ban whole", async () => {
    const jwt = await watcherJwt();
    const wide = { ...agentAlert("198.51.100.1"), source: { scope: "Range", value: "0.0.0.0/1" } };
    const res = await call("POST", "/alerts", { jwt, body: [wide] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { path: string } }).error.path).toBe(
      "body[0].source.value",
    );
  });

  it("accepts a /16, a /48, and cscli import's range sent as an Ip (then a Range)", async () => {
    const jwt = await watcherJwt();
    const res = await call("POST", "/alerts", {
      jwt,
      body: [
        withDecision("203.0.113.152", "Range", "198.18.0.0/16"),
        withDecision("203.0.113.153", "Range", "2001:db8:1::/48"),
        withDecision("203.0.113.154", "Ip", "192.0.2.128/25"),
      ],
    });
    expect(res.status).toBe(201);
    const alerts = lapiAlertListSchema.parse(
      await (await call("GET", "/alerts?range=192.0.2.128/25", { jwt })).json(),
    );
    expect(alerts?.[0]?.decisions?.[0]).toMatchObject({ scope: "Range", value: "192.0.2.128/25" });
  });

  it("records a simulated alert without a decision", async () => {
    const jwt = await watcherJwt();
    const res = await call("POST", "/alerts", {
      jwt,
      body: [{ ...agentAlert("203.0.113.155"), simulated: true }],
    });
    const [id] = (await res.json()) as string[];
    const one = (await (await call("GET", `/alerts/${id}`, { jwt })).json()) as {
      simulated: boolean;
      decisions: unknown;
    };
    expect(one).toMatchObject({ simulated: true, decisions: null });
  });
});
