import { describe, expect, it } from "vitest";
import { capiLoginAnswerSchema } from "../../src/contract/capi";
import { ADMIN, call, key, machineId, member, ok } from "./support";

// Registration, login, enrollment and metrics as Debian's CrowdSec 1.4.6 sends them.

const PASSWORD = "0123456789abcdef0123456789abcdef";

describe("POST /v2/watchers (cscli capi register)", () => {
  it("answers 201 with an empty body, and again for the same credentials", async () => {
    const id = machineId();
    for (let i = 0; i < 2; i++) {
      const res = await call("POST", "/v2/watchers", {
        body: { machine_id: id, password: PASSWORD },
      });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe("");
    }
  });

  it("refuses a taken machine_id with another password (409), naming the field", async () => {
    const id = machineId();
    await ok(
      await call("POST", "/v2/watchers", { body: { machine_id: id, password: PASSWORD } }),
      201,
    );
    const res = await call("POST", "/v2/watchers", {
      body: { machine_id: id, password: `${PASSWORD}x` },
    });
    const body = await ok<{ message: string; error: { code: string; path: string } }>(res, 409);
    expect(body.error).toMatchObject({ code: "machine_id_taken", path: "body.machine_id" });
    expect(body.message).toContain(id);
  });

  it.each([
    [{ machine_id: "short", password: PASSWORD }, "body.machine_id"],
    [{ machine_id: machineId(), password: "tooshort" }, "body.password"],
    [{ machine_id: "has spaces in it and is long enough", password: PASSWORD }, "body.machine_id"],
    [{ password: PASSWORD }, "body.machine_id"],
  ])("refuses %j with 400 naming %s", async (body, path) => {
    const res = await call("POST", "/v2/watchers", { body });
    const out = await ok<{ message: string; error: { path: string } }>(res, 400);
    expect(out.error.path).toBe(path);
    expect(out.message).toContain(path);
  });

  it("refuses a body that is not JSON (400)", async () => {
    const res = await call("POST", "/v2/watchers", { text: "{not json" });
    expect((await ok<{ error: { code: string } }>(res, 400)).error.code).toBe("bad_json");
  });
});

describe("POST /v2/watchers/login", () => {
  it("answers gin-jwt's shape: code 200, an RFC 3339 expire and a JWT", async () => {
    const id = machineId();
    await ok(
      await call("POST", "/v2/watchers", { body: { machine_id: id, password: PASSWORD } }),
      201,
    );
    const res = await call("POST", "/v2/watchers/login", {
      body: { machine_id: id, password: PASSWORD, scenarios: ["crowdsecurity/ssh-bf"] },
    });
    const login = capiLoginAnswerSchema.parse(await ok(res));
    expect(login.token.split(".")).toHaveLength(3);
    expect(Date.parse(login.expire)).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it("refuses a wrong password and an unknown machine alike (401)", async () => {
    const m = await member(false);
    for (const body of [
      { machine_id: m.id, password: "wrong-password-0000" },
      { machine_id: machineId(), password: PASSWORD },
    ]) {
      const out = await ok<{ message: string; error: { code: string } }>(
        await call("POST", "/v2/watchers/login", { body: { ...body, scenarios: [] } }),
        401,
      );
      expect(out.error.code).toBe("bad_credentials");
      expect(out.message).toContain("incorrect Username or Password");
    }
  });
});

describe("POST /v2/watchers/enroll (cscli console enroll KEY)", () => {
  it("enrolls with a key (202), then says already enrolled (200) without using a key", async () => {
    const m = await member(false);
    const k = await key({ uses: 1 });
    const body = { attachment_key: k, name: "web-01", tags: ["eu"], overwrite: false };
    expect((await call("POST", "/v2/watchers/enroll", { token: m.token, body })).status).toBe(202);
    const again = await call("POST", "/v2/watchers/enroll", {
      token: m.token,
      body: { ...body, attachment_key: "anything" },
    });
    expect(again.status).toBe(200);
    const view = await ok<{ enrolled: boolean; name: string; tags: string[] }>(
      await call("GET", `/v1/admin/members/${m.id}`, { token: ADMIN }),
    );
    expect(view).toMatchObject({ enrolled: true, name: "web-01", tags: ["eu"] });
  });

  it("refuses an unknown key and a used-up key (403 invalid enrollment key)", async () => {
    const k = await key({ uses: 1 });
    const first = await member(false);
    const body = { attachment_key: k, name: "", tags: [], overwrite: false };
    expect((await call("POST", "/v2/watchers/enroll", { token: first.token, body })).status).toBe(
      202,
    );
    const second = await member(false);
    for (const attachment_key of [k, "no-such-key-0000000000000000"]) {
      const out = await ok<{ message: string; error: { path: string } }>(
        await call("POST", "/v2/watchers/enroll", {
          token: second.token,
          body: { ...body, attachment_key },
        }),
        403,
      );
      expect(out.message).toMatch(/^invalid enrollment key: /);
      expect(out.error.path).toBe("body.attachment_key");
    }
  });

  it("lets one key enroll as many members as its uses, and tags them", async () => {
    const k = await key({ uses: 2, tags: ["fleet"], note: "two web servers" });
    for (let i = 0; i < 2; i++) {
      const m = await member(false);
      const body = { attachment_key: k, name: `w${i}`, tags: [], overwrite: false };
      expect((await call("POST", "/v2/watchers/enroll", { token: m.token, body })).status).toBe(
        202,
      );
      const view = await ok<{ tags: string[] }>(
        await call("GET", `/v1/admin/members/${m.id}`, { token: ADMIN }),
      );
      expect(view.tags).toEqual(["fleet"]);
    }
  });

  it("needs the member's token (401 without, 401 with a forged one)", async () => {
    const body = { attachment_key: "x", name: "", tags: [], overwrite: false };
    expect((await call("POST", "/v2/watchers/enroll", { body })).status).toBe(401);
    const forged =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Im1lIiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA";
    const out = await ok<{ error: { code: string } }>(
      await call("POST", "/v2/watchers/enroll", { token: forged, body }),
      401,
    );
    expect(out.error.code).toBe("bad_token");
  });
});

describe("POST /v2/metrics/", () => {
  it("accepts the engine's metrics (with and without the trailing slash) and keeps its version", async () => {
    const m = await member();
    const body = {
      apil_version: "v1.4.6-6~deb12u1+b1",
      bouncers: [],
      machines: [{ name: "local", last_push: "", last_update: "" }],
    };
    expect(await ok(await call("POST", "/v2/metrics/", { token: m.token, body }))).toEqual({
      message: "OK",
    });
    expect((await call("POST", "/v2/metrics", { token: m.token, body })).status).toBe(200);
    const view = await ok<{ version: string }>(
      await call("GET", `/v1/admin/members/${m.id}`, { token: ADMIN }),
    );
    expect(view.version).toBe("v1.4.6-6~deb12u1+b1");
  });

  it("refuses metrics that are not the engine's shape (400)", async () => {
    const m = await member();
    const res = await call("POST", "/v2/metrics/", { token: m.token, body: { machines: "none" } });
    expect((await ok<{ error: { path: string } }>(res, 400)).error.path).toBe("body.machines");
  });
});

describe("unknown routes", () => {
  it("answer 404 in CrowdSec's and Palisade's shapes on /v2", async () => {
    const out = await ok<{ message: string; error: { code: string } }>(
      await call("GET", "/v2/nothing"),
      404,
    );
    expect(out.error.code).toBe("not_found");
    expect(out.message).toContain("/v2/nothing");
  });
});
