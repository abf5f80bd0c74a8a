import { isIpv4Address } from '../ip-address';

/**
 * Docker image reference rules, as Helios's JobValidator applies them
 * (messages kept). Returns the list of messages; empty means valid.
 */

const TAG = /^[\w][\w.-]{0,127}$/;
const NAME_COMPONENT = /^[a-z0-9._-]+$/;
const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const DIGITS_AND_PERIODS = /^[0-9.]+$/;
const REPO_NAME_MAX_LENGTH = 255;
const INVALID_REPO_NAME = 'Invalid repository name (ex: "registry.domain.tld/myrepos")';

function digestProblems(digest: string): string[] {
  if (digest === '') return ['Digest cannot be empty'];
  const first = digest.indexOf(':');
  const valid = first > 0 && first === digest.lastIndexOf(':') && first < digest.length - 1;
  return valid ? [] : [`Illegal digest: "${digest}"`];
}

function tagProblems(tag: string): string[] {
  if (tag === '') return ['Tag cannot be empty'];
  return TAG.test(tag) ? [] : [`Illegal tag: "${tag}", must match [\\w][\\w.-]{0,127}`];
}

/** Splits off `:tag` when the part after the last ':' is not a registry port followed by a path. */
function splitTag(reference: string): { readonly repo: string; readonly tag?: string } {
  const colon = reference.lastIndexOf(':');
  if (colon === -1) return { repo: reference };
  const tag = reference.slice(colon + 1);
  return tag.includes('/') ? { repo: reference } : { repo: reference.slice(0, colon), tag };
}

function addressProblems(address: string): string[] {
  if (isIpv4Address(address)) return [];
  return DOMAIN.test(address) && !DIGITS_AND_PERIODS.test(address) ? [] : [`Invalid domain name: "${address}"`];
}

function endpointProblems(endpoint: string): string[] {
  const colon = endpoint.indexOf(':');
  const address = colon === -1 ? endpoint : endpoint.slice(0, colon);
  const problems = addressProblems(address);
  if (problems.length > 0 || colon === -1) return problems;
  const port = endpoint.slice(colon + 1);
  const valid = /^\d{1,5}$/.test(port) && Number(port) <= 65535;
  return valid ? [] : [`Invalid port in endpoint: "${endpoint}"`];
}

function repositoryNameProblems(image: string, repositoryName: string): string[] {
  // Unlike Java's split, JS keeps trailing empty parts, so "foo/" is rejected too.
  const bad = repositoryName.split('/').find((component) => !NAME_COMPONENT.test(component));
  if (bad !== undefined) {
    return [
      `Invalid image name (${image}), only ^([a-z0-9._-]+)$ is allowed ` +
        `for each slash-separated name component (failed on "${bad}")`,
    ];
  }
  if (repositoryName.length > REPO_NAME_MAX_LENGTH) {
    return [`Invalid image name (${image}), repository name cannot be larger than ${REPO_NAME_MAX_LENGTH} characters`];
  }
  return [];
}

/**
 * `[registry[:port]/]component(/component)*[:tag][@algo:hex]`. A first path
 * segment containing '.' or ':' or equal to `localhost` is a registry. Unlike
 * Helios, a reference may carry both a tag and a digest (Docker accepts it).
 */
export function imageReferenceProblems(image: string): string[] {
  const at = image.lastIndexOf('@');
  const problems = at === -1 ? [] : digestProblems(image.slice(at + 1));
  const { repo, tag } = splitTag(at === -1 ? image : image.slice(0, at));
  if (tag !== undefined) problems.push(...tagProblems(tag));
  if (repo.includes('://')) return [...problems, INVALID_REPO_NAME];
  const slash = repo.indexOf('/');
  const first = slash === -1 ? repo : repo.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') {
    return [...problems, ...repositoryNameProblems(image, repo)];
  }
  if (slash === -1) return [...problems, INVALID_REPO_NAME];
  return [...problems, ...endpointProblems(first), ...repositoryNameProblems(image, repo.slice(slash + 1))];
}
