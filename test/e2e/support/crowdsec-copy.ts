import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./worker";

/**
 * A private copy of the system's CrowdSec 1.4.6 configuration under a temporary folder:
 * its own SQLite database, its own Local API port, the online client enabled, one
 * acquisition file. /etc/crowdsec and /var/lib/crowdsec are only read.
 */

export const CS_ETC = "/etc/crowdsec";
const CS_DATA = "/var/lib/crowdsec/data";
const CS_HUB = "/var/lib/crowdsec/hub";

export interface CrowdsecCopy {
  config: string;
  etc: string;
  authLog: string;
  logFile: string;
  credentials: string;
}

export async function crowdsecCopy(dir: string): Promise<CrowdsecCopy> {
  const etc = join(dir, "etc");
  const data = join(dir, "data");
  const logs = join(dir, "logs");
  const feed = join(dir, "feed");
  for (const d of [etc, data, logs, feed]) mkdirSync(d, { recursive: true });
  for (const n of ["parsers", "scenarios", "collections", "patterns", "postoverflows"]) {
    if (existsSync(join(CS_ETC, n)))
      cpSync(join(CS_ETC, n), join(etc, n), { recursive: true, verbatimSymlinks: true });
  }
  for (const n of ["profiles.yaml", "simulation.yaml"]) cpSync(join(CS_ETC, n), join(etc, n));
  for (const n of readdirSync(CS_DATA)) {
    const p = join(CS_DATA, n);
    if (statSync(p).isFile() && !n.startsWith("crowdsec.db")) cpSync(p, join(data, n));
  }
  const authLog = join(feed, "auth.log");
  writeFileSync(authLog, "");
  const credentials = join(etc, "online_api_credentials.yaml");
  writeFileSync(credentials, ""); // cscli capi register needs the file to exist
  const config = join(etc, "config.yaml");
  writeFileSync(
    config,
    `common:
  daemonize: false
  log_media: file
  log_level: info
  log_dir: ${logs}/
  working_dir: .
config_paths:
  config_dir: ${etc}/
  data_dir: ${data}/
  simulation_path: ${etc}/simulation.yaml
  hub_dir: ${CS_HUB}/
  index_path: ${CS_HUB}/.index.json
  notification_dir: ${etc}/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: ${etc}/acquis.yaml
  parser_routines: 1
cscli:
  output: human
  color: no
db_config:
  log_level: info
  type: sqlite
  db_path: ${data}/crowdsec.db
  use_wal: true
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${etc}/local_api_credentials.yaml
  server:
    log_level: info
    listen_uri: 127.0.0.1:${await freePort()}
    profiles_path: ${etc}/profiles.yaml
    console_path: ${etc}/console.yaml
    online_client:
      credentials_path: ${credentials}
    trusted_ips:
      - 127.0.0.1
prometheus:
  enabled: false
  level: full
  listen_addr: 127.0.0.1
  listen_port: ${await freePort()}
`,
  );
  writeFileSync(join(etc, "acquis.yaml"), `filenames:\n  - ${authLog}\nlabels:\n  type: syslog\n`);
  return { config, etc, authLog, logFile: join(logs, "crowdsec.log"), credentials };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** sshd failures from `ip`, as syslog lines stamped now in local time (as sshd writes them). */
export function sshFailures(ip: string, n: number, port0: number): string {
  const d = new Date();
  const two = (x: number) => String(x).padStart(2, "0");
  const ts = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return Array.from(
    { length: n },
    (_, i) =>
      `${ts} e2e-host sshd[${4000 + i}]: Failed password for root from ${ip} port ${port0 + i} ssh2\n`,
  ).join("");
}
