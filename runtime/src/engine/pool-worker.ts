// Piscina task file: runs one node invocation inside a worker thread.
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { NodeDefinition } from '@apiq/sdk';
import { createSafeFetch } from '@apiq/http';
import { invokeDefinition, type InvocationResult, type StepInvocation } from './invocation.ts';
import { gateOverPort } from '../limits/gate-port.ts';

export interface PoolTask {
  module: string;
  exportName: string;
  invocation: StepInvocation;
  /** A message on this port cancels the step (its ctx.signal aborts). */
  cancelPort?: MessagePort;
  /** Present when the step uses a connection with limits: its requests ask the executor thread for their turn here. */
  limitsPort?: MessagePort;
}

const definitions = new Map<string, Promise<NodeDefinition>>();
const fetch = createSafeFetch();

function load(module: string, exportName: string): Promise<NodeDefinition> {
  const key = `${module}#${exportName}`;
  let def = definitions.get(key);
  if (!def) {
    def = import(module.startsWith('file:') ? module : pathToFileURL(module).href).then(
      (m: Record<string, unknown>) => {
        const d = m[exportName];
        if (!d) throw new Error(`module ${module} has no export ${exportName}`);
        return d as NodeDefinition;
      },
    );
    definitions.set(key, def);
  }
  return def;
}

export default async function runTask(task: PoolTask): Promise<InvocationResult> {
  const def = await load(task.module, task.exportName);
  const cancel = new AbortController();
  task.cancelPort?.on('message', () => cancel.abort(new Error('step cancelled')));
  try {
    const gate = task.limitsPort ? gateOverPort(task.limitsPort) : undefined;
    return await invokeDefinition(def, task.invocation, fetch, cancel.signal, gate);
  } finally {
    task.cancelPort?.close();
    task.limitsPort?.close();
  }
}
