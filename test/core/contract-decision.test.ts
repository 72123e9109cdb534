import { describe, expect, it } from "vitest";
import {
  lapiDecisionListSchema,
  lapiDecisionSchema,
  lapiDecisionStreamSchema,
} from "../../src/contract/decision";

// The shape CrowdSec's LAPI serves bouncers (GET /v1/decisions/stream).
const decision = {
  duration: "3h59m12.345678s",
  id: 1234,
  origin: "crowdsec",
  scenario: "crowdsecurity/ssh-bf",
  scope: "Ip",
  type: "ban",
  uuid: "8f2b4c5e-1f0a-4f7e-9a1b-0c2d3e4f5a6b",
  value: "192.0.2.1",
};

describe("bouncer API decision schema", () => {
  it("accepts CrowdSec's decision JSON, with or without until and simulated", () => {
    expect(lapiDecisionSchema.parse(decision)).toEqual(decision);
    const extra = { ...decision, simulated: false, until: "2024-05-01T14:00:00Z" };
    expect(lapiDecisionSchema.parse(extra)).toEqual(extra);
  });
  it("accepts a negative remaining duration (a deleted decision)", () => {
    expect(lapiDecisionSchema.safeParse({ ...decision, duration: "-1h2m3s" }).success).toBe(true);
  });
  it("rejects a non-Go duration or an empty value; takes CrowdSec 1.4.6's decision without uuid", () => {
    const { uuid: _uuid, ...noUuid } = decision;
    expect(lapiDecisionSchema.safeParse(noUuid).success).toBe(true);
    for (const bad of [
      { ...decision, duration: "4 hours" },
      { ...decision, duration: "1d" },
      { ...decision, value: "" },
      { ...decision, id: -1 },
    ]) {
      expect(lapiDecisionSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
  it("takes CrowdSec's null for empty lists", () => {
    expect(lapiDecisionListSchema.parse(null)).toBeNull();
    expect(lapiDecisionStreamSchema.parse({ new: null, deleted: [decision] })).toEqual({
      new: null,
      deleted: [decision],
    });
    expect(lapiDecisionStreamSchema.safeParse({ new: [] }).success).toBe(false);
  });
});
