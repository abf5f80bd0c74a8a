import { DomainError, ErrorCode, readPipeline, type Pipeline, type Problem } from '@berth/domain';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';

/** A problem in a pipeline file, with the 1-based line it is on (when the file has one for it). */
export interface FileProblem extends Problem {
  readonly line?: number;
}

export interface ParsedPipelineFile {
  readonly pipeline?: Pipeline;
  readonly problems: readonly FileProblem[];
  /** Maps a problem path (`pipeline[2].timeout`) to its line; for problems found later (cluster checks). */
  readonly lineOf: (path: string) => number | undefined;
}

const MAX_SOURCE_CHARS = 256 * 1024;

/** `pipeline[2].parallel[0]["odd key"]` → ['pipeline', 2, 'parallel', 0, 'odd key']. */
export function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const token = /([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\./g;
  for (const match of path.matchAll(token)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[3] !== undefined) keys.push(JSON.parse(match[3]) as string);
  }
  return keys;
}

/** The line of the deepest node on `path` that exists (an absent field points at its parent). */
function lineFinder(doc: Document, counter: LineCounter): (path: string) => number | undefined {
  return (path) => {
    const keys = pathKeys(path);
    for (let depth = keys.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/**
 * Parses a pipeline file, YAML or JSON (JSON is YAML), for `service`:
 * syntax errors and every rule the domain checks, each with its line.
 */
export function parsePipelineFile(source: string, service: string): ParsedPipelineFile {
  if (source.length > MAX_SOURCE_CHARS) return { problems: [{ path: '', message: `the file is larger than ${MAX_SOURCE_CHARS} characters` }], lineOf: () => undefined };
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const lineOf = lineFinder(doc, counter);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({ path: '', line: counter.linePos(error.pos[0]).line, message: error.message.split('\n')[0] ?? error.message }));
    return { problems, lineOf };
  }
  const { pipeline, problems } = readPipeline(doc.toJS({ maxAliasCount: 100 }), service);
  const located = problems.map((problem) => withLine(problem, lineOf));
  return pipeline === undefined ? { problems: located, lineOf } : { pipeline, problems: located, lineOf };
}

export function withLine(problem: Problem, lineOf: (path: string) => number | undefined): FileProblem {
  const line = lineOf(problem.path);
  return line === undefined ? problem : { ...problem, line };
}

/** `line 4: pipeline[1].timeout: must be …` */
export function describeFileProblem(problem: FileProblem): string {
  const where = [problem.line === undefined ? undefined : `line ${problem.line}`, problem.path === '' ? undefined : problem.path].filter((part) => part !== undefined);
  return `${where.length > 0 ? `${where.join(': ')}: ` : ''}${problem.message}`;
}

/** The pipeline, or INVALID_PIPELINE listing every problem with its line (nothing is stored). */
export function requirePipelineFile(source: string, service: string): Pipeline {
  const { pipeline, problems } = parsePipelineFile(source, service);
  if (pipeline !== undefined) return pipeline;
  throw new DomainError(ErrorCode.INVALID_PIPELINE, `Invalid pipeline file: ${problems.map(describeFileProblem).join('; ')}`, { problems });
}
