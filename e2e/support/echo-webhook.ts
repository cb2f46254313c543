/**
 * A synchronous webhook workflow on `/webhook/<path>` that answers 201 with `{ "got": <body> }`
 * once its Respond step is committed.
 */
export function echoWebhook(path = 'echo') {
  return {
    name: 'echo',
    nodes: [
      { id: 'hook', type: 'core.webhook_trigger', params: { path, respond: 'respond_node' } },
      {
        id: 'reply',
        type: 'core.respond_webhook',
        params: { status: 201, body: { kind: 'expr', src: '{ "got": $trigger.body }' } },
      },
    ],
    edges: [{ source: 'hook', target: 'reply' }],
  };
}
