/**
 * Writes one benchmark's results into docs/benchmarks.md, between markers of its own, so that
 * benchmarks run separately never overwrite each other. Every section records the machine and the date.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';

const REPORT = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
const HEADER = `# Benchmarks

Produced by \`bash scripts/bench.sh\` (or one benchmark: \`bash scripts/bench.sh <name>\`). Every result is a ratio
against a baseline run side by side on the same machine, the same broker and the same payloads, so it means more
than the absolute numbers, which depend on the machine. Sections are rewritten by the benchmark that owns them.
`;

/** A one-line description of the machine a benchmark ran on. */
export function machineDescription(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu.length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

/** Replace (or append) the section `name` of docs/benchmarks.md with `markdown`, stamped with machine and date. */
export function writeReportSection(name: string, title: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const body = `${start}\n## ${title}\n\n_Machine: ${machineDescription()}. Date: ${new Date().toISOString().slice(0, 10)}._\n\n${markdown.trim()}\n${end}`;
  let doc = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + body + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${body}\n`;
  writeFileSync(REPORT, doc);
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
