// The demo origin `npm start` puts Palisade in front of: a tiny site on loopback.
import { createServer } from "node:http";

export function startDemoOrigin(port) {
  const server = createServer((req, res) => {
    const body = `<!doctype html><title>Demo origin</title><h1>Hello from the origin</h1><p>${req.method} ${req.url} reached the origin through Palisade.</p>\n`;
    res.writeHead(req.url === "/missing" ? 404 : 200, {
      "content-type": "text/html; charset=utf-8",
    });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
