/** One located problem with a template: which template, which file, where in it, and what to do. */
export interface TemplateIssue {
  /** The template's id (its folder name for built-in templates). */
  template: string;
  /** `template.json`, `workflow.json`, or the imported file's name. */
  file: string;
  /** Where in the file, e.g. `requiredCredentials[0].nodeIds[1]` or `nodes[2].params.url`; '' for the whole file. */
  path: string;
  message: string;
}

/** Thrown when templates cannot be read or do not validate; `issues` says where. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly issues: TemplateIssue[] = [],
  ) {
    super(issues.length ? `${message}\n${formatTemplateIssues(issues)}` : message);
    this.name = 'TemplateError';
  }
}

/** `template "x", workflow.json at nodes[1].params.url: message` per line. */
export function formatTemplateIssues(issues: TemplateIssue[]): string {
  return issues
    .map((i) => `template "${i.template}", ${i.file}${i.path ? ` at ${i.path}` : ''}: ${i.message}`)
    .join('\n');
}

/** `a.b[2].c` from a zod path. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
