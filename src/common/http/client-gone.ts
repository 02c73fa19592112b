import type { FastifyReply } from 'fastify';

/**
 * A signal that aborts when the client closes its connection before the reply was sent, so
 * the work done for it (the upstream call) stops instead of running on for nobody. A reply
 * that finished normally closes too; that is not an abort.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  // Gone already (while the request was being prepared): 'close' has fired and will not again.
  if (reply.raw.destroyed && !reply.raw.writableFinished) {
    gone.abort(new Error('client disconnected'));
    return gone.signal;
  }
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('client disconnected'));
  });
  return gone.signal;
}
