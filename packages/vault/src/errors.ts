/** Base class of the connection service's errors; `code` lets an API layer map them to statuses. */
export class ConnectionError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'in_use' | 'unknown_kind' | 'conflict' | 'not_oauth',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface FieldIssue {
  /** e.g. `values.token`, `name`. */
  path: string;
  message: string;
}

/** Bad input for a connection; `issues` names each field. */
export class ConnectionInvalidError extends ConnectionError {
  constructor(
    readonly issues: FieldIssue[],
    context: string,
  ) {
    super('invalid', `${context}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ConnectionInvalidError';
  }
}

/** Deleting a connection that workflows still use; `workflows` lists them. */
export class ConnectionInUseError extends ConnectionError {
  constructor(
    readonly workflows: Array<{ id: string; name: string }>,
    connectionName: string,
  ) {
    super(
      'in_use',
      `connection "${connectionName}" is used by ${workflows.length === 1 ? 'workflow' : 'workflows'} ${workflows
        .map((w) => `"${w.name}"`)
        .join(', ')}; pick another connection in ${workflows.length === 1 ? 'it' : 'them'} (or delete ${
        workflows.length === 1 ? 'it' : 'them'
      }) first`,
    );
    this.name = 'ConnectionInUseError';
  }
}
