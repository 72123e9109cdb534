// Types the commons Worker's module for `cloudflare:workers` `exports` and `env` in these tests.
type CommonsWorkerEnv = import("../../src/commons/env").CommonsEnv;
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../../src/commons/worker");
    durableNamespaces: "Registry" | "AddressShard" | "Publisher";
  }
  interface Env extends CommonsWorkerEnv {}
}
