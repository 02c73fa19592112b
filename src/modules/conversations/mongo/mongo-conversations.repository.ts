import type { Connection, FilterQuery, Model } from 'mongoose';
import { newId } from '../../../common/ids/new-id';
import {
  decodeCursor,
  pageSize,
  toPage,
  type Page,
  type PageRequest,
} from '../../../common/pagination';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { storableStrings } from '../../../infra/document-store/storable';
import { isUniqueViolation } from '../../../infra/document-store/unique-violation';
import {
  messageId,
  messageKey,
  newestWholeExchanges,
  toStoredMessage,
  type ConversationMessage,
  type ExchangeToAppend,
} from '../conversation.types';
import type { ConversationsRepository, MessageOrder, ThreadRef } from '../conversations.repository';
import { EXCHANGE_MODEL, ExchangeSchema, type ExchangeDoc } from './conversation-exchange.schema';

/** Exchanges read per round trip while filling a page of messages. */
const EXCHANGE_BATCH = 50;

export class MongoConversationsRepository implements ConversationsRepository {
  private readonly model: Model<ExchangeDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, EXCHANGE_MODEL, ExchangeSchema);
  }

  async appendExchange(t: ThreadRef, x: ExchangeToAppend): Promise<ConversationMessage[]> {
    await this.model.init();
    const scope = { org_id: t.orgId, thread_id: t.threadId, sub_thread_id: t.subThreadId };
    const messages = x.messages.map((m, i) => toStoredMessage(scope, x, m, i));
    try {
      await this.model.create({
        _id: newId('xdoc'),
        ...scope,
        exchange_id: x.exchangeId,
        created_at: x.createdAt,
        // Model output and tool results may hold NUL, which FerretDB (on PostgreSQL) refuses.
        messages: storableStrings(messages).map((m) => ({
          role: m.role,
          content: m.content,
          tool_calls: m.tool_calls,
          tool_call_id: m.tool_call_id,
          name: m.name,
          model: m.model,
          service: m.service,
          usage: m.usage,
        })),
      });
      return messages;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const existing = await this.model
        .findOne({ org_id: t.orgId, exchange_id: x.exchangeId })
        .lean<ExchangeDoc>();
      return existing ? flatten(existing) : [];
    }
  }

  async listMessages(
    t: ThreadRef,
    page: PageRequest,
    order: MessageOrder = 'asc',
  ): Promise<Page<ConversationMessage>> {
    const size = pageSize(page.limit);
    // Newest first walks the same index backwards: every comparison and sort flips.
    const asc = order === 'asc';
    const [past, pastOrAt, dir] = asc
      ? (['$gt', '$gte', 1] as const)
      : (['$lt', '$lte', -1] as const);
    const after = page.cursor
      ? (decodeCursor(page.cursor, ['time', 'string', 'number']) as [string, string, number])
      : undefined;
    const afterAt = after ? new Date(after[0]) : undefined;
    const out: ConversationMessage[] = [];
    // Exchanges at or past the cursor's one, in order; messages up to the cursor are skipped.
    let from: { at: Date; exchangeId: string; inclusive: boolean } | undefined = after
      ? { at: afterAt!, exchangeId: after[1], inclusive: true }
      : undefined;
    while (out.length <= size) {
      const filter = from
        ? {
            $or: [
              { created_at: { [past]: from.at } },
              {
                created_at: from.at,
                exchange_id: { [from.inclusive ? pastOrAt : past]: from.exchangeId },
              },
            ],
          }
        : {};
      const docs = await this.model
        .find(this.thread(t, filter))
        .sort({ created_at: dir, exchange_id: dir })
        .limit(EXCHANGE_BATCH)
        .lean<ExchangeDoc[]>();
      for (const doc of docs) {
        const messages = flatten(doc);
        for (const m of asc ? messages : messages.reverse()) {
          if (after && compareToCursor(m, afterAt!, after[1], after[2]) * dir <= 0) continue;
          out.push(m);
        }
      }
      if (docs.length < EXCHANGE_BATCH) break;
      const last = docs[docs.length - 1];
      from = { at: last.created_at, exchangeId: last.exchange_id, inclusive: false };
    }
    return toPage(out, size, messageKey);
  }

  async getMessage(
    t: ThreadRef,
    exchangeId: string,
    position: number,
  ): Promise<ConversationMessage | null> {
    const doc = await this.model
      .findOne(this.thread(t, { exchange_id: exchangeId }))
      .lean<ExchangeDoc>();
    return (doc && flatten(doc)[position]) ?? null;
  }

  async recentMessages(t: ThreadRef, maxMessages: number): Promise<ConversationMessage[]> {
    const docs: ExchangeDoc[] = [];
    let count = 0;
    const cursor = this.model
      .find(this.thread(t, {}))
      .sort({ created_at: -1, exchange_id: -1 })
      .lean<ExchangeDoc[]>()
      .cursor({ batchSize: EXCHANGE_BATCH });
    try {
      for await (const doc of cursor) {
        const d = doc;
        if (count + d.messages.length > maxMessages) break;
        docs.push(d);
        count += d.messages.length;
      }
    } finally {
      await cursor.close();
    }
    return newestWholeExchanges(docs.reverse().flatMap(flatten), maxMessages);
  }

  async deleteThread(orgId: string, threadId: string): Promise<number> {
    const docs = await this.model
      .find({ org_id: orgId, thread_id: threadId })
      .select({ messages: 1 })
      .lean<Array<Pick<ExchangeDoc, 'messages'>>>();
    await this.model.deleteMany({ org_id: orgId, thread_id: threadId });
    return docs.reduce((n, d) => n + d.messages.length, 0);
  }

  /** The org + thread + sub-thread filter every read starts from (the thread index's prefix). */
  private thread(t: ThreadRef, extra: object): FilterQuery<ExchangeDoc> {
    return {
      ...extra,
      org_id: t.orgId,
      thread_id: t.threadId,
      sub_thread_id: t.subThreadId,
    };
  }
}

function flatten(doc: ExchangeDoc): ConversationMessage[] {
  return doc.messages.map((m, position) => ({
    id: messageId(doc.exchange_id, position),
    org_id: doc.org_id,
    thread_id: doc.thread_id,
    sub_thread_id: doc.sub_thread_id ?? null,
    exchange_id: doc.exchange_id,
    position,
    role: m.role,
    content: m.content ?? null,
    tool_calls: m.tool_calls ?? null,
    tool_call_id: m.tool_call_id ?? null,
    name: m.name ?? null,
    model: m.model ?? null,
    service: m.service ?? null,
    usage: m.usage ?? null,
    created_at: doc.created_at,
  }));
}

/** The sign of message m's place against the cursor position (at, exchangeId, position). */
function compareToCursor(
  m: ConversationMessage,
  at: Date,
  exchangeId: string,
  position: number,
): number {
  const t = m.created_at.getTime() - at.getTime();
  if (t !== 0) return Math.sign(t);
  if (m.exchange_id !== exchangeId) return m.exchange_id > exchangeId ? 1 : -1;
  return Math.sign(m.position - position);
}
