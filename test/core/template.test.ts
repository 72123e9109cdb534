import { describe, expect, it } from "vitest";
import { compileTemplate, TemplateError } from "../../src/core/template/index";

// Go text/template as CrowdSec's notification plugins use it, over alerts as JSON.

const alert = {
  scenario: "crowdsecurity/ssh-bf",
  machine_id: "web-01",
  events_count: 6,
  source: { ip: "203.0.113.7", cn: "FR", scope: "Ip", value: "203.0.113.7", as_name: "Example" },
  decisions: [
    {
      value: "203.0.113.7",
      type: "ban",
      duration: "4h",
      scenario: "crowdsecurity/ssh-bf",
      origin: "crowdsec",
    },
  ],
};

const run = (src: string, data: unknown = [alert]) => compileTemplate(src).render(data);

describe("templates", () => {
  it("renders CrowdSec's default http format: the alerts as JSON", () => {
    expect(JSON.parse(run("{{.|toJson}}"))).toEqual([alert]);
  });

  it("renders CrowdSec's Slack format with variables, range, if and trim markers", () => {
    const slack = `{{range . -}}
{{$alert := . -}}
{{range .Decisions -}}
{{if $alert.Source.Cn -}}
:flag-{{$alert.Source.Cn | lower }}: {{.Value}} will get {{.Type}} for next {{.Duration}} for triggering {{.Scenario}} on machine '{{$alert.MachineID}}'.{{end}}
{{if not $alert.Source.Cn -}}
:pirate_flag: {{.Value}} will get {{.Type}}{{end}}
{{end -}}
{{end -}}`;
    expect(run(slack)).toBe(
      // Go prints the newline after each {{end}} that no trim marker removes.
      ":flag-fr: 203.0.113.7 will get ban for next 4h for triggering crowdsecurity/ssh-bf on machine 'web-01'.\n\n",
    );
  });

  it("reads Go field names from snake_case JSON, and else-if chains", () => {
    expect(run("{{(index . 0).EventsCount}} {{(index . 0).Source.AsName}}")).toBe("6 Example");
    const t =
      "{{with index . 0}}{{if eq .EventsCount 1}}one{{else if gt .EventsCount 5}}many{{else}}few{{end}}{{end}}";
    expect(run(t)).toBe("many");
    expect(run('{{printf "%s has %d" (index . 0).Scenario (len .)}}')).toBe(
      "crowdsecurity/ssh-bf has 1",
    );
    expect(run("{{range $i, $a := .}}{{$i}}:{{$a.Source.IP}}{{end}}")).toBe("0:203.0.113.7");
    expect(run("{{.Missing}}", {})).toBe("<no value>");
  });

  it("reports bad templates with where and what", () => {
    expect(() => compileTemplate("{{if .X}}open")).toThrow(TemplateError);
    expect(() => compileTemplate("{{.X | nosuch}}")).toThrow(/function "nosuch" not defined/);
    expect(() => compileTemplate('{{template "x"}}')).toThrow(/not supported/);
    expect(() => compileTemplate("{{.X")).toThrow(/unclosed action at offset 0/);
  });

  it("stops a template that would print without end", () => {
    expect(() => run("{{range 10000}}{{range 10000}}xxxxxxxx{{end}}{{end}}")).toThrow(
      TemplateError,
    );
  });
});
