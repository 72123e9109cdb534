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
