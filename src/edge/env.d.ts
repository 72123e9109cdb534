// Types the Worker's own module for `cloudflare:workers` `exports` and `env` (tests use both).
type PalisadeWorkerEnv = import("./index").Env;
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index");
  }
  interface Env extends PalisadeWorkerEnv {}
}
