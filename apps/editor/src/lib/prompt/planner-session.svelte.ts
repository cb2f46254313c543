import { trpc } from '../trpc.ts';
import { EditorDocument } from '../canvas/editor-state.svelte.ts';
import { normalizeGraph } from '../canvas/normalize-graph.ts';
import type { WorkflowGraph } from '../canvas/types.ts';
import { describeError } from '../ui/describe-error.ts';
import { answerTurn, plannerHistory, trimTurns, userTurn, withOutcome } from './conversation.ts';
import { placeProposal } from './place-proposal.ts';
import { nextPreview, openTodos } from './proposal-preview.ts';
import type { ConversationTurn, PlannerStatus, ProposalPreview, Todo } from './types.ts';

export interface SendContext {
  /** The workflow as it is in the editor (the proposal is compared with it and laid out against it). */
  workflow: WorkflowGraph;
  /** Measured node sizes on the canvas, for the layout. */
  sizeOf?: (id: string) => { width: number; height: number } | undefined;
}

/**
 * The prompt bar's state for one workflow: the planner's status, the conversation (loaded from
 * and saved to the workflow), and the proposal being previewed. The preview is its own
 * EditorDocument, so node edits before confirming have undo / redo and never touch the workflow
 * until `end('confirmed')` hands it over.
 *
 * @example
 * const planner = new PlannerSession(workflowId);
 * await planner.load();
 * await planner.send('When a GitHub issue is opened, post to Slack', { workflow: doc.graph });
 * planner.previewDoc?.graph; // the proposal, editable
 */
export class PlannerSession {
  readonly workflowId: string;
  status = $state.raw<PlannerStatus | undefined>();
  turns = $state.raw<ConversationTurn[]>([]);
  busy = $state(false);
  /** Why the last message got no answer (not stored: the message can be sent again). */
  error = $state<string | undefined>();
  preview = $state.raw<ProposalPreview | undefined>();
  previewDoc = $state<EditorDocument | undefined>();
  ghostPositions = $state.raw<Record<string, { x: number; y: number }>>({});
  /** To-dos of the last confirmed proposal, shown until they are filled in. */
  confirmedTodos = $state.raw<Todo[]>([]);
  readonly previewing = $derived(this.previewDoc !== undefined);

  constructor(workflowId: string) {
    this.workflowId = workflowId;
  }

  /** The planner's status and the stored conversation; failures leave the bar usable. */
  async load(): Promise<void> {
    const [status, conversation] = await Promise.allSettled([
      trpc.planner.status.query(),
      trpc.planner.conversation.query({ workflowId: this.workflowId }),
    ]);
    if (status.status === 'fulfilled') this.status = status.value;
    if (conversation.status === 'fulfilled') this.turns = conversation.value.turns;
  }

  /**
   * Sends a message: a new workflow when nothing is open, else a change to the proposal being
   * previewed (or to the workflow). A graph in the answer becomes the preview; a question is
   * shown in the thread. On failure nothing changes except `error`; returns false then.
   */
  async send(message: string, context: SendContext): Promise<boolean> {
    const text = message.trim();
    if (!text || this.busy) return false;
    this.busy = true;
    this.error = undefined;
    const before = this.turns;
    const current = this.previewDoc?.graph ?? (context.workflow.nodes.length > 0 ? context.workflow : undefined);
    this.turns = [...before, userTurn(text)];
    try {
      const answer = await trpc.planner.propose.mutate({
        message: this.#withQuestion(before, text, current),
        ...(current ? { current: current as unknown as Record<string, unknown> } : {}),
        ...(before.length > 0 ? { history: plannerHistory(before) } : {}),
      });
      this.status = answer.status;
      this.turns = trimTurns([...this.turns, answerTurn(answer)]);
      if (answer.graph && !answer.question) {
        const proposed = normalizeGraph(answer.graph, context.workflow.name);
        const placed = placeProposal(context.workflow, proposed, context.sizeOf);
        this.preview = nextPreview(this.preview, answer, placed.graph);
        this.ghostPositions = placed.ghostPositions;
        this.previewDoc = new EditorDocument(placed.graph);
        void this.#explainMissing();
      }
      void this.#save();
      return true;
    } catch (err) {
      this.turns = before;
      this.error = describeError(err).message || 'The planner did not answer. Try again.';
      return false;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Ends the preview: `confirmed` after the page applied it to the workflow, `discarded` to drop
   * it. The conversation records which.
   */
  end(outcome: 'confirmed' | 'discarded'): void {
    if (!this.previewDoc) return;
    this.confirmedTodos =
      outcome === 'confirmed' && this.preview ? openTodos(this.preview.todos, this.previewDoc.graph) : [];
    this.previewDoc = undefined;
    this.preview = undefined;
    this.ghostPositions = {};
    this.turns = withOutcome(this.turns, outcome);
    void this.#save();
  }

  /** Forgets the conversation of this workflow (the preview stays). */
  async clear(): Promise<void> {
    this.turns = [];
    await this.#save();
  }

  // The offline planner reads one sentence: an answer to its question is read with the request it answered.
  #withQuestion(before: readonly ConversationTurn[], text: string, current: WorkflowGraph | undefined): string {
    const last = before.at(-1);
    const asked = before.at(-2);
    if (current || this.status?.mode !== 'offline' || !last?.question || asked?.role !== 'user') return text;
    return `${asked.text.replace(/[.!?\s]+$/, '')}, ${text}`.slice(0, 4000);
  }

  // A follow-up explains only what it changed: the other steps get the plain explanation.
  async #explainMissing(): Promise<void> {
    const doc = this.previewDoc;
    const preview = this.preview;
    if (!doc || !preview || doc.graph.nodes.every((n) => preview.notes[n.id])) return;
    try {
      const lines = await trpc.planner.explain.query({ graph: doc.graph as unknown as Record<string, unknown> });
      if (this.preview !== preview) return;
      const notes = { ...preview.notes };
      for (const line of lines) {
        // "Post to Slack: Posts a message…": the list shows the name already.
        const name = doc.graph.nodes.find((n) => n.id === line.nodeId)?.name;
        const text = name && line.text.startsWith(`${name}: `) ? line.text.slice(name.length + 2) : line.text;
        notes[line.nodeId] ??= text;
      }
      this.preview = { ...preview, notes };
    } catch {
      // Steps without a note show their name; the preview works without it.
    }
  }

  async #save(): Promise<void> {
    try {
      await trpc.planner.saveConversation.mutate({ workflowId: this.workflowId, turns: this.turns });
    } catch {
      // The thread stays on screen; it is saved again with the next message.
    }
  }
}
