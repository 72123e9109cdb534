import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { TLSSocket } from "node:tls";

/**
 * `cscli capi register` (1.4.6) always posts to https://api.crowdsec.net/. To let the
 * real command register with a local commons, this HTTPS CONNECT proxy terminates TLS
 * with a throw-away CA (which cscli trusts through SSL_CERT_FILE) and forwards each
 * request to the commons. `requests` records what went through.
 */

export interface CapiProxy {
  port: number;
  /** The throw-away CA, for SSL_CERT_FILE. */
  caFile: string;
  requests: string[];
  close(): Promise<void>;
}

function openssl(args: string[]): void {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const p = (n: string) => join(dir, n);
  writeFileSync(
    p("ext.cnf"),
    "subjectAltName=DNS:api.crowdsec.net\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=palisade e2e throw-away CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    p("leaf.key"),
    "-out",
    p("leaf.csr"),
    "-subj",
    "/CN=api.crowdsec.net",
  ]);
  openssl([
    "x509",
    "-req",
    "-in",
    p("leaf.csr"),
    "-CA",
    p("ca.pem"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-out",
    p("leaf.pem"),
    "-days",
    "2",
    "-extfile",
    p("ext.cnf"),
  ]);
  return { ca: p("ca.pem"), cert: p("leaf.pem"), key: p("leaf.key") };
}

export async function startCapiProxy(dir: string, target: string): Promise<CapiProxy> {
  const { ca, cert, key } = makeCerts(dir);
  const requests: string[] = [];
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (
        typeof v === "string" &&
        !["host", "connection", "content-length", "accept-encoding"].includes(k)
      )
        headers[k] = v;
    }
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(`${target}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers,
      ...(body ? { body } : {}),
    });
    const text = Buffer.from(await answer.arrayBuffer());
    requests.push(`${req.method} ${req.url} -> ${answer.status}`);
    res.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "text/plain",
      "content-length": text.length,
      connection: "close",
    });
    res.end(text);
  };
  const inner = createHttpServer((req, res) => {
    forward(req, res).catch((e: unknown) => {
      res.writeHead(502).end(String(e));
    });
  });
  const sockets = new Set<Socket>();
  const outer: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (head) => {
      if (!head.toString("latin1").startsWith("CONNECT ")) return void socket.destroy();
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      const tls = new TLSSocket(socket, { isServer: true, cert: readPem(cert), key: readPem(key) });
      inner.emit("connection", tls);
    });
  });
  await new Promise<void>((r) => outer.listen(0, "127.0.0.1", r));
  const addr = outer.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : 0,
    caFile: ca,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        outer.close(() => r());
      }),
  };
}

function readPem(path: string): string {
  return readFileSync(path, "utf8");
}
