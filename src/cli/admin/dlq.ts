import {
  deadLetterDeletedSchema,
  deadLetterListSchema,
  deadLetterReplayedSchema,
} from "../../contract/dead-letters";
import { fail } from "../errors";
import {
  clientFor,
  limitOf,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { table, when } from "./table";

const USAGE = `Usage:
  palisade dlq list [--limit N] [-o human|json]
  palisade dlq replay (ID... | --all) [-o human|json]
  palisade dlq delete (ID... | --all) [-o human|json]

The ingest queue's dead letters: queue messages that failed every delivery (5, then the
dead-letter queue palisade-ingest-dlq) or could not be read, kept whole. list shows the
oldest first (default 100) with the sources and events each holds; replay sends them back
to the ingest queue (safe to repeat: a tracker applies a pour request once); delete
forgets them. The Worker's log has why each delivery failed: palisade.ingest.queue_pour_failed.`;

const selectOptions = { all: { type: "boolean" } } as const;

/** `ID...` or `--all`, as the API's selection. */
function selection(positionals: string[], all: boolean | undefined, verb: string) {
  if (all === true && positionals.length === 0) return { all: true as const };
  if (all !== true && positionals.length > 0) {
    const ids = positionals.map((p) => {
      if (!/^\d{1,12}$/.test(p))
        fail(
          `${JSON.stringify(p)} is not a dead letter id.`,
          "ids are the numbers in the ID column of palisade dlq list.",
          `give ids (palisade dlq ${verb} 3 4) or --all.`,
        );
      return Number(p);
    });
    return { ids };
  }
  return fail(
    `palisade dlq ${verb} needs ids or --all, not ${all === true ? "both" : "neither"}.`,
    `it ${verb === "replay" ? "replays" : "deletes"} the letters named, or every one with --all.`,
    `palisade dlq ${verb} ID..., or palisade dlq ${verb} --all.`,
  );
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, { limit: { type: "string" } });
  positionalsOf(positionals, []);
  const output = outputOf(values.output);
  const limit = Math.min(limitOf(values.limit, 100), 1000);
  const out = await clientFor(values).call(
    {
      action: "list the dead letters",
      method: "GET",
      path: "/dead-letters",
      query: { limit: String(limit) },
    },
    deadLetterListSchema,
  );
  if (output === "json") return printJson(out);
  if (out.total === 0) return print("No dead letters: every queued message was delivered.");
  print(
    table(
      ["id", "queued", "dead since", "attempts", "sources", "events", "reason"],
      out.letters.map((l) => [
        l.id,
        when(l.enqueued_at),
        when(l.dead_at),
        l.attempts,
        l.sources.length > 3
          ? `${l.sources.slice(0, 3).join(" ")} +${l.sources.length - 3}`
          : l.sources.join(" "),
        l.events,
        l.reason,
      ]),
    ),
  );
  if (out.total > out.letters.length)
    process.stderr.write(`(first ${out.letters.length} of ${out.total}: --limit N for more)\n`);
}

async function replay(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, selectOptions);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    {
      action: "replay the dead letters",
      method: "POST",
      path: "/dead-letters/replay",
      body: selection(positionals, values.all, "replay"),
      flags: { "body.ids": "ID" },
      fixes: { "404": "list them with palisade dlq list." },
    },
    deadLetterReplayedSchema,
  );
  if (output === "json") return printJson(out);
  const more = out.remaining > 0 ? ` ${out.remaining} left: run it again.` : "";
  const gone = out.missing.length > 0 ? ` No letter ${out.missing.join(", ")}.` : "";
  print(`Replayed ${out.replayed} dead letter(s) into the ingest queue.${more}${gone}`);
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, selectOptions);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    {
      action: "delete the dead letters",
      method: "POST",
      path: "/dead-letters/delete",
      body: selection(positionals, values.all, "delete"),
      flags: { "body.ids": "ID" },
      fixes: { "404": "list them with palisade dlq list." },
    },
    deadLetterDeletedSchema,
  );
  if (output === "json") return printJson(out);
  print(`Deleted ${out.deleted} dead letter(s); their lines will not be poured.`);
}

export const dlq: Noun = { usage: USAGE, verbs: { list, replay, delete: remove } };
