// Types the Worker's own module for `cloudflare:workers` `exports` and `env` (tests use both).
type PalisadeWorkerEnv = import("./env").Env;
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./worker");
    durableNamespaces: "SourceTracker" | "Ledger";
  }
  interface Env extends PalisadeWorkerEnv {}
}
