import { z } from "zod";
import { type ConfigDocument, lineSuffix, quote } from "../config-file";
import { type Diagnostic, error, warning } from "../diagnostic";

/**
 * The custom parser file format (one YAML document per file):
 *
 * ```yaml
 * # Lines shipped with this acquisition label use this parser.
 * type: myapp
 * # RE2 syntax (no backreferences or lookaround); named groups (?P<name>…) or (?<name>…).
 * # Unanchored like grok: add ^ and $ to match whole lines. Every named group that
 * # matched lands in evt.Parsed under its name.
 * pattern: '^(?P<ts>\S+) login failed for (?P<user>\S+) from (?P<ip>\S+)$'
 * # Optional: the event time. Without it the event takes ParseOptions.now.
 * timestamp:
 *   group: ts
 *   # rfc3339 (2006-01-02T15:04:05Z07:00; no offset = ParseOptions.timezone),
 *   # clf (02/Jan/2006:15:04:05 -0700), syslog (Jan  2 15:04:05, year by the
 *   # ParseOptions rule), unix (seconds, fraction allowed), unix_ms (milliseconds).
 *   format: rfc3339
 * # Optional: fields scenarios read. `group` copies a named group, `value` a constant;
 * # targets are meta.<name> (evt.Meta) or parsed.<name> (evt.Parsed). Later entries win.
 * statics:
 *   - {target: meta.source_ip, group: ip}
 *   - {target: meta.log_type, value: myapp_failed-auth}
 *   - {target: meta.target_user, group: user}
 * ```
 *
 * A line the pattern does not match, whose timestamp does not parse, or whose
 * meta.source_ip is not an IP address is unparsed (null). Every event also gets
 * Meta.datasource_path / datasource_type, and Parsed.program (the type) and
 * Parsed.message (the raw line) unless a group of that name set them, as CrowdSec's
 * `non-syslog` stage does. Unknown keys are errors, so a typo never goes unnoticed.
 */

const TIME_FORMATS = ["rfc3339", "clf", "syslog", "unix", "unix_ms"] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

const staticSchema = z.strictObject({
  target: z.string(),
  group: z.string().optional(),
  value: z.string().optional(),
});

export const customSchema = z.strictObject({
  type: z.string().min(1),
  pattern: z.string().min(1),
  timestamp: z.strictObject({ group: z.string(), format: z.enum(TIME_FORMATS) }).optional(),
  statics: z.array(staticSchema).optional(),
});

export type CustomSpec = z.infer<typeof customSchema>;

export function knownKeys(field: readonly PropertyKey[]): readonly string[] {
  if (field[0] === "timestamp") return ["group", "format"];
  if (field[0] === "statics") return ["target", "group", "value"];
  return ["type", "pattern", "timestamp", "statics"];
}

const TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TARGET = /^(meta|parsed)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Checks what zod cannot: names, group references, target syntax. */
export function checkSpec(
  spec: CustomSpec,
  groups: ReadonlySet<string>,
  builtins: readonly string[],
  doc: ConfigDocument,
): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const at = (field: PropertyKey[]) => [doc.at(field), lineSuffix(doc, field)] as const;
  const [typeAt, typeLine] = at(["type"]);
  if (!TYPE.test(spec.type)) {
    diags.push(
      error(
        "custom-parser.type.invalid",
        typeAt,
        `type ${quote(spec.type)}${typeLine} is not an acquisition label; use letters, digits, '_', '.', '-' (like myapp).`,
      ),
    );
  } else if (builtins.includes(spec.type)) {
    diags.push(
      error(
        "custom-parser.type.builtin",
        typeAt,
        `type ${quote(spec.type)}${typeLine} is a built-in parser; choose another label (like ${spec.type}-custom) so lines are not routed to two parsers.`,
      ),
    );
  }
  if (groups.size === 0) {
    const [p, l] = at(["pattern"]);
    diags.push(
      error(
        "custom-parser.pattern.groups",
        p,
        `pattern${l} has no named group; capture fields with (?P<name>...) so statics and Parsed can use them.`,
      ),
    );
  }
  const ref = (group: string, field: PropertyKey[]) => {
    if (groups.has(group)) return;
    const [p, l] = at(field);
    const known = [...groups].map((g) => quote(g)).join(", ") || "none";
    diags.push(
      error(
        "custom-parser.group.unknown",
        p,
        `group ${quote(group)}${l} is not a named group of pattern (it has ${known}); fix the name or add (?P<${group}>...) to pattern.`,
      ),
    );
  };
  if (spec.timestamp) ref(spec.timestamp.group, ["timestamp", "group"]);
  for (const [i, s] of (spec.statics ?? []).entries()) diags.push(...checkStatic(s, i, ref, doc));
  if (!(spec.statics ?? []).some((s) => s.target === "meta.source_ip")) {
    diags.push(
      warning(
        "custom-parser.source_ip.missing",
        doc.at(["statics"]),
        "no static sets meta.source_ip: scenarios group by evt.Meta.source_ip, so events of this parser will not feed them; add {target: meta.source_ip, group: <ip group>}.",
      ),
    );
  }
  return diags;
}

function checkStatic(
  s: z.infer<typeof staticSchema>,
  i: number,
  ref: (group: string, field: PropertyKey[]) => void,
  doc: ConfigDocument,
): Diagnostic[] {
  const field = ["statics", i];
  const line = lineSuffix(doc, field);
  const out: Diagnostic[] = [];
  if (!TARGET.test(s.target)) {
    out.push(
      error(
        "custom-parser.target.invalid",
        doc.at([...field, "target"]),
        `target ${quote(s.target)}${line} must be meta.<name> or parsed.<name> (like meta.source_ip).`,
      ),
    );
  }
  if ((s.group === undefined) === (s.value === undefined)) {
    out.push(
      error(
        "custom-parser.static.source",
        doc.at(field),
        `statics[${i}]${line} needs exactly one of group: (a named group) or value: (a constant).`,
      ),
    );
  } else if (s.group !== undefined) {
    ref(s.group, [...field, "group"]);
  } else if (s.value === "") {
    out.push(
      error(
        "custom-parser.static.empty",
        doc.at([...field, "value"]),
        `statics[${i}].value${line} is empty; CrowdSec skips empty statics, so give a value or remove the entry.`,
      ),
    );
  }
  return out;
}

/** Named groups of an RE2 pattern: `(?P<name>` and `(?<name>`, skipping escaped parens. */
export function groupNames(pattern: string): Set<string> {
  const names = new Set<string>();
  const re = /\\.|\[(?:\\.|[^\]\\])*\]|\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (const m of pattern.matchAll(re)) if (m[1]) names.add(m[1]);
  return names;
}

export function targetOf(target: string): { map: "Meta" | "Parsed"; key: string } {
  const m = TARGET.exec(target);
  return { map: m?.[1] === "meta" ? "Meta" : "Parsed", key: m?.[2] ?? target };
}
