import type { Hono } from "hono";
import type { Env } from "../env";

/** The Worker's Hono app, as route registrars see it. */
export type PalisadeApp = Hono<{ Bindings: Env }>;

/**
 * Adds routes under `/_palisade/v1/` (ingest, the bouncer, watcher and admin APIs). The
 * Worker's entry (`src/worker.ts`) hands each adapter's registrar to `createApp`, so no
 * adapter imports the app that composes it.
 */
export type RouteRegistrar = (app: PalisadeApp) => void;
