/**
 * What an Apache error message says happened, as fail2ban's apache-auth, -noscript,
 * -overflows, -nohome, -botsearch, -modsecurity and -shellshock filters read it.
 * `text` is the message after `[client …]`, without Apache's `AHnnnnn: ` code. The
 * built-in pack's apache scenarios (src/hub/scenarios/apache-*.yaml) match the same
 * wording on hub-read lines, where no `sub_type` is set.
 */

const KINDS: readonly [string, RegExp][] = [
  [
    "auth_fail",
    /^(?:(?:Digest|Basic): )?(?:user (?!`)(?:\S*|.*?)(?::? (?:auth(?:oriz|entic)ation failure|password mismatch)\b| not found\b| denied by provider\b)|user `.*' in realm `.*' (?:auth(?:oriz|entic)ation failure|not found|denied by provider)\b|Authorization of user .* to access .* failed\b|client used wrong authentication scheme\b|invalid nonce .* received - (?:length is not\b|user attempted time travel)|realm mismatch - got `|unknown algorithm `|invalid qop `)/s,
  ],
  ["permission_denied", /^client denied by server configuration\b/],
  [
    "not_found",
    /^(?:File does not exist: |script not found or unable to stat: |script '.*' not found or unable to stat|Got error 'Primary script unknown)/s,
  ],
  ["invalid_uri", /^Invalid URI in request\b/],
  [
    "overflow",
    /^(?:request failed: (?:URI too long \(longer than \d+\)|erroneous characters after protocol string: |invalid characters in URI\b|error reading the headers)|Invalid method in request\b)/,
  ],
  ["waf_denied", /^ModSecurity: .*Access denied with code [45]\d\d/s],
  [
    "shellshock",
    /^\/bin\/(?:ba|da)?sh: (?:warning: HTTP_[^:]+: ignoring function definition attempt|error importing function definition for `HTTP_)/,
  ],
  [
    "sni_mismatch",
    /^(?:No h|H)ostname \S+ provided via SNI(?:, but no hostname provided| and hostname \S+ provided| for a name based virtual host)/,
  ],
];

const AH_CODE = /^AH\d{5}: /;

/** The kind (`Meta.sub_type`) of an Apache error message, or undefined. */
export function apacheErrorKind(text: string): string | undefined {
  const t = text.replace(AH_CODE, "");
  for (const [kind, re] of KINDS) if (re.test(t)) return kind;
  return undefined;
}

const PATHS: readonly RegExp[] = [
  /^(?:client denied by server configuration|File does not exist|script not found or unable to stat): (\S+)/,
  /^script '([^']*)' not found or unable to stat/,
  /^user .*?: authentication failure for "([^"]*)"/,
  /^user .* not found: (\S+)/,
];

/** The path an Apache error message names, for `Meta.http_path`. */
export function apacheErrorPath(text: string): string | undefined {
  const t = text.replace(AH_CODE, "");
  for (const re of PATHS) {
    const m = re.exec(t);
    if (m) return m[1];
  }
  return undefined;
}
