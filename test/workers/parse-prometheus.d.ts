declare module "parse-prometheus-text-format" {
  interface Sample {
    value: string;
    labels?: Record<string, string>;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "SUMMARY" | "HISTOGRAM" | "UNTYPED";
    metrics: Sample[];
  }
  // biome-ignore lint/style/noDefaultExport: the package's own export is a default one.
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
