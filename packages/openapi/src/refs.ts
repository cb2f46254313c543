import { readDocument } from './read-document.ts';
import { SpecError } from './spec-error.ts';

/** Reads the text of an external document a `$ref` names (a file next to the spec, or a URL). */
export type LoadDocument = (uri: string) => Promise<string>;

/** The base of a pasted spec: relative `$ref`s to other files cannot be resolved against it. */
export const PASTED_SPEC_URI = 'apiq:pasted-spec';

/** The root document and every external document it references, by absolute URI. */
export interface DocumentSet {
  rootUri: string;
  docs: Map<string, unknown>;
}

const MAX_EXTERNAL_DOCUMENTS = 100;
/** Keywords whose values are data, not schemas: a `$ref` inside an example is just text. */
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const']);
/** Keywords whose values map names to schemas: the names are kept whatever they look like. */
const NAMED_SCHEMA_KEYS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Finds the external `$ref`s of a spec (`./schemas/pet.yaml#/Pet`, `https://…/common.json`) and
 * loads those documents, and theirs, with `load`. Internal refs (`#/…`) need nothing.
 *
 * @example
 * const set = await loadDocuments(doc, 'file:///specs/pets.yaml', (uri) => readFile(new URL(uri), 'utf8'));
 */
export async function loadDocuments(root: unknown, rootUri: string, load?: LoadDocument): Promise<DocumentSet> {
  const docs = new Map<string, unknown>([[rootUri, root]]);
  const queue: Array<{ doc: unknown; uri: string }> = [{ doc: root, uri: rootUri }];
  while (queue.length > 0) {
    const { doc, uri } = queue.shift()!;
    for (const { ref, where } of externalRefs(doc)) {
      const target = documentUri(ref, uri, where);
      if (docs.has(target)) continue;
      if (!load) {
        throw new SpecError(
          where,
          `external $ref "${ref}" cannot be loaded here; import the spec from its file or URL`,
        );
      }
      if (docs.size >= MAX_EXTERNAL_DOCUMENTS) {
        throw new SpecError(
          where,
          `more than ${MAX_EXTERNAL_DOCUMENTS} external documents are referenced; bundle the spec first`,
        );
      }
      let text: string;
      try {
        text = await load(target);
      } catch (err) {
        throw new SpecError(where, `cannot load $ref "${ref}" (${target}): ${(err as Error).message}`, { cause: err });
      }
      const loaded = readDocument(text, target);
      docs.set(target, loaded);
      queue.push({ doc: loaded, uri: target });
    }
  }
  return { rootUri, docs };
}

/** Every `$ref` in `doc` that points outside it, with where it is. */
function externalRefs(doc: unknown): Array<{ ref: string; where: string }> {
  const found: Array<{ ref: string; where: string }> = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) walk(node[i], `${where}[${i}]`);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) found.push({ ref, where: where || '$ref' });
    for (const [key, value] of Object.entries(node)) {
      if (DATA_KEYS.has(key) || typeof value !== 'object' || value === null) continue;
      walk(value, where ? `${where}.${key}` : key);
    }
  };
  walk(doc, '');
  return found;
}

function documentUri(ref: string, baseUri: string, where: string): string {
  const file = ref.split('#')[0] ?? '';
  if (file === '') return baseUri;
  if (baseUri === PASTED_SPEC_URI && !/^https?:\/\//i.test(file)) {
    throw new SpecError(
      where,
      `$ref "${ref}" points to another file, which a pasted spec cannot reach; import the spec from its file or URL instead`,
    );
  }
  try {
    return new URL(file, baseUri).href;
  } catch {
    throw new SpecError(where, `$ref "${ref}" is not a valid reference`);
  }
}

/** Decodes a JSON pointer (`/components/schemas/Pet~1Kind`) into its segments. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Resolves `$ref`s of a document set: one level (`deref`, for parameters, request bodies and
 * responses) or all the way down (`inline`, for schemas). Circular schemas stay finite: a ref
 * that is already being expanded, or that sits deeper than `maxDepth` refs, becomes `{}`
 * (any value). Results without such cuts are cached and shared between operations.
 */
export class RefResolver {
  private readonly cache = new Map<string, unknown>();
  private cuts = 0;

  constructor(
    readonly set: DocumentSet,
    private readonly maxDepth = 12,
  ) {}

  /** The value a `$ref` points to, and the document it lives in. */
  resolve(ref: string, baseUri: string, where: string): { value: unknown; baseUri: string; key: string } {
    const hash = ref.indexOf('#');
    const uri = documentUri(ref, baseUri, where);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    const doc = this.set.docs.get(uri);
    if (doc === undefined) throw new SpecError(where, `$ref "${ref}" points to a document that was not loaded`);
    let value: unknown = doc;
    for (const segment of pointerSegments(pointer)) {
      if (typeof value !== 'object' || value === null || !(segment in value)) {
        throw new SpecError(where, `$ref "${ref}" points to nothing (no "${segment}" there)`);
      }
      value = (value as Record<string, unknown>)[segment];
    }
    return { value, baseUri: uri, key: `${uri}#${pointer}` };
  }

  /** Follows `$ref`s until a value that is not a reference (a parameter, a response, ...). */
  deref(node: unknown, baseUri: string, where: string): { value: unknown; baseUri: string } {
    let value = node;
    let base = baseUri;
    const seen = new Set<string>();
    while (isRef(value)) {
      const target = this.resolve(value.$ref, base, where);
      if (seen.has(target.key)) throw new SpecError(where, `$ref "${value.$ref}" refers to itself in a loop`);
      seen.add(target.key);
      value = target.value;
      base = target.baseUri;
    }
    return { value, baseUri: base };
  }

  /** A copy of `node` with every `$ref` replaced by what it points to (see the class comment for cycles). */
  inline(node: unknown, baseUri: string, where: string): unknown {
    return this.expand(node, baseUri, where, []);
  }

  private expand(node: unknown, baseUri: string, where: string, stack: string[]): unknown {
    if (Array.isArray(node)) return node.map((item) => this.expand(item, baseUri, where, stack));
    if (typeof node !== 'object' || node === null) return node;
    if (isRef(node)) return this.expandRef(node, baseUri, where, stack);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'xml' || key === 'externalDocs' || key.startsWith('x-')) continue;
      if (DATA_KEYS.has(key) || typeof value !== 'object' || value === null) out[key] = value;
      else if (NAMED_SCHEMA_KEYS.has(key) && !Array.isArray(value)) {
        const named: Record<string, unknown> = {};
        for (const [name, schema] of Object.entries(value)) named[name] = this.expand(schema, baseUri, where, stack);
        out[key] = named;
      } else out[key] = this.expand(value, baseUri, where, stack);
    }
    return out;
  }

  private expandRef(node: { $ref: string }, baseUri: string, where: string, stack: string[]): unknown {
    const target = this.resolve(node.$ref, baseUri, where);
    const { $ref: _ref, ...siblings } = node as Record<string, unknown>;
    let expanded: unknown;
    if (stack.includes(target.key) || stack.length >= this.maxDepth) {
      this.cuts++;
      expanded = {};
    } else if (this.cache.has(target.key)) {
      expanded = this.cache.get(target.key);
    } else {
      const cutsBefore = this.cuts;
      expanded = this.expand(target.value, target.baseUri, where, [...stack, target.key]);
      if (this.cuts === cutsBefore) this.cache.set(target.key, expanded);
    }
    // OpenAPI 3.1 allows keywords next to $ref (a description, a default); they refine the target.
    const extra = Object.keys(siblings).filter((k) => !k.startsWith('x-'));
    if (extra.length === 0 || typeof expanded !== 'object' || expanded === null || Array.isArray(expanded)) {
      return expanded;
    }
    const merged: Record<string, unknown> = { ...(expanded as Record<string, unknown>) };
    for (const key of extra) merged[key] = this.expand(siblings[key], baseUri, where, stack);
    return merged;
  }
}

export function isRef(value: unknown): value is { $ref: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}
