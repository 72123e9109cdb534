// Hub cases Palisade deliberately does not run, each with its reason. The conformance
// tier reports them by name; nothing is skipped silently.
export const unsupportedCases: Record<string, string> = {
  "cowrie-logs":
    "cowrie honeypot JSON logs: honeypot acquisition is out of Palisade's scope (web and ssh servers).",
  "cowrie_telnet-bf": "needs the cowrie honeypot parser (out of scope, see cowrie-logs).",
  sshesame: "sshesame honeypot logs: honeypot acquisition is out of Palisade's scope.",
};

/** Which conformance family a case belongs to, by its log type and scenarios. */
export function familyOf(logType: string): string {
  if (logType === "syslog") return "sshd";
  return logType;
}

/**
 * Asserted fields Palisade's parse output deliberately does not carry, per case. Every
 * other field of these cases is still checked.
 */
export const ignoredFields: Record<string, { fields: string[]; reason: string }> = {
  whitelists: {
    fields: ["Whitelisted", "WhitelistReason"],
    reason:
      "CrowdSec whitelists at parse time (s02-enrich); Palisade applies its allowlist when alerts become decisions, so the event stays unmarked (the alert is reported with allowlisted:true and no decision).",
  },
};
