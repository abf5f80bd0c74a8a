import { DomainError, ErrorCode, readPipeline, readReleasePlan, type Pipeline, type Problem, type ReleasePlanFile } from '@berth/domain';
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

/** The yaml library's message, in the file's terms (not the library's API: "please use YAML.parseAllDocuments()"). */
function yamlErrorMessage(error: { code: string; message: string }): string {
  if (error.code === 'MULTIPLE_DOCS') {
    return 'a second YAML document starts here (a "---" line, or what follows a "..." line); the file must be one document: remove the marker, or what follows it';
  }
  return error.message.split('\n')[0] ?? error.message;
}

/** A YAML or JSON file (JSON is YAML) as plain values, or its syntax errors with their lines. */
export function parseYamlFile(source: string): { value?: unknown; problems: readonly FileProblem[]; lineOf: (path: string) => number | undefined } {
  if (source.length > MAX_SOURCE_CHARS) return { problems: [{ path: '', message: `the file is larger than ${MAX_SOURCE_CHARS} characters` }], lineOf: () => undefined };
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const lineOf = lineFinder(doc, counter);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({ path: '', line: counter.linePos(error.pos[0]).line, message: yamlErrorMessage(error) }));
    return { problems, lineOf };
  }
  return { value: doc.toJS({ maxAliasCount: 100 }), problems: [], lineOf };
}

/**
 * Parses a pipeline file, YAML or JSON, for `service`: syntax errors and
 * every rule the domain checks, each with its line.
 */
export function parsePipelineFile(source: string, service: string): ParsedPipelineFile {
  const file = parseYamlFile(source);
  if (file.problems.length > 0) return { problems: file.problems, lineOf: file.lineOf };
  const { pipeline, problems } = readPipeline(file.value, service);
  const located = problems.map((problem) => withLine(problem, file.lineOf));
  return pipeline === undefined ? { problems: located, lineOf: file.lineOf } : { pipeline, problems: located, lineOf: file.lineOf };
}

/** A release plan file (release.yaml), or INVALID_RELEASE_PLAN with every problem and its line (a cycle is named). */
export function requireReleasePlanFile(source: string): ReleasePlanFile {
  const file = parseYamlFile(source);
  const read = file.problems.length > 0 ? { problems: file.problems } : readReleasePlan(file.value);
  if ('plan' in read && read.plan !== undefined) return read.plan;
  const problems = read.problems.map((problem) => withLine(problem, file.lineOf));
  throw new DomainError(ErrorCode.INVALID_RELEASE_PLAN, `Invalid release plan: ${problems.map(describeFileProblem).join('; ')}`, { problems });
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
